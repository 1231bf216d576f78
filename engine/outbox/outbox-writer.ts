import { timeOrderedUuid } from '../store/time-ordered-uuid.js';
import type { Knex } from 'knex';
import type { Decision } from '../../rules/lib/rule-types.js';
import { toJsonColumn } from '../store/json-column.js';
import { insertRows, type SqlRunner } from '../store/sql-runner.js';
import { connectorTarget } from './outbox-action.js';
import type { CommitHooks } from '../tickets/group-commit.js';
import { attemptToRow, entryFromRow, type OutboxAttempt, type OutboxEntry, type OutboxRow } from './outbox-entry.js';
import type { OutboxAttemptAtWrite, OutboxLease } from './outbox-worker.js';
import { outboxIdempotencyKey } from './outbox-idempotency-key.js';

/** The part of TicketService's AfterDecisionContext the outbox needs. */
export interface DecisionToDispatch {
  trx: Knex.Transaction;
  /** The transaction's plain-SQL runner, when the caller has one (the create path's, without knex's overhead). */
  sql?: SqlRunner;
  ticket: { id: string; updatedAt: string };
  decision: Decision;
  decisionId: string;
  /**
   * When the decision's writes are committed or rolled back (the create
   * path); with it and `adopt`, rows are handed straight to the worker.
   */
  commit?: CommitHooks;
}

/** The worker side of the hand-off at write time (OutboxWorker.lease / adopt / preflight). */
export interface OutboxAdopter {
  lease(count: number): OutboxLease | undefined;
  adopt(lease: OutboxLease, entries: readonly OutboxEntry[] | undefined): void;
  /** A row that cannot run: written dead with this attempt instead of handed over. */
  preflight?(actionType: string, params: Record<string, unknown>): OutboxAttemptAtWrite | undefined;
  /** Rows dead-lettered at write time whose transaction committed (metrics). */
  recordedAtWrite?(entries: readonly OutboxEntry[], attempts: readonly OutboxAttempt[]): void;
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
  /**
   * The in-process worker, to hand new rows to at write time: rows are
   * written in flight under its lease and given to it after COMMIT, which
   * saves the claim (a statement and a commit) per batch and the wait for
   * the next round. Used only where the decision says when it commits
   * (`commit`); a row whose hand-off is lost (crash, shutdown) is claimed
   * again when its lease runs out, like any in-flight row.
   */
  adopt?: OutboxAdopter;
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
    id: timeOrderedUuid(),
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
  const dead = input.commit === undefined || options.adopt === undefined ? [] : deadAtWrite(rows, input.decision, options.adopt);
  const runnable = dead.length === 0 ? rows : rows.filter((row) => row.status !== 'dead');
  const lease = input.commit === undefined || runnable.length === 0 ? undefined : options.adopt?.lease(runnable.length);
  const leased = lease === undefined ? [] : runnable.slice(0, lease.count);
  if (dead.length > 0 && input.commit !== undefined && options.adopt?.recordedAtWrite !== undefined) {
    const adopter = options.adopt;
    input.commit.settled((committed) => {
      if (committed) adopter.recordedAtWrite?.(dead.map((d) => entryFromRow(d.row)), dead.map((d) => d.attempt));
    });
  }
  if (lease !== undefined && input.commit !== undefined && options.adopt !== undefined) {
    for (const row of leased) {
      // As a claim would leave it: in flight, first attempt under way.
      row.status = 'in_flight';
      row.lease_owner = lease.workerId;
      row.lease_until = lease.leaseUntil;
      row.attempts = 1;
    }
    // Registered before the INSERT: a failed INSERT rolls the piece back, and the lease must be given back then too.
    const adopter = options.adopt;
    input.commit.settled((committed) => adopter.adopt(lease, committed ? leased.map(entryFromRow) : undefined));
  }
  // Leased rows must not be skipped on a key clash (the worker would carry out a row it does not hold);
  // a new decision's keys are new, so the clash cannot happen there, and it would fail loudly if it did.
  const ignoreConflicts = leased.length === 0 && dead.length === 0;
  if (input.sql !== undefined) await insertRows(input.sql, 'outbox', rows as unknown as Array<Record<string, unknown>>, ignoreConflicts ? { ignoreConflictOn: 'idempotency_key' } : {});
  else if (ignoreConflicts) await input.trx('outbox').insert(rows).onConflict('idempotency_key').ignore();
  else await input.trx('outbox').insert(rows);
  if (dead.length > 0) {
    // Only where a commit hook exists (input.commit), i.e. the create path, which always has its SQL runner.
    const attemptRows = dead.map((d) => attemptToRow(d.attempt)) as unknown as Array<Record<string, unknown>>;
    if (input.sql !== undefined) await insertRows(input.sql, 'outbox_attempts', attemptRows);
    else await input.trx('outbox_attempts').insert(attemptRows);
  }
  const onCommitted = options.onCommitted;
  if (onCommitted !== undefined && leased.length < runnable.length) {
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

/**
 * Rows the worker says cannot run (OutboxWorker.preflight: no handler, no
 * mail connection), turned into what its first attempt would have left: dead,
 * one attempt, the coded reason. Changes those rows in place.
 */
function deadAtWrite(rows: OutboxRow[], decision: Decision, adopter: OutboxAdopter): Array<{ row: OutboxRow; attempt: OutboxAttempt }> {
  if (adopter.preflight === undefined) return [];
  const dead: Array<{ row: OutboxRow; attempt: OutboxAttempt }> = [];
  rows.forEach((row, i) => {
    const action = decision.actions[i];
    const verdict = action === undefined ? undefined : adopter.preflight?.(action.type, action.params);
    if (verdict === undefined) return;
    row.status = 'dead';
    row.attempts = 1;
    row.last_error_code = verdict.error.code;
    row.last_error = verdict.error.message;
    dead.push({ row, attempt: deadAttempt(row.id, verdict) });
  });
  return dead;
}

function deadAttempt(outboxId: string, verdict: OutboxAttemptAtWrite): OutboxAttempt {
  return {
    outboxId,
    attempt: 1,
    workerId: verdict.workerId,
    startedAt: verdict.at,
    finishedAt: verdict.at,
    outcome: 'dead',
    error: verdict.error,
    httpStatus: null,
    retryAfterMs: null,
    externalId: null,
    detail: null,
  };
}
