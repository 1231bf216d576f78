import { timeOrderedUuid } from '../store/time-ordered-uuid.js';
import { TriageError } from '../errors/triage-error.js';
import { toIsoUtc } from '../store/iso-time.js';
import type { Message, MessageAddress, MessageInput } from './message.js';

/**
 * Validate a message from a channel or the API and turn it into the stored
 * shape. Throws TRIAGE_TICKET_INVALID naming the bad field.
 */
export function messageFromInput(input: MessageInput, ticketId: string, defaults: { subject: string | null; now: string }): Message {
  if (typeof input !== 'object' || input === null) invalid('message must be an object');
  const direction = input.direction ?? 'inbound';
  if (direction !== 'inbound' && direction !== 'outbound') invalid(`message.direction must be inbound or outbound, got ${String(direction)}`);
  const kind = input.kind ?? 'public';
  if (kind !== 'public' && kind !== 'internal') invalid(`message.kind must be public or internal, got ${String(kind)}`);
  const createdAt = input.createdAt === undefined ? defaults.now : toIsoUtc(input.createdAt);
  if (createdAt === undefined) invalid(`message.createdAt is not a date-time with a time zone: ${String(input.createdAt)}`);
  return {
    id: timeOrderedUuid(),
    ticketId,
    direction,
    kind,
    from: parseFrom(input.from),
    to: stringList(input.to, 'message.to'),
    cc: stringList(input.cc, 'message.cc'),
    subject: optionalString(input.subject, 'message.subject') ?? defaults.subject,
    text: optionalString(input.text, 'message.text') ?? null,
    html: optionalString(input.html, 'message.html') ?? null,
    headers: record(input.headers, 'message.headers'),
    messageId: optionalString(input.messageId, 'message.messageId') ?? null,
    inReplyTo: optionalString(input.inReplyTo, 'message.inReplyTo') ?? null,
    attachments: attachments(input.attachments),
    data: record(input.data, 'message.data'),
    createdAt,
  };
}

/** `Jan Kowalski <jan@acme.pl>`, a bare address, or `{ address, name }`. */
function parseFrom(from: MessageInput['from']): MessageAddress | null {
  if (from === undefined || from === null) return null;
  let address: string;
  let name: string | null = null;
  if (typeof from === 'string') {
    const m = /^\s*"?([^"<]*?)"?\s*<([^<>]+)>\s*$/.exec(from);
    address = (m?.[2] ?? from).trim();
    name = m?.[1]?.trim() || null;
  } else if (typeof from === 'object' && typeof from.address === 'string') {
    address = from.address.trim();
    name = typeof from.name === 'string' && from.name.trim() !== '' ? from.name.trim() : null;
  } else {
    invalid('message.from must be an address string or { address, name }');
  }
  if (address === '') return null;
  const at = address.lastIndexOf('@');
  return { address, name, domain: at < 0 ? null : address.slice(at + 1).toLowerCase() || null };
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) invalid(`${field} must be a list of strings`);
  return [...(value as string[])];
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') invalid(`${field} must be a string`);
  return value;
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) invalid(`${field} must be an object`);
  return { ...(value as Record<string, unknown>) };
}

function attachments(value: unknown): Message['attachments'] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((a) => typeof a === 'object' && a !== null && typeof (a as { filename?: unknown }).filename === 'string')) {
    invalid('message.attachments must be a list of { filename, ... }');
  }
  return structuredClone(value as Message['attachments']);
}

function invalid(reason: string): never {
  throw new TriageError('TRIAGE_TICKET_INVALID', [reason]);
}
