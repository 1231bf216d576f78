import type { Figure, ReportResult, ReportRow } from './report-result.js';

export const REPORT_FORMATS = ['table', 'json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Columns printed: the report's own, then the ticket list when the rows carry one. */
function printedColumns(result: ReportResult): string[] {
  return 'ticketCount' in result.total ? [...result.columns, 'ticketCount', 'ticketIds'] : result.columns;
}

/** Rows then the total; in the total the first key column reads `total`. */
function printedRows(result: ReportResult): ReportRow[] {
  const first = result.columns[0] ?? 'group';
  return [...result.rows, { ...result.total, [first]: 'total' }];
}

/** null is a value that is not set (`empty`); undefined a column the row does not have (the total's group). */
const text = (value: Figure | string[] | undefined, empty: string): string => {
  if (value === undefined) return '';
  if (value === null) return empty;
  return Array.isArray(value) ? value.join(' ') : String(value);
};

/** RFC 4180: quote fields with commas, quotes or line breaks. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function formatReport(result: ReportResult, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  const columns = printedColumns(result);
  const rows = printedRows(result);
  if (format === 'csv') {
    return [columns.join(','), ...rows.map((row) => columns.map((c) => csvField(text(row[c], ''))).join(','))].map((l) => `${l}\r\n`).join('');
  }
  const cells = [columns.map((c) => c.toUpperCase()), ...rows.map((row) => columns.map((c) => text(row[c], c === columns[0] || c === 'group' ? '(none)' : '-')))];
  const widths = columns.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = columns.map((c) => rows.some((r) => typeof r[c] === 'number'));
  const line = (r: string[]): string =>
    r
      .map((cell, i) => (numeric[i] === true ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const heading = `${result.report}  ${result.from} … ${result.to}${result.groupBy === null ? '' : `  by ${result.groupBy}`}`;
  const heat = result.heatmap === undefined ? '' : `\n${heatmapTable(result.heatmap)}`;
  return `${heading}\n${cells.map(line).join('\n')}\n${heat}`;
}

function heatmapTable(heatmap: NonNullable<ReportResult['heatmap']>): string {
  const hours = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
  const rows = heatmap.weekdays.map((day, d) => `${day}  ${(heatmap.cells[d] ?? []).map((n) => (n === 0 ? '.' : String(n)).padStart(2)).join(' ')}`);
  return `breaches by weekday × hour (${heatmap.timeZone})\n     ${hours.join(' ')}\n${rows.join('\n')}\n`;
}
