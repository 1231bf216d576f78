import { maskSecretParams } from './mask-secret-params.js';
import type { OutboxEntry, OutboxError, OutboxStatus } from './outbox-entry.js';

/** An outbox row as the API and the CLI show it (schemas/http/outbox-entry.schema.json). */
export interface OutboxEntryView {
  id: string;
  idempotencyKey: string;
  ticketId: string;
  decisionId: string;
  ruleId: string;
  ruleSetVersion: string;
  event: string;
  actionIndex: number;
  actionType: string;
  connection: string | null;
  /** Rendered params with secret-looking keys masked. */
  params: Record<string, unknown>;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  leaseOwner: string | null;
  leaseUntil: string | null;
  lastError: OutboxError | null;
  externalId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What leaves the server about a row: params masked, internal bookkeeping (attempt budget, expired leases) left out. */
export function outboxEntryView(entry: OutboxEntry): OutboxEntryView {
  return {
    id: entry.id,
    idempotencyKey: entry.idempotencyKey,
    ticketId: entry.ticketId,
    decisionId: entry.decisionId,
    ruleId: entry.ruleId,
    ruleSetVersion: entry.ruleSetVersion,
    event: entry.event,
    actionIndex: entry.actionIndex,
    actionType: entry.actionType,
    connection: entry.connection,
    params: maskSecretParams(entry.params),
    status: entry.status,
    attempts: entry.attempts,
    nextAttemptAt: entry.nextAttemptAt,
    leaseOwner: entry.leaseOwner,
    leaseUntil: entry.leaseUntil,
    lastError: entry.lastError,
    externalId: entry.externalId,
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
  };
}
