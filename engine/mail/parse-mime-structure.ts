/**
 * Structural problems of a MIME message that mailparser repairs silently:
 * a multipart without a boundary, a missing closing boundary (a truncated
 * message), base64 that is not base64. mailparser still returns what it could
 * decode; these findings go to ParsedMail.problems so an agent knows the
 * ticket may be missing a part, and the raw message (kept by ingest) is
 * where to look.
 *
 * Works on the message as Latin-1 text (one char per byte), so boundaries and
 * base64 are checked byte-exactly whatever the charsets are.
 */
const MAX_DEPTH = 30;
const MAX_PARTS = 2000;

export function parseMimeStructure(raw: Buffer): string[] {
  const problems: string[] = [];
  const state = { parts: 0 };
  scanEntity(raw.toString('latin1'), '', 0, problems, state);
  return problems;
}

function scanEntity(entity: string, path: string, depth: number, problems: string[], state: { parts: number }): void {
  state.parts += 1;
  if (state.parts > MAX_PARTS) {
    if (state.parts === MAX_PARTS + 1) problems.push(`more than ${MAX_PARTS} MIME parts: the rest was not checked`);
    return;
  }
  const split = splitHead(entity);
  const headers = headerMap(split.head);
  const contentType = headers.get('content-type') ?? '';
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  const where = path === '' ? 'message' : `part ${path}`;
  if (type.startsWith('multipart/')) {
    if (depth >= MAX_DEPTH) {
      problems.push(`${where}: multipart nested deeper than ${MAX_DEPTH} levels, not checked further`);
      return;
    }
    const boundary = param(contentType, 'boundary');
    if (boundary === undefined || boundary === '') {
      problems.push(`${where}: ${type} without a boundary parameter; its parts cannot be separated`);
      return;
    }
    const { parts, closed, opened } = splitMultipart(split.body, boundary);
    if (!opened) {
      problems.push(`${where}: no part starts with the boundary "${boundary}"; the body was read as one part`);
      return;
    }
    if (!closed) problems.push(`${where}: the closing boundary "--${boundary}--" is missing (truncated message?); the last part may be incomplete`);
    parts.forEach((part, i) => scanEntity(part, path === '' ? `${i + 1}` : `${path}.${i + 1}`, depth + 1, problems, state));
    return;
  }
  if (type === 'message/rfc822' && depth < MAX_DEPTH) {
    scanEntity(split.body, path === '' ? '1' : `${path}.1`, depth + 1, problems, state);
    return;
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '').trim().toLowerCase();
  if (encoding === 'base64') {
    const data = split.body.replace(/[\r\n\t ]/g, '');
    const bad = data.search(/[^A-Za-z0-9+/=]/);
    const padding = data.indexOf('=');
    if (bad >= 0 || (padding >= 0 && !/^=*$/.test(data.slice(padding))) || data.replace(/=+$/, '').length % 4 === 1) {
      const name = param(headers.get('content-disposition') ?? '', 'filename') ?? param(contentType, 'name');
      problems.push(`${where} (${type || 'text/plain'}${name === undefined ? '' : ` "${name}"`}): invalid base64; only the decodable bytes were kept`);
    }
  }
}

function splitHead(entity: string): { head: string; body: string } {
  if (/^\r?\n/.test(entity)) return { head: '', body: entity.replace(/^\r?\n/, '') };
  const crlf = entity.indexOf('\r\n\r\n');
  const lf = entity.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { head: entity.slice(0, crlf), body: entity.slice(crlf + 4) };
  if (lf >= 0) return { head: entity.slice(0, lf), body: entity.slice(lf + 2) };
  return { head: entity, body: '' };
}

function headerMap(head: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!map.has(name)) map.set(name, line.slice(colon + 1).trim());
  }
  return map;
}

/** A parameter of a structured header (`boundary="abc"`, `name=x.pdf`), unquoted. */
function param(value: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(value);
  if (match === null) return undefined;
  return match[1] ?? match[2];
}

function splitMultipart(body: string, boundary: string): { parts: string[]; opened: boolean; closed: boolean } {
  const lines = body.split(/(?<=\n)/);
  const open = `--${boundary}`;
  const parts: string[] = [];
  let current: string[] | undefined;
  let opened = false;
  let closed = false;
  for (const line of lines) {
    const bare = line.replace(/[ \t]*\r?\n$/, '').replace(/[ \t]+$/, '');
    if (bare === `${open}--`) {
      if (current !== undefined) parts.push(trimLastEol(current.join('')));
      current = undefined;
      closed = true;
      break;
    }
    if (bare === open) {
      if (current !== undefined) parts.push(trimLastEol(current.join('')));
      current = [];
      opened = true;
      continue;
    }
    current?.push(line);
  }
  if (current !== undefined) parts.push(current.join(''));
  return { parts, opened, closed };
}

/** The line break before a boundary belongs to the boundary (RFC 2046 §5.1.1). */
function trimLastEol(part: string): string {
  return part.replace(/\r?\n$/, '');
}
