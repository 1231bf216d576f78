import { maskSecretParams } from './mask-secret-params.js';
import type { OutboxEntry } from './outbox-entry.js';

/**
 * An outbox row as the API and the CLI show it (schemas/http/outbox-entry.schema.json):
 * the entry without its internal bookkeeping, params with secret-looking keys masked.
 */
export type OutboxEntryView = Omit<OutboxEntry, 'attemptsBase' | 'expiredLeaseOwner'>;

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
