/**
 * Group commit on the SQLite writer thread (writer-groups.ts): pieces run
 * here, their statements on the thread's own connection; numbers stay
 * unique and gap-free when pieces fail, when deliveries of one item race, and
 * when another process takes numbers meanwhile. Plus what a piece may not do
 * there, and BEGIN IMMEDIATE for the server's own transactions.
 */
import type { Knex } from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { beginImmediate } from '../store/begin-immediate.js';
import { createDatabase } from '../store/create-database.js';
import { migrateToLatest } from '../store/migrate-to-latest.js';
import { SqliteWriter } from '../store/sqlite-writer.js';
import { countRows } from '../../test/helpers/row-counts.js';
import { createFakeDecide } from '../../test/helpers/fake-decide.js';
import { createTempSqliteFile } from '../../test/helpers/sqlite.js';
import { GroupCommit } from './group-commit.js';
import type { CreateTicketInput } from './ticket-input.js';
import { TicketService } from './ticket-service.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function openFile(): Promise<{ db: Knex; path: string }> {
  const file = await createTempSqliteFile();
  cleanups.push(file.cleanup);
  const db = await createDatabase({ sqlitePath: file.path });
  cleanups.push(() => db.destroy());
  await migrateToLatest(db);
  return { db, path: file.path };
}

function plain(externalId: string, subject: string): CreateTicketInput {
  return { source: 'api', externalId, subject, channel: 'api', createdAt: '2025-03-03T07:59:00.000Z', tags: ['t'] };
}

async function writerService(db: Knex, groups: Array<{ size: number; committed: boolean }> = []): Promise<TicketService> {
  const service = new TicketService({ db, decide: createFakeDecide({ throwOn: /explode/ }), groupCommit: { writerThread: true, onGroup: (g) => groups.push(g) } });
  cleanups.push(() => service.close());
  return service;
}

async function numbers(db: Knex): Promise<string[]> {
  return ((await db('tickets').select('number').orderBy('number')) as Array<{ number: string }>).map((r) => r.number);
}

