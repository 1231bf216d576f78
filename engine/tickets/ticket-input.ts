import { TriageError } from '../errors/triage-error.js';
import { isTicketStatus } from '../lifecycle/ticket-status.js';
import { toIsoUtc } from '../store/iso-time.js';
import type { Actor } from './audit-event.js';
import type { CustomerHints } from './customer.js';
import type { MessageInput } from './message.js';
import { EDITABLE_FIELDS, type EditableField, type TagChanges, type TicketUpdate } from './ticket.js';

/** What a channel or the API hands to createTicket. */
export interface CreateTicketInput {
  /** Where it came from (`imap:support`, `form:complaint`, `pbx`, `api`…). */
  source: string;
  /** The source's own id; (source, externalId) makes re-delivery a no-op. */
  externalId: string;
  subject?: string;
  /** email, form, phone, chat, api… */
  channel?: string | null;
  /** The first message; its sender also counts as a customer e-mail hint. */
  message?: MessageInput;
  customer?: CustomerHints;
  /** Facts loaded before the call (CRM, R8), merged into the `customer` fact; not stored. */
  customerFacts?: Record<string, unknown>;
  tags?: string[];
  fields?: Partial<Record<EditableField, string | null>>;
  data?: Record<string, unknown>;
  /** Arrival time (the SLA clock starts here); defaults to now. */
  createdAt?: string | Date;
  /** Who is creating it; defaults to the system. */
  actor?: Actor;
  /**
   * A digest of the caller's request (the HTTP API hashes the body). Stored
   * with the ticket; a later call with the same (source, externalId) but a
   * different fingerprint is refused with TRIAGE_TICKET_IDEMPOTENCY_CONFLICT
   * instead of returning a ticket made from other content.
   */
  fingerprint?: string;
}

export interface NormalizedCreateInput {
  source: string;
  externalId: string;
  subject: string;
  channel: string | null;
  tags: string[];
  fields: Partial<Record<EditableField, string | null>>;
  data: Record<string, unknown>;
  createdAt: string;
  fingerprint: string | null;
}

/** Throws TRIAGE_TICKET_INVALID naming the first bad field. */
export function normalizeCreateInput(input: CreateTicketInput, now: string): NormalizedCreateInput {
  if (typeof input !== 'object' || input === null) invalid('input must be an object');
  const source = requiredString(input.source, 'source');
  const externalId = requiredString(input.externalId, 'externalId');
  const subject = input.subject ?? input.message?.subject ?? '';
  if (typeof subject !== 'string') invalid('subject must be a string');
  if (input.channel !== undefined && input.channel !== null && typeof input.channel !== 'string') invalid('channel must be a string');
  const createdAt = input.createdAt === undefined ? now : toIsoUtc(input.createdAt);
  if (createdAt === undefined) invalid(`createdAt is not a date-time with a time zone: ${String(input.createdAt)}`);
  if (input.data !== undefined && (typeof input.data !== 'object' || input.data === null || Array.isArray(input.data))) invalid('data must be an object');
  if (input.fingerprint !== undefined && (typeof input.fingerprint !== 'string' || input.fingerprint === '')) invalid('fingerprint must be a non-empty string');
  return {
    source,
    externalId,
    subject,
    channel: input.channel ?? null,
    tags: normalizeTags(input.tags),
    fields: editableFields(input.fields ?? {}),
    // A copy the caller cannot change under us; most tickets come without data, and cloning {} still costs a native call.
    data: input.data === undefined || isEmptyObject(input.data) ? {} : structuredClone(input.data),
    createdAt,
    fingerprint: input.fingerprint ?? null,
  };
}

function isEmptyObject(value: object): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

/** Validate an agent's changes (updateFields). */
export function validateFieldChanges(changes: TicketUpdate): void {
  if (typeof changes !== 'object' || changes === null) invalid('changes must be an object');
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (key === 'subject') {
      if (typeof value !== 'string') invalid('subject must be a string');
    } else if (key === 'review') {
      if (typeof value !== 'boolean') invalid('review must be true or false');
    } else if (key === 'customerId') {
      if (value !== null && typeof value !== 'string') invalid('customerId must be a string or null');
    } else if (key === 'tags') {
      normalizeTagChanges(value as TagChanges);
    } else if (key === 'status') {
      if (!isTicketStatus(value)) invalid(`status must be one of new, open, pending, solved, closed, got ${String(value)}`);
    } else if ((EDITABLE_FIELDS as readonly string[]).includes(key)) {
      if (value !== null && typeof value !== 'string') invalid(`${key} must be a string or null`);
    } else {
      invalid(`unknown field "${key}"`);
    }
  }
}

/**
 * Trimmed, de-duplicated, sorted tag lists; a tag both added and removed is
 * refused (which one wins would be a guess).
 */
export function normalizeTagChanges(changes: TagChanges | undefined): { add: string[]; remove: string[] } {
  if (changes === undefined) return { add: [], remove: [] };
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) invalid('tags must be an object { add, remove }');
  for (const key of Object.keys(changes)) if (key !== 'add' && key !== 'remove') invalid(`tags.${key} is not add or remove`);
  const add = normalizeTags(changes.add);
  const remove = normalizeTags(changes.remove);
  const both = add.filter((t) => remove.includes(t));
  if (both.length > 0) invalid(`tags ${both.join(', ')} cannot be both added and removed`);
  return { add, remove };
}

function editableFields(fields: Record<string, unknown>): Partial<Record<EditableField, string | null>> {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) invalid('fields must be an object');
  const out: Partial<Record<EditableField, string | null>> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (!(EDITABLE_FIELDS as readonly string[]).includes(key)) invalid(`fields.${key} is not a ticket field (${EDITABLE_FIELDS.join(', ')}; status starts as new)`);
    if (value !== null && typeof value !== 'string') invalid(`fields.${key} must be a string or null`);
    out[key as EditableField] = value as string | null;
  }
  return out;
}

function normalizeTags(tags: unknown): string[] {
  if (tags === undefined || tags === null) return [];
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) invalid('tags must be a list of strings');
  return [...new Set((tags as string[]).map((t) => t.trim()).filter((t) => t !== ''))].sort();
}

function requiredString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') invalid(`${field} is required`);
  return value;
}

function invalid(reason: string): never {
  throw new TriageError('TRIAGE_TICKET_INVALID', [reason]);
}
