import type { Knex } from 'knex';
import { decide } from '../../rules/lib/evaluate.js';
import type { RuleSet } from '../../rules/lib/rule-set.js';
import type { Decision } from '../../rules/lib/rule-types.js';
import { TriageError } from '../errors/triage-error.js';
import { findTicket } from '../tickets/ticket-queries.js';
import { createdFacts } from './reconstruct-facts.js';
import { loadBatch, outcome, REPLAY_FIELDS, type CreatedRow, type ReplayField } from './replay.js';

/** A stored ticket's `ticket.created` decision, explained again on demand. */
export interface TicketExplanation {
  ticketId: string;
  number: string;
  event: 'ticket.created';
  /** When the stored decision was made (the `now` of the reconstructed facts). */
  decidedAt: string;
  /** The rule-set version that made the stored decision. */
  storedRuleSetVersion: string;
  /** The active rule-set version the explanation was computed with. */
  ruleSetVersion: string;
  /** Compared fields (category, priority, team, review, tags, actions) where the explanation differs from the stored decision. */
  differs: ReplayField[];
  /** The decision of the active rule set on the reconstructed facts, with the trace of every rule and condition. */
  decision: Decision;
}

/**
 * Decisions are stored without their trace (computing one on every create
 * costs the hot path), so this re-evaluates the ticket's `ticket.created`
 * event on the facts replay reconstructs from the stored rows, with the
 * active rule set and explain on. Same limits as replay (docs/governance.md):
 * the CRM facts, order and SLA of that moment are not stored. `differs`
 * says where the result departs from what was stored (a changed rule set,
 * or facts the reconstruction misses). Reads only.
 */
export async function explainTicket(db: Knex, ruleSet: RuleSet, idOrNumber: string): Promise<TicketExplanation> {
  const ticket = await findTicket(db, idOrNumber);
  if (ticket === undefined) throw new TriageError('TRIAGE_TICKET_NOT_FOUND', [idOrNumber]);
  const row = (await db('decisions')
    .select('id', 'ticket_id', 'rule_set_version', 'decision', 'created_at')
    .where({ ticket_id: ticket.id, event: 'ticket.created' })
    .orderBy('seq')
    .first()) as CreatedRow | undefined;
  const item = row === undefined ? undefined : (await loadBatch(db, [row]))[0];
  if (item === undefined) throw new TriageError('TRIAGE_EXPLAIN_NO_DECISION', [ticket.number]);
  const decision = decide(ruleSet, 'ticket.created', createdFacts(item.initial, item.message, item.customer, item.decidedAt), { explain: true });
  const now = outcome(decision, item.initial);
  const stored = outcome(item.stored, item.initial);
  return {
    ticketId: ticket.id,
    number: ticket.number,
    event: 'ticket.created',
    decidedAt: item.decidedAt,
    storedRuleSetVersion: item.storedVersion,
    ruleSetVersion: ruleSet.version,
    differs: REPLAY_FIELDS.filter((f) => now[f].key !== stored[f].key),
    decision,
  };
}