describe('group commit on the SQLite writer thread', () => {
  it('writes the pieces on the thread: a piece that throws here or fails there is alone in failing, and numbers stay gap-free', async () => {
    const { db } = await openFile();
    const groups: Array<{ size: number; committed: boolean }> = [];
    const service = await writerService(db, groups);
    // Stored before: the writer's unique index refuses the second, after its number was taken.
    await service.createTicket(plain('taken', 'first'));
    const commits = service.commits;
    expect(commits?.onWriterThread).toBe(true);
    const results = await Promise.allSettled([
      service.createTicket(plain('w-1', 'calm')),
      service.createTicket(plain('w-2', 'please explode')), // fails here, in decide: its number goes back
      service.createTicket(plain('w-3', 'calm')),
      commits!.run(async (_trx, sql) => {
        // fails there: a duplicate primary key, after the creates before it took numbers
        await sql.run('insert into "counters" ("name", "value") values (?, ?)', ['ticket', 99]);
      }),
      service.createTicket(plain('w-4', 'Faktura')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    const duplicate = results[3];
    expect(duplicate?.status === 'rejected' && (duplicate.reason as { code?: string }).code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    expect(await numbers(db)).toEqual(['T-000001', 'T-000002', 'T-000003', 'T-000004']);
    expect(groups.every((g) => g.committed)).toBe(true);
    const invoice = results[4]?.status === 'fulfilled' ? results[4].value : undefined;
    expect((await service.getTicket(invoice?.ticket.id ?? '')).ticket).toEqual(invoice?.ticket);
  });

  it('gives concurrent deliveries of one item one ticket, the others get it back with created: false', async () => {
    const { db } = await openFile();
    const service = await writerService(db);
    const results = await Promise.all(Array.from({ length: 10 }, () => service.createTicket(plain('same', 'race'))));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.ticket.id)).size).toBe(1);
    expect((await service.createTicket(plain('next', 'next'))).ticket.number).toBe('T-000002');
    expect(await countRows(db, 'tickets')).toBe(2);
  });

  it('runs a create again when another process took its number meanwhile (unique, gap-free)', async () => {
    const { db, path } = await openFile();
    const service = await writerService(db);
    await service.createTicket(plain('a', 'first'));
    // Another process (a CLI import, say) takes number 2 directly in the file.
    const other = await createDatabase({ sqlitePath: path });
    cleanups.push(() => other.destroy());
    const other2 = new TicketService({ db: other, decide: createFakeDecide() });
    await other2.createTicket(plain('b', 'from elsewhere'));
    const created = await Promise.all(['c', 'd', 'e'].map((id) => service.createTicket(plain(id, 'after'))));
    // Unique and gap-free; the one that lost the race and ran again may come after those behind it.
    expect(created.map((r) => r.ticket.number).sort()).toEqual(['T-000003', 'T-000004', 'T-000005']);
    expect(await numbers(db)).toEqual(['T-000001', 'T-000002', 'T-000003', 'T-000004', 'T-000005']);
    // What a caller got is what was stored.
    for (const r of created) expect((await db('tickets').where({ id: r.ticket.id }).first('number')) as unknown).toEqual({ number: r.ticket.number });
  });

  it('commits the pieces queued in one turn of the event loop in one transaction of the writer, even when the writer is idle', async () => {
    const { db } = await openFile();
    const group = new GroupCommit(db, { writerThread: true });
    cleanups.push(() => group.close());
    const insert = (name: string) => group.run(async (_trx, sql) => sql.run('insert into "counters" ("name", "value") values (?, ?)', [name, 1]));
    await insert('start the writer');
    const before = group.writerStats();
    expect(before).toMatchObject({ batches: 1, pieces: 1 });
    // Queued in one turn; the writer has nothing to do, so a piece committed as soon as it arrived would go alone.
    // `batches` counts the writer's transactions.
    await Promise.all(['a', 'b', 'c', 'd'].map(insert));
    expect(group.writerStats()).toMatchObject({ batches: 2, pieces: 5 });
    expect(await countRows(db, 'counters')).toBe(2 + 5);
  });

  it('refuses a piece that reads or uses knex on its transaction, with the reason; its writes never happen', async () => {
    const { db } = await openFile();
    const service = await writerService(db);
    await service.createTicket(plain('x', 'start the writer'));
    const commits = service.commits!;
    await expect(commits.run((_trx, sql) => sql.run('select 1'))).rejects.toThrow(/may only write/);
    await expect(commits.run((_trx, sql) => sql.run('delete from "ticket_tags" returning *'))).rejects.toThrow(/may only write/);
    await expect(
      commits.run(async (trx, sql) => {
        await sql.run('delete from "ticket_tags"');
        await trx('tickets').select('id');
      }),
    ).rejects.toThrow(/cannot run knex queries/);
    expect(await countRows(db, 'ticket_tags')).toBe(1);
  });

  it('tells pieces whether they committed, and answers only after the commit is visible to another connection', async () => {
    const { db, path } = await openFile();
    const group = new GroupCommit(db, { writerThread: true });
    cleanups.push(() => group.close());
    const reader = await createDatabase({ sqlitePath: path });
    cleanups.push(() => reader.destroy());
    const heard: string[] = [];
    const results = await Promise.allSettled(
      ['ok-1', 'ok-1', 'ok-2'].map((tag, i) =>
        group.run(async (_trx, sql, commit) => {
          commit.settled((ok) => heard.push(`${i}:${ok}`));
          await sql.run('insert into "counters" ("name", "value") values (?, ?)', [tag, i]);
        }).then(async () => (await reader('counters').where({ name: tag }).first()) !== undefined),
      ),
    );
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected'))).toEqual([true, 'rejected', true]);
    expect(heard.sort()).toEqual(['0:true', '1:false', '2:true']);
  });

  it('knows a SQL text sent with a statement that never ran (the thread learns a batch\'s texts before running it)', async () => {
    const { db, path } = await openFile();
    const writer = new SqliteWriter(path);
    cleanups.push(() => writer.close());
    const failing = { sql: 'insert into "counters" ("name", "value") values (?, ?)', bindings: ['ticket', 1] }; // the row exists: the piece fails here
    const neverRan = { sql: 'insert into "counters" ("value", "name") values (?, ?)', bindings: [5, 'first-use'] };
    const first = await writer.run([[failing, neverRan]]);
    expect(first).toMatchObject({ ok: true, results: [{ ok: false, error: { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' } }] });
    // The same text again, now sent by number only: it must run.
    const second = await writer.run([[{ sql: neverRan.sql, bindings: [6, 'second-use'] }]]);
    expect(second).toMatchObject({ ok: true, results: [{ ok: true }] });
    expect(((await db('counters').where({ name: 'second-use' }).first('value')) as { value: number }).value).toBe(6);
  });

  it('fails what waits with TRIAGE_STORE_UNAVAILABLE when the writer thread dies, and starts a new one for the next batch', async () => {
    const { db, path } = await openFile();
    const writer = new SqliteWriter(path);
    cleanups.push(() => writer.close());
    const insert = (name: string): Parameters<SqliteWriter['run']>[0] => [[{ sql: 'insert into "counters" ("name", "value") values (?, ?)', bindings: [name, 1] }]];
    await writer.run(insert('before'));
    // A batch the thread never answers: it is stopped mid-way.
    const lost = writer.run(insert('lost'));
    await writer.terminate();
    await expect(lost).rejects.toMatchObject({ code: 'TRIAGE_STORE_UNAVAILABLE' });
    // The next batch gets a new thread (which knows none of the old one's SQL texts: they are sent again).
    expect(await writer.run(insert('after'))).toMatchObject({ ok: true, results: [{ ok: true }] });
    expect(writer.restarts).toBe(1);
    expect(((await db('counters').whereIn('name', ['before', 'after']).select('name')) as Array<{ name: string }>).map((r) => r.name).sort()).toEqual(['after', 'before']);
    // Once closed it stays closed.
    await writer.close();
    await expect(writer.run(insert('closed'))).rejects.toMatchObject({ code: 'TRIAGE_STORE_UNAVAILABLE' });
  });
});

describe('BEGIN IMMEDIATE next to the writer thread', () => {
  /** A transaction on the server's connection that reads, lets the writer thread commit, then writes. */
  async function readThenWrite(immediate: boolean): Promise<void> {
    const { db, path } = await openFile();
    if (immediate) beginImmediate(db);
    const writer = new SqliteWriter(path);
    cleanups.push(() => writer.close());
    await writer.run([]);
    let other: Promise<unknown> = Promise.resolve();
    await db.transaction(async (trx) => {
      await trx('counters').select('value');
      other = writer.run([[{ sql: 'update "counters" set "value" = "value" + 1 where "name" = ?', bindings: ['ticket'] }]]);
      // Long enough for the writer to commit, unless it has to wait for this transaction.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await trx('counters').where({ name: 'ticket' }).increment('value', 10);
    });
    await other;
    expect(((await db('counters').where({ name: 'ticket' }).first('value')) as { value: number }).value).toBe(11);
  }

  it('lets a read-then-write transaction of the server commit while the writer thread writes too', async () => {
    await readThenWrite(true);
  });

  it('(the failure it prevents: a deferred BEGIN loses its snapshot to the writer thread)', async () => {
    await expect(readThenWrite(false)).rejects.toMatchObject({ code: 'SQLITE_BUSY_SNAPSHOT' });
  });
});
