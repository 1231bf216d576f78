/**
 * Scheduled automations on both stores: followUp → durable row (once per
 * outbox row, also when delivered twice) → the sweeper raises
 * `schedule.<name>` exactly once, also with two sweepers racing; cron ticks
 * raise on each selected ticket once per tick, across sweepers and restarts.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileRuleSet } from '../../rules/lib/load-rule-set.js';
import type { RuleSet } from '../../rules/lib/rule-set.js';
import { OutboxWorker } from '../outbox/outbox-worker.js';
import { writeOutboxRows } from '../outbox/outbox-writer.js';
import { ruleSetDecide } from '../tickets/rule-set-decide.js';
import { TicketService } from '../tickets/ticket-service.js';
import { VirtualClock } from '../../test/helpers/outbox-fixture.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import { AutomationSweeper } from './automation-sweeper.js';
import { followUpHandler } from './follow-up-handler.js';
import { ScheduledEventStore } from './scheduled-event-store.js';

const RULES = `
schedules:
  - name: nightly
    cron: "0 2 * * *"
    timezone: Europe/Warsaw
    tickets: { status: [open], category: [invoice] }
  - name: unused
    cron: "*/5 * * * *"
rules:
  - id: plan
    on: [ticket.created]
    when:
      all:
        - { fact: ticket, path: subject, operator: containsAnyWord, value: [remind] }
    then:
      - followUp: { after: 5d, name: remind }
  - id: remind
    on: [schedule.remind]
    then:
      - note: { text: "reminder for {{ticket.number}}" }
  - id: nightly
    on: [schedule.nightly]
    then:
      - note: { text: "nightly" }
