import type { Knex } from 'knex';
import { TriageError } from '../errors/triage-error.js';
import type { OutboxHandler } from '../outbox/outbox-handler.js';
import { toIsoUtc } from '../store/iso-time.js';
import { followUpDelayMs } from './follow-up-duration.js';
import { ScheduledEventStore } from './scheduled-event-store.js';

const NAME = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * `followUp: { after, name }` writes a durable row: raise `schedule.<name>`
 * on the ticket at decision time + `after` (not delivery time, so a delivery
 * that waited or was retried does not push the event later). The row is keyed
 * by the outbox row's idempotency key, so a repeated delivery after a crash
 * finds the row the first one wrote and schedules nothing twice. The sweeper
 * (automation-sweeper.ts) raises it when due.
 */
export function followUpHandler(db: Knex, clock: () => Date = () => new Date()): OutboxHandler {
  const store = new ScheduledEventStore(db);
  return async ({ entry }) => {
    const { after, name } = entry.params;
    const delay = followUpDelayMs(after);
    if (delay === undefined) throw new TriageError('TRIAGE_SCHEDULE_BAD_PARAMS', [`after "${String(after)}" is not a duration such as 30m, 4h, 5d or 2w`]);
    if (typeof name !== 'string' || !NAME.test(name)) throw new TriageError('TRIAGE_SCHEDULE_BAD_PARAMS', [`name "${String(name)}" is not a schedule name`]);
    const dueAt = toIsoUtc(Date.parse(entry.createdAt) + delay);
    if (dueAt === undefined) throw new TriageError('TRIAGE_SCHEDULE_BAD_PARAMS', [`the due time of ${after} after ${entry.createdAt} is out of range`]);
    const now = toIsoUtc(clock()) ?? dueAt;
    const { event, created } = await store.schedule({ sourceKey: `outbox:${entry.idempotencyKey}`, ticketId: entry.ticketId, event: `schedule.${name}`, ruleId: entry.ruleId, dueAt }, now);
    return { externalId: event.id, detail: created ? `schedule.${name} due at ${event.dueAt}` : `schedule.${name} was already scheduled for ${event.dueAt}` };
  };
}
