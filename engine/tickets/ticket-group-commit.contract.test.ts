/**
 * createTicket with group commit, on both stores (SQLite uses it by default,
 * PostgreSQL opts in): concurrent creates share a transaction, each in its
 * own savepoint; the contract of ticket-service.contract.test.ts still holds.
 * Creates without customer hints do no database work before queueing, so the
 * ones started together are certain to land in one group.
 */
import type { Knex } from 'knex';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../store/create-database.js';
import { migrateToLatest } from '../store/migrate-to-latest.js';
import { countRows } from '../../test/helpers/row-counts.js';
import { createFakeDecide } from '../../test/helpers/fake-decide.js';
import { createTempSqliteFile } from '../../test/helpers/sqlite.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import type { CreateTicketInput } from './ticket-input.js';
import { TicketService, type TicketServiceOptions } from './ticket-service.js';

/** No sender, no customer: nothing to look up before the transaction. */
function plain(externalId: string, subject: string): CreateTicketInput {
  return { source: 'api', externalId, subject, channel: 'api', createdAt: '2025-03-03T07:59:00.000Z', tags: ['t'] };
}

describe.each<StoreKind>(['sqlite', 'postgres'])('createTicket with group commit (%s)', (kind) => {
  let harness: StoreHarness;
  beforeAll(() => {
    harness = createStoreHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  async function setup(options: Partial<TicketServiceOptions> = {}): Promise<{ db: Knex; service: TicketService; groups: number[] }> {
    const db = await harness.open();
    const groups: number[] = [];
    const service = new TicketService({ db, decide: createFakeDecide({ throwOn: /explode/ }), groupCommit: { onGroup: (g) => groups.push(g.size) }, ...options });
    return { db, service, groups };
  }

  it('creates concurrent tickets in one transaction; one that fails rolls back alone (and on SQLite burns no number)', async () => {
    const { db, service, groups } = await setup();
    const results = await Promise.allSettled(['calm 1', 'calm 2', 'please explode', 'calm 3', 'Faktura 4'].map((subject, i) => service.createTicket(plain(`g-${i}`, subject))));
    expect(groups).toEqual([5]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const rejected = results[2];
    expect(rejected?.status === 'rejected' && (rejected.reason as Error).message).toBe('fake rule engine exploded');
    const numbers = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.ticket.number] : []));
    if (kind === 'sqlite') {
      // arrival order, gap-free: the failed one's number went to the next
      expect(numbers).toEqual(['T-000001', 'T-000002', 'T-000003', 'T-000004']);
    } else {
      // PostgreSQL numbers come from a sequence (shared by every instance), which a rollback does not give back:
      // arrival order and unique, with a gap where the failed one's number was.
      expect(numbers).toEqual([...numbers].sort());
      expect(new Set(numbers).size).toBe(4);
      expect(numbers[0]).toBe('T-000001');
    }
    expect(await db('tickets').where({ external_id: 'g-2' })).toEqual([]);
    expect(await countRows(db, 'tickets')).toBe(4);
    expect(await countRows(db, 'ticket_tags')).toBe(5); // four `t`, one `finance` from the invoice rule
    expect(await countRows(db, 'decisions')).toBe(4);
    expect(await countRows(db, 'audit_events')).toBe(4 * 2 + 4); // ticket.create + decision each, and the invoice rule's field.set ×3, tag.add
    // each ticket was inserted as decided, with its own audit trail
    const invoice = results[4]?.status === 'fulfilled' ? results[4].value : undefined;
    expect(invoice?.ticket).toMatchObject({ category: 'invoice', team: 'finance', priority: 'P3', tags: ['finance', 't'] });
    const stored = await service.getTicket(invoice?.ticket.number ?? 'missing');
    expect(stored.ticket).toEqual(invoice?.ticket);
    expect(stored.audit.map((a) => a.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('gives ten deliveries of one item in one group one ticket; the others get it back with created: false', async () => {
    const { db, service, groups } = await setup();
    const results = await Promise.all(Array.from({ length: 10 }, () => service.createTicket(plain('same', 'Faktura race'))));
    expect(groups).toEqual([10]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.ticket.id)).size).toBe(1);
    expect(results.every((r) => r.decision !== null)).toBe(true);
    expect(await countRows(db, 'tickets')).toBe(1);
    expect(await countRows(db, 'decisions')).toBe(1);
    const next = (await service.createTicket(plain('next', 'next'))).ticket.number;
    // SQLite: the losers burned no number; PostgreSQL's sequence moved on for each of them (a gap, never a repeat).
    if (kind === 'sqlite') expect(next).toBe('T-000002');
    else expect(next > (results[0]?.ticket.number ?? '')).toBe(true);
  });

  it('runs afterDecision inside the ticket: it sees its rows, and its failure rolls back that ticket only', async () => {
    const seen: string[] = [];
    const { db, service } = await setup({
      afterDecision: async ({ trx, ticket, decisionId }) => {
        expect(await trx('decisions').where({ id: decisionId }).first()).toBeDefined();
        expect(await trx('tickets').where({ id: ticket.id }).first()).toMatchObject({ number: ticket.number, rule_set_version: ticket.ruleSetVersion });
        seen.push(ticket.subject);
        if (ticket.subject.includes('outbox down')) throw new Error('outbox write failed');
      },
    });
    const results = await Promise.allSettled(['one', 'outbox down', 'two'].map((s, i) => service.createTicket(plain(`h-${i}`, s))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(seen).toEqual(['one', 'outbox down', 'two']);
    expect(((await db('tickets').select('subject').orderBy('number')) as Array<{ subject: string }>).map((r) => r.subject)).toEqual(['one', 'two']);
  });
});

describe('createTicket with group commit: acknowledged means committed (SQLite)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('answers each create only once another connection can read its ticket', async () => {
    const file = await createTempSqliteFile();
    cleanups.push(file.cleanup);
    const db = await createDatabase({ sqlitePath: file.path });
    cleanups.push(() => db.destroy());
    await migrateToLatest(db);
    const reader = await createDatabase({ sqlitePath: file.path });
    cleanups.push(() => reader.destroy());
    const conn = (await reader.client.acquireConnection()) as { prepare(sql: string): { get(...a: unknown[]): { n: number } } };
    cleanups.push(async () => {
      await reader.client.releaseConnection(conn);
    });
    const visible = conn.prepare('select count(*) as n from tickets where external_id = ?');

    const insideTransaction: number[] = [];
    const service = new TicketService({
      db,
      decide: createFakeDecide(),
      afterDecision: ({ ticket }) => {
        insideTransaction.push(visible.get(ticket.externalId).n);
      },
    });
    const atAnswer = await Promise.all(['d-1', 'd-2', 'd-3'].map((id) => service.createTicket(plain(id, 'durable')).then(() => visible.get(id).n)));
    expect(insideTransaction).toEqual([0, 0, 0]);
    expect(atAnswer).toEqual([1, 1, 1]);
  });
});
