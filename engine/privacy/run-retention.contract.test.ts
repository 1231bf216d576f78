/** Retention on SQLite and PostgreSQL: what goes, what stays, what is recorded. */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeDecide } from '../../test/helpers/fake-decide.js';
import { countRows } from '../../test/helpers/row-counts.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import { writeOutboxRows } from '../outbox/outbox-writer.js';
import { createDatabase } from '../store/create-database.js';
import { TicketService } from '../tickets/ticket-service.js';
import { PG_RETENTION_LOCK_KEY, runRetention } from './run-retention.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T12:00:00.000Z');
/** Tables keyed by ticket_id that must hold no row of a deleted ticket. */
const CHILDREN = ['messages', 'ticket_tags', 'decisions', 'audit_events', 'corrections', 'outbox'];

describe.each<StoreKind>(['sqlite', 'postgres'])('retention (%s)', (kind) => {
  let harness: StoreHarness;
  beforeAll(() => {
    harness = createStoreHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  /** Tickets created and closed at chosen days before NOW (the service's clock is moved to each step). */
  async function seed(): Promise<{ db: Knex; ids: Record<string, string> }> {
    const db = await harness.open();
    let clock = NOW;
    const service = new TicketService({ db, decide: createFakeDecide(), now: () => new Date(clock), afterDecision: (ctx) => writeOutboxRows(ctx).then(() => undefined) });
    const agent = { type: 'user' as const, id: 'agent-ola' };
    const ticket = async (name: string, createdDaysAgo: number, closedDaysAgo?: number): Promise<string> => {
      clock = NOW - createdDaysAgo * DAY;
      const t = await service.createTicket({ source: 'api', externalId: name, subject: `Faktura ${name}`, message: { from: `${name}@acme.pl`, text: 'invoice please' }, tags: ['email'] });
      if (closedDaysAgo !== undefined) {
        clock = NOW - closedDaysAgo * DAY - 60_000;
        await service.updateFields(t.ticket.id, { team: 'sales' }, agent); // a correction of the rule's team
        await service.changeStatus(t.ticket.id, 'solved', agent);
        clock = NOW - closedDaysAgo * DAY;
        await service.changeStatus(t.ticket.id, 'closed', agent);
      }
      return t.ticket.id;
    };
    const ids = {
      oldClosed1: await ticket('old1', 90, 40),
      oldClosed2: await ticket('old2', 80, 31),
      recentClosed: await ticket('recent', 60, 29),
      oldOpen: await ticket('open', 120),
    };
    return { db, ids };
  }

  async function leftovers(db: Knex, ticketIds: string[]): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of CHILDREN) out[t] = Number(((await db(t).whereIn('ticket_id', ticketIds).count({ n: '*' }).first()) as { n: unknown }).n);
    return out;
  }

  it('deletes tickets closed more than N days ago with their rows, keeps the rest, records a count-only run', async () => {
    const { db, ids } = await seed();
    const gone = [ids.oldClosed1 ?? '', ids.oldClosed2 ?? ''];
    const before = await leftovers(db, gone);
    expect(Object.values(before).every((n) => n > 0)).toBe(true);

    const result = await runRetention(db, { closedOlderThanDays: 30, actor: 'cli:ops', now: () => new Date(NOW), batchSize: 1 });
    expect(result).toMatchObject({
      status: 'done',
      cutoff: '2026-05-02T12:00:00.000Z',
      closedOlderThanDays: 30,
      counts: { tickets: 2, messages: before.messages, tags: before.ticket_tags, decisions: before.decisions, auditEvents: before.audit_events, other: { corrections: before.corrections, outbox: before.outbox } },
    });
    expect(await leftovers(db, gone)).toEqual(Object.fromEntries(CHILDREN.map((t) => [t, 0])));
    expect(((await db('tickets').select('id').orderBy('id')) as { id: string }[]).map((r) => r.id)).toEqual([ids.recentClosed, ids.oldOpen].sort());
    // Customers are the CRM's and stay; erasure is `gdpr erase`.
    expect(await countRows(db, 'customers')).toBe(1);

    const runs = (await db('retention_runs').select()) as Record<string, unknown>[];
    expect(runs).toEqual([
      expect.objectContaining({ id: 'runId' in result ? result.runId : '', actor: 'cli:ops', closed_older_than_days: 30, cutoff: '2026-05-02T12:00:00.000Z', tickets: 2, messages: before.messages, audit_events: before.audit_events }),
    ]);
    expect(JSON.parse(String(runs[0]?.other))).toEqual({
      corrections: before.corrections,
      outbox: before.outbox,
      enrichment_jobs: 0,
      sla_timers: 0,
      sla_events: 0,
      scheduled_events: 0,
      schedule_tick_tickets: 0,
      csat_responses: 0,
      order_jobs: 0,
    });

    // Nothing left to do: a second run deletes nothing; it is recorded unless asked not to.
    expect(await runRetention(db, { closedOlderThanDays: 30, actor: 'cli:ops', now: () => new Date(NOW) })).toMatchObject({ status: 'done', counts: { tickets: 0 } });
    expect(await runRetention(db, { closedOlderThanDays: 30, actor: 'schedule', now: () => new Date(NOW), recordEmptyRun: false })).toMatchObject({ status: 'done', runId: null });
    expect(await countRows(db, 'retention_runs')).toBe(2);
  });

  it('dry run counts the same and deletes and records nothing', async () => {
    const { db } = await seed();
    const tickets = await countRows(db, 'tickets');
    const dry = await runRetention(db, { closedOlderThanDays: 30, actor: 'cli:ops', dryRun: true, now: () => new Date(NOW) });
    expect(dry).toMatchObject({ status: 'dry-run', runId: null, counts: { tickets: 2 } });
    expect(await countRows(db, 'tickets')).toBe(tickets);
    expect(await countRows(db, 'retention_runs')).toBe(0);
    const real = await runRetention(db, { closedOlderThanDays: 30, actor: 'cli:ops', now: () => new Date(NOW) });
    expect('counts' in real && real.counts).toEqual('counts' in dry && dry.counts);
  });

  it('takes the threshold in whole days, so a shorter period reaches more tickets', async () => {
    const { db } = await seed();
    expect(await runRetention(db, { closedOlderThanDays: 29, actor: 'cli:ops', now: () => new Date(NOW + 1) })).toMatchObject({ counts: { tickets: 3 } });
    await expect(runRetention(db, { closedOlderThanDays: 0, actor: 'cli:ops' })).rejects.toThrow(RangeError);
    await expect(runRetention(db, { closedOlderThanDays: 1.5, actor: 'cli:ops' })).rejects.toThrow(RangeError);
  });

  // Several instances only exist on PostgreSQL (SQLite is one file on one machine).
  if (kind === 'postgres') {
    it('skips while another instance holds the advisory lock, runs once it is free', async () => {
      const db = await harness.open();
      const url = (db.client as { config: { connection: unknown } }).config.connection;
      const other = await createDatabase({ url: typeof url === 'string' ? url : connectionUrl(url) });
      try {
        const holder = await other.transaction();
        await holder.raw('select pg_advisory_xact_lock(?)', [PG_RETENTION_LOCK_KEY]);
        expect(await runRetention(db, { closedOlderThanDays: 30, actor: 'schedule' })).toMatchObject({ status: 'skipped', reason: 'another instance is running retention' });
        await holder.commit();
        expect(await runRetention(db, { closedOlderThanDays: 30, actor: 'schedule' })).toMatchObject({ status: 'done' });
        // Two at once on separate pools: exactly one runs (or both in turn), never an error.
        const both = await Promise.all([runRetention(db, { closedOlderThanDays: 30, actor: 'a' }), runRetention(other, { closedOlderThanDays: 30, actor: 'b' })]);
        expect(both.filter((r) => r.status === 'done').length).toBeGreaterThanOrEqual(1);
      } finally {
        await other.destroy();
      }
    });
  }
});

function connectionUrl(conn: unknown): string {
  const c = conn as { host?: string; port?: number; user?: string; password?: string; database?: string; connectionString?: string };
  if (c.connectionString !== undefined) return c.connectionString;
  const auth = c.user === undefined ? '' : `${encodeURIComponent(c.user)}${c.password ? `:${encodeURIComponent(c.password)}` : ''}@`;
  return `postgres://${auth}${c.host ?? '127.0.0.1'}:${c.port ?? 5432}/${c.database ?? ''}`;
}
