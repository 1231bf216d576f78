import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type Attachment, type EmailAddress, type ParsedMail as MailparserMail } from 'mailparser';
import { detectAutoFlags, type AutoFlags } from './auto-flags.js';
import { allHeaders, firstHeader, parseHeaderBlock } from './parse-header-block.js';
import { parseMimeStructure } from './parse-mime-structure.js';
import { quoteStrippedText } from './quote-stripped-text.js';
import { sanitizeMailHtml } from './sanitize-mail-html.js';
import { sanitizedHtmlText } from './sanitized-html-text.js';

export type { AutoFlags } from './auto-flags.js';

/** One address; `name` is '' when the header gives none. */
export interface MailAddress {
  address: string;
  name: string;
}

export interface ParsedAttachment {
  /** Decoded (RFC 2047 / RFC 2231); `attachment-<n>.<ext>` when the part names no file. */
  filename: string;
  contentType: string;
  size: number;
  /** Hex SHA-256 of the decoded content: the content address ingest stores it under. */
  sha256: string;
  /** Content-ID without the angle brackets (what `cid:` links in the HTML refer to), or null. */
  contentId: string | null;
  /** Shown inside the body (Content-Disposition: inline, or a part of multipart/related) rather than attached. */
  inline: boolean;
  content: Buffer;
}

export interface ParsedMail {
  /** From the Message-ID header, without <>; `sha256-<hex of raw>@triage` when the header is missing. */
  messageId: string;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  replyTo: MailAddress[];
  subject: string;
  /** ISO-8601 UTC; null when the Date header is missing or unreadable. */
  date: string | null;
  /** Plain text; for HTML-only mail derived from the sanitized HTML. */
  text: string;
  /** Sanitized HTML (sanitize-mail-html.ts), or null for text-only mail. */
  html: string | null;
  /** text without quoted history and signature (quote-stripped-text.ts). */
  newText: string;
  /** Message-IDs without <>, like messageId. */
  inReplyTo: string | null;
  references: string[];
  attachments: ParsedAttachment[];
  /** Top-level headers, lower-case names, encoded words decoded; repeated headers as arrays. */
  headers: Record<string, string | string[]>;
  auto: AutoFlags;
  /** Hex SHA-256 of the raw bytes. */
  rawSha256: string;
  /** What could not be parsed, one sentence each; [] for clean mail. */
  problems: string[];
}

export interface ParseMailOptions {
  /** Our X-Loop value (default `triage`); mail carrying it is flagged as our own. */
  loopMarker?: string;
}

/**
 * Parse one raw RFC 822 message. mailparser does the MIME work (transfer
 * encodings, charsets through iconv-lite, RFC 2047/2231 names, HTML-to-text);
 * this adds what a service desk needs on top: bare Message-IDs, sanitized
 * HTML, the new text of a reply, content hashes, machine-mail flags, and a
 * list of problems instead of an exception.
 *
 * Never throws for bad mail: it returns whatever it could read and says in
 * `problems` what it could not. Ingest keeps the raw bytes besides, so even a
 * message nothing could be read from loses nothing.
 */
