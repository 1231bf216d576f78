import { fromJsonColumn } from '../store/json-column.js';

/**
 * Where a row is in its life:
 * `pending` (due at next_attempt_at) → `in_flight` (claimed under a lease) →
 * `done` | back to `pending` (retry) | `dead` (dead-lettered, with the reason).
 * An operator may `drop` a pending or dead row (kept, never deleted) and
 * `retry` a dead or dropped one.
 */
export const OUTBOX_STATUSES = ['pending', 'in_flight', 'done', 'dead', 'dropped'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export function isOutboxStatus(value: unknown): value is OutboxStatus {
  return typeof value === 'string' && (OUTBOX_STATUSES as readonly string[]).includes(value);
}

/** A coded, secret-free failure as stored on a row and in the attempt log. */
export interface OutboxError {
  code: string;
  message: string;
}

/** One action a decision took, waiting for (or done with) its delivery. */
export interface OutboxEntry {
  id: string;
  /** `${ticketId}:${ruleId}:${event}:${decisionId}:${actionIndex}`; sent to receivers that support one. */
  idempotencyKey: string;
  ticketId: string;
  decisionId: string;
  ruleId: string;
  ruleSetVersion: string;
  event: string;
  actionIndex: number;
  /** The rule action: `<connector>.<operation>` or a built-in (note, reply, …). */
  actionType: string;
  /** The connection a connector operation uses; null for built-in ticket actions. */
  connection: string | null;
  /** Params as rendered at decision time. */
  params: Record<string, unknown>;
  status: OutboxStatus;
  /** Claims so far; a claim counts before the call, so a crash mid-call still uses one up. */
  attempts: number;
  /** `attempts` when an operator last retried the row: the worker's budget counts from there. */
  attemptsBase: number;
  nextAttemptAt: string;
  leaseOwner: string | null;
  leaseUntil: string | null;
  /** The worker whose lease ran out when this claim took the row over (its attempt never reported back). */
  expiredLeaseOwner: string | null;
  lastError: OutboxError | null;
  externalId: string | null;
  createdAt: string;
  updatedAt: string;
}

export type AttemptOutcome = 'ok' | 'retry' | 'dead';

/** One delivery attempt, as recorded in outbox_attempts. */
export interface OutboxAttempt {
  outboxId: string;
  attempt: number;
  workerId: string;
  startedAt: string;
  finishedAt: string;
  outcome: AttemptOutcome;
  error: OutboxError | null;
  httpStatus: number | null;
  retryAfterMs: number | null;
  externalId: string | null;
  detail: string | null;
}

export interface OutboxRow {
  id: string;
  idempotency_key: string;
  ticket_id: string;
  decision_id: string;
  rule_id: string;
  rule_set_version: string;
  event: string;
  action_index: number | string;
  action_type: string;
  connection: string | null;
  params: string;
  status: string;
  attempts: number | string;
  attempts_base: number | string;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  expired_lease_owner: string | null;
  last_error_code: string | null;
  last_error: string | null;
  external_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface OutboxAttemptRow {
  outbox_id: string;
  attempt: number | string;
  worker_id: string;
  started_at: string;
  finished_at: string;
  outcome: string;
  error_code: string | null;
  error_message: string | null;
  http_status: number | string | null;
  retry_after_ms: number | string | null;
  external_id: string | null;
  detail: string | null;
}

export function entryFromRow(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    ticketId: row.ticket_id,
    decisionId: row.decision_id,
    ruleId: row.rule_id,
    ruleSetVersion: row.rule_set_version,
    event: row.event,
    actionIndex: Number(row.action_index),
    actionType: row.action_type,
    connection: row.connection,
    params: fromJsonColumn<Record<string, unknown>>(row.params, {}),
    status: isOutboxStatus(row.status) ? row.status : 'dead',
    attempts: Number(row.attempts),
    attemptsBase: Number(row.attempts_base),
    nextAttemptAt: row.next_attempt_at,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
    expiredLeaseOwner: row.expired_lease_owner,
    lastError: row.last_error_code === null ? null : { code: row.last_error_code, message: row.last_error ?? '' },
    externalId: row.external_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function attemptFromRow(row: OutboxAttemptRow): OutboxAttempt {
  return {
    outboxId: row.outbox_id,
    attempt: Number(row.attempt),
    workerId: row.worker_id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome === 'ok' || row.outcome === 'retry' ? row.outcome : 'dead',
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    httpStatus: row.http_status === null ? null : Number(row.http_status),
    retryAfterMs: row.retry_after_ms === null ? null : Number(row.retry_after_ms),
    externalId: row.external_id,
    detail: row.detail,
  };
}

export function attemptToRow(attempt: OutboxAttempt): OutboxAttemptRow {
  return {
    outbox_id: attempt.outboxId,
    attempt: attempt.attempt,
    worker_id: attempt.workerId,
    started_at: attempt.startedAt,
    finished_at: attempt.finishedAt,
    outcome: attempt.outcome,
    error_code: attempt.error?.code ?? null,
    error_message: attempt.error?.message ?? null,
    http_status: attempt.httpStatus,
    retry_after_ms: attempt.retryAfterMs,
    external_id: attempt.externalId,
    detail: attempt.detail,
  };
}
