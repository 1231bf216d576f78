/**
 * RFC 4180 CSV: fields separated by the delimiter, optionally in double
 * quotes (which may hold delimiters, line breaks and "" for a quote), rows by
 * CRLF or LF. A UTF-8 BOM (Excel writes one) is dropped. Customer lists are
 * small, so the whole text is parsed at once; no dependency is worth it.
 *
 * Returns the rows with the 1-based line each starts on, for error messages.
 * Throws on an unterminated quote or text after a closing quote.
 */
export interface CsvRow {
  line: number;
  cells: string[];
}

export function parseCsv(text: string, delimiter = ','): CsvRow[] {
  const rows: CsvRow[] = [];
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let line = 1;
  let rowLine = 1;
  let cells: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  let afterQuote = false;

  const endCell = (): void => {
    cells.push(cell);
    cell = '';
    afterQuote = false;
  };
  const endRow = (): void => {
    endCell();
    // Blank lines (a trailing newline, spacing in hand-edited files) are no rows.
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ line: rowLine, cells });
    cells = [];
  };

  while (i < s.length) {
    const ch = s[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        afterQuote = true;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      i++;
      continue;
    }
    if (ch === delimiter) {
      endCell();
    } else if (ch === '\n' || ch === '\r') {
      endRow();
      if (ch === '\r' && s[i + 1] === '\n') i++;
      line++;
      rowLine = line;
    } else if (afterQuote) {
      throw new Error(`line ${line}: text after a closing quote`);
    } else if (ch === '"' && cell === '') {
      quoted = true;
    } else {
      cell += ch;
    }
    i++;
  }
  if (quoted) throw new Error(`line ${rowLine}: a quoted field is not closed`);
  if (cell !== '' || cells.length > 0 || afterQuote) endRow();
  return rows;
}