export async function parseMail(raw: Buffer, options: ParseMailOptions = {}): Promise<ParsedMail> {
  const rawSha256 = sha256(raw);
  const block = parseHeaderBlock(raw);
  const headers = block.headers;
  const problems = [...block.problems, ...safely(() => parseMimeStructure(raw), 'MIME structure')];

  let parsed: MailparserMail | undefined;
  try {
    parsed = await simpleParser(raw, { keepCidLinks: true, skipHtmlToText: true, skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  } catch (error) {
    problems.push(`mailparser could not parse the message (${error instanceof Error ? error.message : String(error)}); the body is the raw text after the headers`);
  }

  const headerMessageId = firstMessageId(firstHeader(headers, 'message-id'));
  if (headerMessageId === null) problems.push(`no usable Message-ID header: using sha256-<hash of the raw message>@triage`);
  const messageId = headerMessageId ?? `sha256-${rawSha256}@triage`;

  const from = addresses(parsed?.from)[0] ?? null;
  if (from === null) problems.push(firstHeader(headers, 'from') === undefined ? 'no From header' : `From header without an address: ${JSON.stringify(firstHeader(headers, 'from'))}`);

  const date = parseDate(firstHeader(headers, 'date'));
  if (date === null) problems.push(firstHeader(headers, 'date') === undefined ? 'no Date header' : `unreadable Date header: ${JSON.stringify(firstHeader(headers, 'date'))}`);

  // mailparser turns raw 8-bit header bytes into U+FFFD; the header record decoded them with the declared charset.
  const headerSubject = firstHeader(headers, 'subject');
  const parsedSubject = parsed?.subject;
  const subject = (parsedSubject !== undefined && !(parsedSubject.includes('\uFFFD') && headerSubject !== undefined && !headerSubject.includes('\uFFFD')) ? parsedSubject : (headerSubject ?? '')).trim();
  const html = parsed !== undefined && typeof parsed.html === 'string' && parsed.html.trim() !== '' ? sanitizeMailHtml(parsed.html) : null;
  const bodyText = parsed === undefined ? raw.subarray(block.bodyOffset).toString('utf8') : (parsed.text ?? '');
  // HTML-only mail: the text comes from the sanitized HTML (sanitized-html-text.ts says why not mailparser's).
  const text = normalizeText(bodyText.trim() === '' && html !== null ? sanitizedHtmlText(html) : bodyText);
  const attachments = (parsed?.attachments ?? []).map(toAttachment);

  return {
    messageId,
    from,
    to: addresses(parsed?.to),
    cc: addresses(parsed?.cc),
    replyTo: addresses(parsed?.replyTo),
    subject,
    date,
    text,
    html,
    newText: quoteStrippedText(text),
    inReplyTo: firstMessageId(firstHeader(headers, 'in-reply-to')),
    references: [...new Set(allHeaders(headers, 'references').flatMap(messageIds))],
    attachments,
    headers,
    auto: detectAutoFlags({ headers, from: from?.address ?? null, subject }, options.loopMarker === undefined ? {} : { loopMarker: options.loopMarker }),
    rawSha256,
    problems,
  };
}

/** The output of `triage mail parse`: an external contract, so the keys and their order are fixed. */
export interface MailParseOutput {
  messageId: string;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  date: string | null;
  text: string;
  html: string | null;
  inReplyTo: string | null;
  references: string[];
  attachments: { filename: string; contentType: string; size: number; sha256: string; contentId: string | null; inline: boolean }[];
  auto: AutoFlags;
}

export function toMailParseOutput(mail: ParsedMail): MailParseOutput {
  return {
    messageId: mail.messageId,
    from: mail.from === null ? null : { address: mail.from.address, name: mail.from.name },
    to: mail.to.map((a) => ({ address: a.address, name: a.name })),
    cc: mail.cc.map((a) => ({ address: a.address, name: a.name })),
    subject: mail.subject,
    date: mail.date,
    text: mail.text,
    html: mail.html,
    inReplyTo: mail.inReplyTo,
    references: [...mail.references],
    attachments: mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size, sha256: a.sha256, contentId: a.contentId, inline: a.inline })),
    auto: { isAutoReply: mail.auto.isAutoReply, isBounce: mail.auto.isBounce, isBulk: mail.auto.isBulk, reason: mail.auto.reason },
  };
}

/**
 * `<id@host>` → `id@host`. Message-IDs are kept bare everywhere in triage
 * (parsed mail, stored messages, threading lookups) so `<a@b>` and `a@b`
 * never count as two messages; nodemailer adds the brackets when sending.
 */
export function bareMessageId(value: string): string {
  return value.trim().replace(/^<\s*/, '').replace(/\s*>$/, '').trim();
}

/** All `<id>` tokens of a header value, bare; a value without brackets is split on whitespace. */
export function messageIds(value: string | undefined): string[] {
  if (value === undefined) return [];
  const bracketed = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1] as string);
  if (bracketed.length > 0) return bracketed;
  return value
    .split(/[\s,]+/)
    .map(bareMessageId)
    .filter((id) => id.includes('@') && !/[()"]/.test(id));
}

function firstMessageId(value: string | undefined): string | null {
  return messageIds(value)[0] ?? null;
}

function addresses(field: AddressObject | AddressObject[] | undefined): MailAddress[] {
  if (field === undefined) return [];
  const flat: MailAddress[] = [];
  const visit = (entries: EmailAddress[]): void => {
    for (const e of entries) {
      if (Array.isArray(e.group)) visit(e.group);
      else if (typeof e.address === 'string' && e.address.trim() !== '') flat.push({ address: e.address.trim(), name: (e.name ?? '').trim() });
    }
  };
  for (const object of Array.isArray(field) ? field : [field]) visit(object.value);
  return flat;
}

function parseDate(value: string | undefined): string | null {
  if (value === undefined || value.trim() === '') return null;
  // Drop RFC 5322 comments such as "(CET)" that some mailers append.
  const date = new Date(value.replace(/\([^)]*\)/g, ' ').trim());
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

const EXTENSIONS: Record<string, string> = {
  'message/rfc822': 'eml',
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'text/plain': 'txt',
  'text/html': 'html',
  'text/calendar': 'ics',
  'message/delivery-status': 'txt',
  'text/rfc822-headers': 'txt',
};

function toAttachment(a: Attachment, index: number): ParsedAttachment {
  const content = Buffer.isBuffer(a.content) ? a.content : Buffer.from([]);
  const contentType = (a.contentType || 'application/octet-stream').toLowerCase();
  const named = typeof a.filename === 'string' && a.filename.trim() !== '' ? a.filename.trim() : undefined;
  const contentId = typeof a.contentId === 'string' && a.contentId.trim() !== '' ? bareMessageId(a.contentId) : null;
  return {
    filename: named ?? `attachment-${index + 1}.${EXTENSIONS[contentType] ?? 'bin'}`,
    contentType,
    size: content.length,
    sha256: sha256(content),
    contentId,
    inline: a.contentDisposition === 'inline' || a.related === true,
    content,
  };
}

function normalizeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\s+$/, '');
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function safely(check: () => string[], what: string): string[] {
  try {
    return check();
  } catch (error) {
    return [`${what} could not be checked: ${error instanceof Error ? error.message : String(error)}`];
  }
}
