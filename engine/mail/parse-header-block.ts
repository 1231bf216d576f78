import { parseEncodedWords, textDecoder } from './parse-encoded-words.js';

export interface HeaderBlock {
  /** Lower-case names; a header that occurs more than once (Received) becomes an array, in order. */
  headers: Record<string, string | string[]>;
  /** Byte offset of the body in the raw message. */
  bodyOffset: number;
  problems: string[];
}

/**
 * The top-level header block of a raw message, parsed without mailparser, so
 * the header record exists even when mailparser gives up on the body. Folded
 * lines are joined, encoded words decoded, values trimmed.
 *
 * Header bytes should be ASCII; 8-bit headers are read as UTF-8 when they are
 * valid UTF-8 (what modern clients send), else in the charset the message's
 * Content-Type declares (old Polish clients wrote raw iso-8859-2 / windows-1250
 * subjects), else as Latin-1, so no byte is lost either way.
 */
export function parseHeaderBlock(raw: Buffer): HeaderBlock {
  const problems: string[] = [];
  let start = 0;
  // An mbox "From " separator line is not a header.
  if (raw.subarray(0, 5).toString('latin1') === 'From ') {
    const eol = raw.indexOf(0x0a);
    start = eol < 0 ? raw.length : eol + 1;
  }
  const end = headerEnd(raw, start);
  const head = decodeHeaderBytes(raw.subarray(start, end.headerEnd));
  const headers: Record<string, string | string[]> = {};
  let lineNo = 0;
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    lineNo += 1;
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '';
    if (name === '' || /\s/.test(name)) {
      problems.push(`header line ${lineNo} is not "Name: value" and was skipped: ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    const value = parseEncodedWords(line.slice(colon + 1).trim());
    const previous = headers[name];
    headers[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  if (Object.keys(headers).length === 0) problems.push('no header block: the input does not start with "Name: value" header lines');
  if (end.bodyOffset === raw.length && end.headerEnd === raw.length && raw.length > 0) problems.push('no empty line after the headers: the message has no body');
  return { headers, bodyOffset: end.bodyOffset, problems };
}

/** The first value of a header (case-insensitive name), or undefined. */
export function firstHeader(headers: Record<string, string | string[]>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** All values of a header, in order. */
export function allHeaders(headers: Record<string, string | string[]>, name: string): string[] {
  const value = headers[name.toLowerCase()];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function headerEnd(raw: Buffer, start: number): { headerEnd: number; bodyOffset: number } {
  const crlf = raw.indexOf('\r\n\r\n', start, 'latin1');
  const lf = raw.indexOf('\n\n', start, 'latin1');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headerEnd: crlf, bodyOffset: crlf + 4 };
  if (lf >= 0) return { headerEnd: lf, bodyOffset: lf + 2 };
  return { headerEnd: raw.length, bodyOffset: raw.length };
}

function decodeHeaderBytes(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const latin1 = bytes.toString('latin1');
    const declared = /^content-type:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*?charset\s*=\s*"?([A-Za-z0-9_.:-]+)/im.exec(latin1)?.[1];
    const decoder = declared === undefined ? undefined : textDecoder(declared);
    return decoder === undefined ? latin1 : decoder.decode(bytes);
  }
}
