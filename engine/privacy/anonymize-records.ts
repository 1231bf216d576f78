import type { Decision } from '../../rules/lib/rule-types.js';
import type { Attachment } from '../tickets/message.js';

/**
 * What erasure leaves of each record (docs/privacy.md). Allow-lists, not
 * deny-lists: a field someone adds later is dropped until it is known to be
 * safe, rather than kept until someone notices it holds personal data.
 */

/** Replaces every erased text. */
export const ERASED = '[erased]';

/** Ticket fields whose values are decisions about the ticket, not about the person. */
const SAFE_FIELDS: ReadonlySet<string> = new Set(['status', 'category', 'priority', 'team', 'queue', 'assignee', 'language', 'type', 'review']);

/** Keys of audit-row data that describe what happened, not who the customer is. */
const SAFE_AUDIT_DATA: ReadonlySet<string> = new Set([
  'number', 'source', 'channel', 'arrivedAt', 'fields', 'tags', 'direction', 'kind', 'messageId', 'reason',
  'decisionId', 'firedRules', 'review', 'confidence', 'actions', 'reviewReasons', 'erasureId', 'counts',
]);

/** Parts of ticket.data kept for statistics: how the ticket came in, never who sent it or what they wrote. */
const SAFE_TICKET_DATA: Readonly<Record<string, readonly string[] | true>> = {
  call: ['callId', 'direction', 'status', 'startedAt', 'durationSeconds'],
  form: ['id', 'title', 'type', 'complete'],
  chat: ['platform'],
  missingFields: true,
};

/** Every string in `value` replaced by ERASED, keys and structure kept (action params). */
export function eraseStrings(value: unknown): unknown {
  if (typeof value === 'string') return ERASED;
  if (Array.isArray(value)) return value.map(eraseStrings);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, eraseStrings(v)]));
  return value;
}

export function anonymizeTicketData(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, keep] of Object.entries(SAFE_TICKET_DATA)) {
    const value = data[key];
    if (value === undefined) continue;
    if (keep === true) out[key] = value;
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      out[key] = Object.fromEntries(keep.filter((k) => k in value).map((k) => [k, (value as Record<string, unknown>)[k]]));
    }
  }
  return out;
}

/** Attachment metadata: the file name goes, type and size stay; the blob reference goes too (the bytes are the blob store's to delete). */
export function anonymizeAttachment(a: Attachment): Attachment {
  return { filename: ERASED, ...(a.contentType === undefined ? {} : { contentType: a.contentType }), ...(a.size === undefined ? {} : { size: a.size }) };
}

export interface AuditValues {
  action: string;
  field: string | null;
  oldValue: unknown;
  newValue: unknown;
  data: Record<string, unknown> | null;
}

/** An audit row's values with whatever could hold personal data nulled; action, actor, field and times stay. */
export function anonymizeAuditValues(row: AuditValues): Pick<AuditValues, 'oldValue' | 'newValue' | 'data'> {
  const tag = row.action === 'tag.add' || row.action === 'tag.remove';
  const safeValue = tag || (row.field !== null && SAFE_FIELDS.has(row.field));
  return {
    oldValue: safeValue ? row.oldValue : null,
    newValue: safeValue ? row.newValue : null,
    data: row.data === null ? null : Object.fromEntries(Object.entries(row.data).filter(([k]) => SAFE_AUDIT_DATA.has(k))),
  };
}

/**
 * A stored decision without personal data: rendered action params lose their
 * text (customer names, message excerpts), an explain trace loses the fact
 * values it recorded. Which rules fired and what they set stay.
 */
export function anonymizeDecision(decision: Decision): Decision {
  return {
    ...decision,
    actions: decision.actions.map((a) => ({ ...a, params: eraseStrings(a.params) as Record<string, unknown> })),
    ...(decision.trace === undefined
      ? {}
      : { trace: decision.trace.map((t) => ({ ...t, conditions: t.conditions.map((c) => ({ ...c, actual: null })) })) }),
  };
}
