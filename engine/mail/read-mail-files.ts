import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { TriageError } from '../errors/triage-error.js';

/** One raw message found under an import path, with where it came from (file, or file#n in an mbox). */
export interface MailFile {
  location: string;
  raw: Buffer;
}

/**
 * The raw messages under `path` for `triage mail import`: a directory's
 * *.eml files (recursively, in name order), an mbox file (split on its
 * `From ` lines), or one .eml file. Unreadable input is
 * TRIAGE_MAIL_IMPORT_UNREADABLE naming the path.
 */
export async function readMailFiles(path: string): Promise<MailFile[]> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw new TriageError('TRIAGE_MAIL_IMPORT_UNREADABLE', [path, e instanceof Error ? e.message : String(e)]);
  }
  if (info.isDirectory()) {
    const out: MailFile[] = [];
    for (const file of await emlFiles(path)) out.push(...(await readOne(file)));
    return out;
  }
  return readOne(path);
}

async function emlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await emlFiles(full)));
    else if (entry.isFile() && (extname(entry.name).toLowerCase() === '.eml' || extname(entry.name).toLowerCase() === '.mbox')) out.push(full);
  }
  return out;
}

async function readOne(file: string): Promise<MailFile[]> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (e) {
    throw new TriageError('TRIAGE_MAIL_IMPORT_UNREADABLE', [file, e instanceof Error ? e.message : String(e)]);
  }
  if (!isMbox(raw)) return [{ location: file, raw }];
  return splitMbox(raw).map((message, i) => ({ location: `${file}#${i + 1}`, raw: message }));
}

/** An mbox starts with a `From ` envelope line; an .eml starts with a header. */
export function isMbox(raw: Buffer): boolean {
  return raw.subarray(0, 5).toString('latin1') === 'From ';
}

/**
 * Split an mbox (mboxo/mboxrd) into raw messages: a message starts at a
 * `From ` line at the start of the file or after an empty line; the
 * envelope line is dropped, and one `>` is taken off `>From ` lines (mboxrd
 * quoting). Works on bytes, so any charset survives.
 */
export function splitMbox(raw: Buffer): Buffer[] {
  const text = raw.toString('latin1');
  const starts: number[] = [];
  const re = /(^|\n)From [^\n]*\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const lineStart = m.index + (m[1] as string).length;
    // Only after an empty line (or at the very start): "From " inside a body paragraph is text.
    if (lineStart === 0 || text.slice(Math.max(0, lineStart - 2), lineStart) === '\n\n' || text.slice(Math.max(0, lineStart - 3), lineStart) === '\n\r\n') starts.push(lineStart);
  }
  const messages: Buffer[] = [];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i] as number;
    const end = starts[i + 1] ?? text.length;
    const bodyStart = text.indexOf('\n', start) + 1;
    // The empty line before the next envelope belongs to the mbox, not the message.
    let chunk = text.slice(bodyStart, end);
    if (i + 1 < starts.length) chunk = chunk.replace(/\r?\n$/, '');
    chunk = chunk.replace(/^>(>*From )/gm, '$1');
    messages.push(Buffer.from(chunk, 'latin1'));
  }
  return messages;
}
