import { timeOrderedUuid } from '../store/time-ordered-uuid.js';
import type { Knex } from 'knex';
import type { Decision, FieldChange } from '../../rules/lib/rule-types.js';
import { canTransition, isTicketStatus } from '../lifecycle/ticket-status.js';
import { statusTimestamps } from '../lifecycle/status-timestamps.js';
import type { Actor } from './audit-event.js';
import type { AuditTrail } from './audit-trail.js';
import type { DecisionRecord } from './decide.js';
import { EDITABLE_FIELDS, type EditableField, type Ticket } from './ticket.js';
import { decisionToRow, ticketChangesToRow } from './ticket-row.js';

export interface AppliedDecision {
  ticket: Ticket;
  record: DecisionRecord;
}

/** What a decision does to a ticket, worked out in memory (audit rows recorded); nothing written yet. */
export interface PlannedDecision extends AppliedDecision {
  /** Column changes, for an UPDATE of an existing ticket (includes ruleSetVersion and updatedAt). */
  update: Parameters<typeof ticketChangesToRow>[0];
  /** Tags the ticket gains / loses. */
  tagsAdded: string[];
  tagsRemoved: string[];
}

/**
 * Write a decision onto a ticket inside the caller's transaction: field
 * changes to columns, tags, the review flag, one audit row per change
 * (actor = the rule from the change log or tag log, with the rule-set
 * version), a
 * `decision` audit row and the stored decision. `suggested` routing is not
 * applied; it is only audited and kept in the decision (R11).
 *
 * A status change the lifecycle forbids (e.g. a rule setting new → closed) is
 * not applied and is audited as `rule.refused`: one bad rule must not make
 * ticket creation fail.
 */
export async function applyDecision(
  trx: Knex.Transaction,
  ticket: Ticket,
  decision: Decision,
  audit: AuditTrail,
  now: string,
): Promise<AppliedDecision> {
  const plan = planDecision(ticket, decision, audit, now);
  if (plan.tagsAdded.length > 0) await trx('ticket_tags').insert(plan.tagsAdded.map((tag) => ({ ticket_id: ticket.id, tag }))).onConflict(['ticket_id', 'tag']).ignore();
  if (plan.tagsRemoved.length > 0) await trx('ticket_tags').where({ ticket_id: ticket.id }).whereIn('tag', plan.tagsRemoved).delete();
  await trx('tickets').where({ id: ticket.id }).update(ticketChangesToRow(plan.update));
  await trx('decisions').insert(decisionToRow(plan.record));
  return { ticket: plan.ticket, record: plan.record };
}

/**
 * The pure half of applyDecision: the ticket after the decision, the column
 * and tag changes, and the audit rows (recorded on `audit`, in the same order
 * applyDecision writes them). A new ticket is inserted with the result
 * directly (TicketService.createTicket), which saves the UPDATE.
 */
