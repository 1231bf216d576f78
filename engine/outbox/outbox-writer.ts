import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Decision } from '../../rules/lib/rule-types.js';
import { toJsonColumn } from '../store/json-column.js';
import { insertRows, type SqlRunner } from '../store/sql-runner.js';
import { connectorTarget } from './outbox-action.js';
import type { OutboxRow } from './outbox-entry.js';
import { outboxIdempotencyKey } from './outbox-idempotency-key.js';

/** The part of TicketService's AfterDecisionContext the outbox needs. */
export interface DecisionToDispatch {
  trx: Knex.Transaction;
  /** The transaction's plain-SQL runner, when the caller has one (the create path's, without knex's overhead). */
  sql?: SqlRunner;
  ticket: { id: string; updatedAt: string };
  decision: Decision;
  decisionId: string;
}

export interface OutboxWriterOptions {
  /** Called once the decision's transaction has committed with new rows (wakes an in-process worker). */
  onCommitted?: () => void;
  /**
   * The connection a connector action will use, for display (the worker
   * resolves it again at dispatch); default: the `connection` param. Must be
   * CPU only: it runs inside the decision's transaction.
   */
  resolveConnection?: (actionType: string, params: Record<string, unknown>) => string | undefined;
}

/**
 * The rows for a decision: one per action, connector operations
 * (`<connector>.<op>`) and built-in ticket actions (note, reply, …) alike, so
 * no decided action is silently forgotten. Times are the decision's own
 * (the ticket's updatedAt after applying it), so rows share the service's
 * clock.
 */
export function outboxRowsFor(input: Omit<DecisionToDispatch, 'trx' | 'sql'>, options: Pick<OutboxWriterOptions, 'resolveConnection'> = {}): OutboxRow[] {
  const { ticket, decision, decisionId } = input;
  const now = ticket.updatedAt;
  const connectionOf = options.resolveConnection ?? ((type: string, params: Record<string, unknown>) => connectorTarget(type, params)?.requested);
  return decision.actions.map((action) => ({
    id: randomUUID(),
    idempotency_key: outboxIdempotencyKey({ ticketId: ticket.id, ruleId: action.ruleId, event: decision.event, decisionId, actionIndex: action.index }),
    ticket_id: ticket.id,
    decision_id: decisionId,
    rule_id: action.ruleId,
    rule_set_version: decision.ruleSetVersion,
    event: decision.event,
    action_index: action.index,
    action_type: action.type,
    connection: connectionOf(action.type, action.params) ?? null,
    params: toJsonColumn(action.params) ?? '{}',
    status: 'pending',
    attempts: 0,
    attempts_base: 0,
    next_attempt_at: now,
    lease_owner: null,
    lease_until: null,
    expired_lease_owner: null,
    last_error_code: null,
    last_error: null,
    external_id: null,
    created_at: now,
    updated_at: now,
  }));
}

/**
 * Write a decision's outbox rows inside the decision's transaction
 * (TicketService `afterDecision`): they commit or roll back with it, so an
 * action is never lost after a decision nor sent for a decision that was
 * rolled back. The unique idempotency key makes a second write of the same
 * decision a no-op. Returns the number of actions.
 */
export async function writeOutboxRows(input: DecisionToDispatch, options: OutboxWriterOptions = {}): Promise<number> {
  const rows = outboxRowsFor(input, options);
  if (rows.length === 0) return 0;
  if (input.sql !== undefined) await insertRows(input.sql, 'outbox', rows as unknown as Array<Record<string, unknown>>, { ignoreConflictOn: 'idempotency_key' });
  else await input.trx('outbox').insert(rows).onConflict('idempotency_key').ignore();
  const onCommitted = options.onCommitted;
  if (onCommitted !== undefined) {
    // After commit, not now: a worker woken before the commit would find nothing.
    input.trx.executionPromise.then(
      () => {
        try {
          onCommitted();
        } catch {
          // Waking a worker is an optimisation; it polls anyway.
        }
      },
      () => undefined,
    );
  }
  return rows.length;
}