`;

function ruleSet(): RuleSet {
  const result = compileRuleSet([{ path: 'auto.yaml', text: RULES }]);
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n'));
  return result.ruleSet;
}

describe.each<StoreKind>(['sqlite', 'postgres'])('automation sweeper (%s)', (kind) => {
  let harness: StoreHarness;
  const rules = ruleSet();

  beforeAll(() => {
    harness = createStoreHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  async function setup(): Promise<{ db: Knex; clock: VirtualClock; tickets: TicketService; worker: OutboxWorker; sweeper: (now?: () => Date) => AutomationSweeper }> {
    const db = await harness.open();
    const clock = new VirtualClock('2026-03-02T09:00:00.000Z');
    const tickets = new TicketService({ db, decide: ruleSetDecide(() => rules), now: clock.now, afterDecision: async (ctx) => void (await writeOutboxRows(ctx, {})) });
    const worker = new OutboxWorker({ db, workerId: 'w1', now: clock.now, handlers: { followUp: followUpHandler(db, clock.now) } });
    const sweeper = (now: () => Date = clock.now): AutomationSweeper => new AutomationSweeper({ db, tickets, ruleSet: () => rules, now, batchSize: 2 });
    return { db, clock, tickets, worker, sweeper };
  }

  async function decisionsOf(db: Knex, ticketId: string, event: string): Promise<number> {
    const row = (await db('decisions').where({ ticket_id: ticketId, event }).count({ n: '*' }).first()) as { n: number | string };
    return Number(row.n);
  }

  it('a followUp row is scheduled once per outbox row, due at decision time + after, and raised once when due', async () => {
    const { db, clock, tickets, worker, sweeper } = await setup();
    const { ticket } = await tickets.createTicket({ source: 'api', externalId: 'f-1', subject: 'please remind me' });
    await worker.runOnce();
    const store = new ScheduledEventStore(db);
    const [row] = await store.list({ ticketId: ticket.id });
    expect(row).toMatchObject({ event: 'schedule.remind', status: 'pending', dueAt: '2026-03-07T09:00:00.000Z', ruleId: 'plan' });

    // A repeated delivery of the same outbox row (crash after the call) finds the row.
    const outboxRow = (await db('outbox').where({ ticket_id: ticket.id, action_type: 'followUp' }).first()) as { idempotency_key: string; created_at: string; rule_id: string };
    const again = await followUpHandler(db)({
      entry: { ticketId: ticket.id, idempotencyKey: outboxRow.idempotency_key, createdAt: outboxRow.created_at, ruleId: 'plan', params: { after: '5d', name: 'remind' } } as never,
      signal: new AbortController().signal,
    });
    expect(again.detail).toContain('already scheduled');
    expect(await store.list({ ticketId: ticket.id })).toHaveLength(1);

    // Not due yet: nothing happens.
    clock.set('2026-03-07T08:59:59.000Z');
    expect(await sweeper().sweepOnce()).toMatchObject({ raised: 0 });
    clock.set('2026-03-07T09:00:00.000Z');
    expect(await sweeper().sweepOnce()).toMatchObject({ raised: 1 });
    expect(await decisionsOf(db, ticket.id, 'schedule.remind')).toBe(1);
    expect((await store.get(row?.id ?? ''))).toMatchObject({ status: 'done', doneAt: '2026-03-07T09:00:00.000Z' });
    // The reminder's action is in the outbox.
    const notes = (await db('outbox').where({ ticket_id: ticket.id, action_type: 'note', event: 'schedule.remind' })) as unknown[];
    expect(notes).toHaveLength(1);
    // A later sweep (or a restart) raises nothing again.
    clock.advance(86_400_000);
    expect(await sweeper().sweepOnce()).toMatchObject({ raised: 0, duplicates: 0 });
    expect(await decisionsOf(db, ticket.id, 'schedule.remind')).toBe(1);
  });

  it('a followUp row with params no rule file could have is refused with a coded error, nothing scheduled', async () => {
    const { db } = await setup();
    const handler = followUpHandler(db);
    const entry = (params: Record<string, unknown>): never => ({ ticketId: 't', idempotencyKey: `k-${JSON.stringify(params)}`, createdAt: '2026-03-02T09:00:00.000Z', ruleId: 'r', params }) as never;
    for (const params of [{ after: '5 days', name: 'x' }, { after: '0d', name: 'x' }, { name: 'x' }, { after: '5d', name: 'Bad Name' }, { after: '5d' }]) {
      await expect(handler({ entry: entry(params), signal: new AbortController().signal })).rejects.toMatchObject({ code: 'TRIAGE_SCHEDULE_BAD_PARAMS' });
    }
    expect(await db('scheduled_events')).toHaveLength(0);
  });

  it('two sweepers racing over the same due rows raise each event exactly once', async () => {
    const { db, clock, tickets, worker, sweeper } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await tickets.createTicket({ source: 'api', externalId: `race-${i}`, subject: `remind ${i}` })).ticket.id);
    await worker.runOnce();
    clock.set('2026-03-08T00:00:00.000Z');
    const [a, b] = await Promise.all([sweeper().sweepOnce(), sweeper().sweepOnce()]);
    expect((a?.raised ?? 0) + (b?.raised ?? 0)).toBe(7);
    for (const id of ids) expect(await decisionsOf(db, id, 'schedule.remind')).toBe(1);
  });

  it('a claimed row whose lease ran out is raised by the next sweep; a row already done rolls the second decision back', async () => {
    const { db, clock, tickets, worker, sweeper } = await setup();
    const { ticket } = await tickets.createTicket({ source: 'api', externalId: 'lease-1', subject: 'remind' });
    await worker.runOnce();
    const store = new ScheduledEventStore(db);
    clock.set('2026-03-08T00:00:00.000Z');
    // A sweeper claims and dies before raising (the claim alone).
    const [claimed] = await store.claimDue(clock.iso(), '2026-03-08T00:01:00.000Z', 10);
    expect(claimed?.ticketId).toBe(ticket.id);
    expect(await sweeper().sweepOnce()).toMatchObject({ raised: 0 });
    clock.set('2026-03-08T00:01:00.000Z');
    expect(await sweeper().sweepOnce()).toMatchObject({ raised: 1 });
    // The dead sweeper comes back and tries to raise its claimed row: rolled back.
    const late = new AutomationSweeper({ db, tickets, ruleSet: () => rules, now: clock.now });
    const raise = (late as unknown as { raiseFollowUp(row: unknown, now: string): Promise<string> }).raiseFollowUp.bind(late);
    expect(await raise(claimed, clock.iso())).toBe('duplicates');
    expect(await decisionsOf(db, ticket.id, 'schedule.remind')).toBe(1);
  });

  it('rules that fail are retried after the lease and marked dead after the last attempt; an erased ticket drops its row', async () => {
    const { db, clock, tickets, worker } = await setup();
    const { ticket } = await tickets.createTicket({ source: 'api', externalId: 'broken-1', subject: 'remind broken' });
    const { ticket: gone } = await tickets.createTicket({ source: 'api', externalId: 'gone-1', subject: 'remind gone' });
    await worker.runOnce();
    await db('tickets').where({ id: gone.id }).update({ status: 'open' });
    // Simulate an erased ticket: its scheduled row points nowhere.
    await db('scheduled_events').where({ ticket_id: gone.id }).update({ ticket_id: 'no-such-ticket' });
    // The fault: raising on this ticket fails (e.g. the database refused the decision).
    const faulty = { raiseEvent: (id: string, event: string, options?: Parameters<TicketService['raiseEvent']>[2]) => (id === ticket.id ? Promise.reject(new Error('the decision could not be stored')) : tickets.raiseEvent(id, event, options)) };
    const sweeper = new AutomationSweeper({ db, tickets: faulty, ruleSet: () => rules, now: clock.now, maxAttempts: 2, leaseMs: 1000 });
    clock.set('2026-03-08T00:00:00.000Z');
    expect(await sweeper.sweepOnce()).toMatchObject({ failed: 1, dropped: 1 });
    const store = new ScheduledEventStore(db);
    const [row] = await store.list({ ticketId: ticket.id });
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row?.lastError).toBe(`Raising schedule.remind on ticket ${ticket.id} failed: the decision could not be stored`);
    clock.advance(1000);
    expect(await sweeper.sweepOnce()).toMatchObject({ failed: 1 });
    expect((await store.list({ ticketId: ticket.id }))[0]).toMatchObject({ status: 'dead', attempts: 2 });
    expect((await store.list({ ticketId: 'no-such-ticket' }))[0]?.lastError).toContain('no longer exists');
    // An operator retry makes it due again.
    expect(await store.retry(row?.id ?? '', clock.iso())).toBe(true);
    expect((await store.get(row?.id ?? ''))?.status).toBe('pending');
  });

  it('a cron tick raises on each selected ticket once, in batches, across sweepers and restarts', async () => {
    const { db, clock, tickets, sweeper } = await setup();
    const selected: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { ticket } = await tickets.createTicket({ source: 'api', externalId: `inv-${i}`, subject: `invoice ${i}`, fields: { category: 'invoice' } });
      await tickets.changeStatus(ticket.id, 'open', { type: 'user', id: 'agent' });
      selected.push(ticket.id);
    }
    const { ticket: other } = await tickets.createTicket({ source: 'api', externalId: 'other', subject: 'other', fields: { category: 'complaint' } });
    await tickets.changeStatus(other.id, 'open', { type: 'user', id: 'agent' });
    const { ticket: fresh } = await tickets.createTicket({ source: 'api', externalId: 'new-invoice', subject: 'new', fields: { category: 'invoice' } });

    // 02:00 Warsaw = 01:00 UTC in March (before DST). Before it, the last tick (the day before) is older than... within catch-up: it runs.
    clock.set('2026-03-03T00:30:00.000Z');
    const first = await Promise.all([sweeper().sweepOnce(), sweeper().sweepOnce()]);
    expect(first.reduce((n, s) => n + s.tickTickets, 0)).toBe(5);
    for (const id of selected) expect(await decisionsOf(db, id, 'schedule.nightly')).toBe(1);
    expect(await decisionsOf(db, other.id, 'schedule.nightly')).toBe(0);
    expect(await decisionsOf(db, fresh.id, 'schedule.nightly')).toBe(0);
    const tick = (await db('schedule_ticks').where({ schedule: 'nightly' })) as { tick_at: string; status: string; raised: number | string }[];
    expect(tick).toMatchObject([{ tick_at: '2026-03-02T01:00:00.000Z', status: 'done' }]);
    expect(Number(tick[0]?.raised)).toBe(5);
    // The unused schedule has no rules: its tick is done without touching a ticket.
    expect(await db('schedule_tick_tickets').where({ schedule: 'unused' })).toHaveLength(0);

    // Same tick again (restart): nothing.
    expect((await sweeper().sweepOnce()).tickTickets).toBe(0);
    // The next tick runs again.
    clock.set('2026-03-03T01:00:00.000Z');
    expect((await sweeper().sweepOnce()).tickTickets).toBe(5);
    for (const id of selected) expect(await decisionsOf(db, id, 'schedule.nightly')).toBe(2);
  });

  it('an unfinished tick continues at its cursor; a (tick, ticket) already raised is skipped', async () => {
    const { db, clock, tickets } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { ticket } = await tickets.createTicket({ source: 'api', externalId: `c-${i}`, subject: `invoice ${i}`, fields: { category: 'invoice' } });
      await tickets.changeStatus(ticket.id, 'open', { type: 'user', id: 'agent' });
      ids.push(ticket.id);
    }
    ids.sort();
    clock.set('2026-03-03T01:00:00.000Z');
    // One batch of 2 per sweep: three sweeps finish the tick.
    const sweeper = new AutomationSweeper({ db, tickets, ruleSet: () => rules, now: clock.now, batchSize: 2, maxTickBatches: 1 });
    // A crash after raising on the first ticket but before the cursor moved.
    await tickets.raiseEvent(ids[0] ?? '', 'schedule.nightly', { within: async (trx) => void (await trx('schedule_tick_tickets').insert({ schedule: 'nightly', tick_at: '2026-03-03T01:00:00.000Z', ticket_id: ids[0] })) });
    expect((await sweeper.sweepOnce()).tickTickets).toBe(1);
    expect((await db('schedule_ticks').where({ schedule: 'nightly' }).first())?.status).toBe('running');
    expect((await sweeper.sweepOnce()).tickTickets).toBe(2);
    expect((await sweeper.sweepOnce()).tickTickets).toBe(1);
    expect((await db('schedule_ticks').where({ schedule: 'nightly' }).first())?.status).toBe('done');
    for (const id of ids) expect(await decisionsOf(db, id, 'schedule.nightly')).toBe(1);
  });

  it('a tick missed for longer than catchUpMs is skipped', async () => {
    const { db, clock, tickets } = await setup();
    const { ticket } = await tickets.createTicket({ source: 'api', externalId: 'late', subject: 'invoice', fields: { category: 'invoice' } });
    await tickets.changeStatus(ticket.id, 'open', { type: 'user', id: 'agent' });
    clock.set('2026-03-03T04:00:00.000Z');
    const sweeper = new AutomationSweeper({ db, tickets, ruleSet: () => rules, now: clock.now, catchUpMs: 3_600_000 });
    await sweeper.sweepOnce();
    expect(await db('schedule_ticks').where({ schedule: 'nightly' })).toHaveLength(0);
    expect(await decisionsOf(db, ticket.id, 'schedule.nightly')).toBe(0);
  });
});