export function planDecision(ticket: Ticket, decision: Decision, audit: AuditTrail, now: string): PlannedDecision {
  const version = decision.ruleSetVersion;
  const event = decision.event;
  const next: Ticket = { ...ticket, tags: [...ticket.tags] };
  const update: Parameters<typeof ticketChangesToRow>[0] = {};
  const ruleActor = (ruleId: string): Actor => ({ type: 'rule', id: ruleId });
  // Suggestions and the review flag carry no rule id in a Decision (nor tags
  // from a decide that gives no tagLog); name the rule when only one fired,
  // else the rule set as a whole.
  const setActor = ruleActor(decision.firedRules.length === 1 && decision.firedRules[0] !== undefined ? decision.firedRules[0] : 'rule-set');
  // Spread LAST in the audit entries below: on Node 20 (V8 11.3) adding properties to an object
  // that starts with a spread takes ~0.5 µs each, which made this function a visible part of a
  // ticket's cost; a literal followed by the spread is as fast as a plain literal.
  const common = { event, ruleSetVersion: version };

  let refusedStatus: unknown;
  for (const [field, raw] of Object.entries(decision.changes)) {
    if (field === 'status') {
      if (!isTicketStatus(raw) || !canTransition(next.status, raw)) {
        refusedStatus = raw;
        continue;
      }
      if (raw !== next.status) {
        const stamps = statusTimestamps(next.status, raw, now);
        Object.assign(update, { status: raw }, stamps);
        Object.assign(next, { status: raw }, stamps);
      }
    } else if ((EDITABLE_FIELDS as readonly string[]).includes(field)) {
      const value = columnValue(raw);
      const key = field as EditableField;
      if (next[key] !== value) {
        update[key] = value;
        next[key] = value;
      }
    }
  }

  const logged = new Set<string>();
  for (const change of decision.changeLog) {
    logged.add(change.field);
    if (change.field === 'status') {
      if (refusedStatus !== undefined) {
        audit.record({ actor: ruleActor(change.ruleId), action: 'rule.refused', field: 'status', oldValue: change.from, newValue: change.to, data: { reason: `illegal transition ${ticket.status} → ${String(refusedStatus)}` }, ...common });
      } else if (!sameValue(change)) {
        audit.record({ actor: ruleActor(change.ruleId), action: 'status.change', field: 'status', oldValue: change.from, newValue: change.to, ...common });
      }
    } else if (!sameValue(change)) {
      audit.record({ actor: ruleActor(change.ruleId), action: 'field.set', field: change.field, oldValue: change.from, newValue: change.to, ...common });
    }
  }
  // Defensive: a change without a change-log entry is still applied, so it must still be audited.
  for (const field of Object.keys(update)) {
    if (field === 'status' || (EDITABLE_FIELDS as readonly string[]).includes(field)) {
      if (!logged.has(field)) {
        const key = field as EditableField | 'status';
        audit.record({ actor: setActor, action: field === 'status' ? 'status.change' : 'field.set', field, oldValue: ticket[key], newValue: next[key], ...common });
      }
    }
  }
  if (refusedStatus !== undefined && !logged.has('status')) {
    audit.record({ actor: setActor, action: 'rule.refused', field: 'status', oldValue: ticket.status, newValue: refusedStatus, data: { reason: `illegal transition ${ticket.status} → ${String(refusedStatus)}` }, ...common });
  }
  for (const [field, value] of Object.entries(decision.suggested ?? {})) {
    audit.record({ actor: setActor, action: 'field.suggested', field, oldValue: (ticket as unknown as Record<string, unknown>)[field] ?? null, newValue: value, data: { reviewReasons: decision.reviewReasons ?? [] }, ...common });
  }

  const added = unique(decision.tags.added).filter((t) => !next.tags.includes(t));
  const removed = unique(decision.tags.removed).filter((t) => next.tags.includes(t) && !added.includes(t));
  // One row per tag the ticket actually gained or lost, naming the rule whose
  // change stuck (the last one in tagLog); the stored decision keeps the full
  // tagLog, including a tag one rule added and a later one removed again.
  const tagActor = (tag: string, action: 'add' | 'remove'): { actor: Actor; data: Record<string, unknown> | null } => {
    // `?? []`: a decide written before tagLog existed (or a stored decision) may lack it.
    const ruleId = (decision.tagLog ?? []).findLast((c) => c.tag === tag && c.action === action)?.ruleId;
    return ruleId === undefined ? { actor: setActor, data: { firedRules: decision.firedRules } } : { actor: ruleActor(ruleId), data: null };
  };
  for (const tag of added) audit.record({ action: 'tag.add', newValue: tag, ...tagActor(tag, 'add'), ...common });
  for (const tag of removed) audit.record({ action: 'tag.remove', oldValue: tag, ...tagActor(tag, 'remove'), ...common });
  next.tags = [...next.tags.filter((t) => !removed.includes(t)), ...added].sort();

  // The flag is sticky: a later decision that is confident does not clear a
  // review an agent has not done yet; agents clear it with updateFields.
  if (decision.review && !next.review) {
    update.review = true;
    next.review = true;
    audit.record({ actor: setActor, action: 'field.set', field: 'review', oldValue: false, newValue: true, data: { reviewReasons: decision.reviewReasons, confidence: decision.confidence }, ...common });
  }

  next.ruleSetVersion = version;
  next.updatedAt = now;
  update.ruleSetVersion = version;
  update.updatedAt = now;

  const id = timeOrderedUuid();
  const seq = audit.record({
    actor: { type: 'system', id: 'system' },
    action: 'decision',
    data: {
      decisionId: id,
      firedRules: decision.firedRules,
      review: decision.review,
      confidence: decision.confidence,
      actions: decision.actions.map((a) => ({ type: a.type, ruleId: a.ruleId })),
    },
    ...common,
  });
  const record: DecisionRecord = { id, ticketId: ticket.id, event, ruleSetVersion: version, decision, createdAt: now, seq };
  return { ticket: next, record, update, tagsAdded: added, tagsRemoved: removed };
}

/** Ticket field columns hold text; a rule could in principle set a number. */
function columnValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function sameValue(change: FieldChange): boolean {
  return JSON.stringify(change.from ?? null) === JSON.stringify(change.to ?? null);
}

function unique(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t !== ''))];
}
