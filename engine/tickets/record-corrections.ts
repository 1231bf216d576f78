import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { REVIEW_TAG_RULE_ID } from '../../rules/lib/rule-types.js';
import type { Actor } from './audit-event.js';
import type { Correction } from './correction.js';
import { auditFromRow, correctionToRow, type AuditRow } from './ticket-row.js';

/** An agent's change to a field, with the seq of the audit row that records it. */
export interface AgentFieldChange {
  field: string;
  from: unknown;
  to: unknown;
  auditSeq: number;
}

/** An agent adding or removing one tag, with the seq of its audit row. */
export interface AgentTagChange {
  tag: string;
  action: 'add' | 'remove';
  auditSeq: number;
}

/**
 * R13: write a correction for every change that overrides a value a rule had
 * set. "Set by a rule" means the latest audit row that set the field (or the
 * tag) has a rule as its actor; if an agent or the system changed it since,
 * the rule's value was already gone and there is nothing to correct.
 *
 * Runs in the transaction of the agent's change, before that transaction's
 * own audit rows are flushed (they are not in the table yet), so the trail
 * read here is the one the agent saw. Only user actors correct: a system
 * change (a reopen by a customer message) is not an agent's judgement.
 *
 * The R11 review tag is not a rule's decision about the ticket (it comes from
 * the decision's confidence); removing it is the review itself, not a
 * correction.
 */
export async function recordCorrections(
  trx: Knex.Transaction,
  ticketId: string,
  changes: { fields: readonly AgentFieldChange[]; tags: readonly AgentTagChange[] },
  actor: Actor,
  at: string,
): Promise<Correction[]> {
  if (actor.type !== 'user' || (changes.fields.length === 0 && changes.tags.length === 0)) return [];
  const rows = (await trx('audit_events')
    .where({ ticket_id: ticketId })
    .whereIn('action', ['field.set', 'status.change', 'tag.add', 'tag.remove'])
    .orderBy('seq', 'desc')) as AuditRow[];
  const trail = rows.map(auditFromRow);

  const corrections: Correction[] = [];
  const correction = (field: string, origin: (typeof trail)[number], oldValue: unknown, newValue: unknown, auditSeq: number): Correction => ({
    id: randomUUID(),
    ticketId,
    field,
    ruleId: origin.actorId,
    ruleSetVersion: origin.ruleSetVersion,
    oldValue,
    newValue,
    actor: actor.id,
    at,
    auditSeq,
  });

  for (const change of changes.fields) {
    const origin = trail.find((a) => a.field === change.field && (a.action === 'field.set' || a.action === 'status.change'));
    if (origin?.actorType === 'rule') corrections.push(correction(change.field, origin, change.from, change.to, change.auditSeq));
  }
  for (const change of changes.tags) {
    const origin = trail.find((a) => (a.action === 'tag.add' && a.newValue === change.tag) || (a.action === 'tag.remove' && a.oldValue === change.tag));
    if (origin?.actorType !== 'rule' || origin.actorId === REVIEW_TAG_RULE_ID) continue;
    // Removing a tag a rule added, or adding back a tag a rule removed.
    if (change.action === 'remove' && origin.action === 'tag.add') corrections.push(correction('tags', origin, change.tag, null, change.auditSeq));
    if (change.action === 'add' && origin.action === 'tag.remove') corrections.push(correction('tags', origin, null, change.tag, change.auditSeq));
  }
  if (corrections.length > 0) await trx('corrections').insert(corrections.map(correctionToRow));
  return corrections;
}
