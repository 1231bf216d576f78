/**
 * Group commit on both stores (PostgreSQL opts in; SQLite uses it by default),
 * plus the SQLite-only faults: a COMMIT that fails, a database that is gone.
 */
import type { Knex } from 'knex';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../store/create-database.js';
import { migrateToLatest } from '../store/migrate-to-latest.js';
import type { SqlRunner } from '../store/sql-runner.js';
import { createTempSqliteFile } from '../../test/helpers/sqlite.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import { GroupCommit } from './group-commit.js';

async function withItemsTable(db: Knex): Promise<Knex> {
  await db.schema.createTable('gc_items', (t) => {
    t.text('id').primary();
  });
  return db;
}

const insertItem = (sql: SqlRunner, id: string): Promise<unknown> => sql.run('insert into "gc_items" ("id") values (?)', [id]);

async function items(db: Knex): Promise<string[]> {
  return ((await db('gc_items').select('id').orderBy('id')) as Array<{ id: string }>).map((r) => r.id);
}

describe.each<StoreKind>(['sqlite', 'postgres'])('GroupCommit (%s)', (kind) => {
  let harness: StoreHarness;
  beforeAll(() => {
    harness = createStoreHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('runs work queued together in one transaction, in arrival order; a piece that throws undoes only its own writes', async () => {
    const db = await withItemsTable(await harness.open());
    const groups: Array<{ size: number; committed: boolean }> = [];
    const group = new GroupCommit(db, { onGroup: (g) => groups.push(g) });
    const order: string[] = [];
    const results = await Promise.allSettled([
      group.run(async (_trx, sql) => {
        order.push('a');
        await insertItem(sql, 'a');
        return 'A';
      }),
      // knex queries on the group's transaction belong to the piece's savepoint as well
      group.run(async (trx) => {
        order.push('b');
        await trx('gc_items').insert({ id: 'b' });
        return 'B';
      }),
      group.run(async (_trx, sql) => {
        order.push('c');
        await insertItem(sql, 'c');
        throw new Error('c failed after writing');
      }),
      group.run(async (_trx, sql) => {
        order.push('d');
        await insertItem(sql, 'd');
        return 'D';
      }),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['A', 'B', 'c failed after writing', 'D']);
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    expect(groups).toEqual([{ size: 4, committed: true }]);
    expect(await items(db)).toEqual(['a', 'b', 'd']);
  });

  it('tells each piece whether its own writes committed: a piece rolled back to its savepoint hears false while its group commits', async () => {
    const db = await withItemsTable(await harness.open());
    const heard: string[] = [];
    const group = new GroupCommit(db);
    const results = await Promise.allSettled([
      group.run(async (_trx, sql, commit) => {
        commit.settled((ok) => heard.push(`a:${ok}`));
        await insertItem(sql, 'a');
      }),
      group.run(async (_trx, sql, commit) => {
        commit.settled((ok) => heard.push(`b:${ok}`));
        await insertItem(sql, 'b');
        throw new Error('b failed after writing');
      }),
      group.run(async (_trx, sql, commit) => {
        // A callback that throws keeps neither the others nor the answer from coming.
        commit.settled(() => {
          throw new Error('a careless callback');
        });
        commit.settled((ok) => heard.push(`c:${ok}`));
        await insertItem(sql, 'c');
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // Told before the callers are answered, once each.
    expect(heard).toEqual(['a:true', 'b:false', 'c:true']);
    expect(await items(db)).toEqual(['a', 'c']);
  });

  it('goes on after a piece hit a constraint (the savepoint, not the transaction, is rolled back)', async () => {
    const db = await withItemsTable(await harness.open());
    const group = new GroupCommit(db);
    const results = await Promise.allSettled([
      group.run((_trx, sql) => insertItem(sql, 'x')),
      group.run((_trx, sql) => insertItem(sql, 'x')),
      group.run((_trx, sql) => insertItem(sql, 'y')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await items(db)).toEqual(['x', 'y']);
  });

  it('never grows a group past maxGroupSize', async () => {
    const db = await withItemsTable(await harness.open());
    const sizes: number[] = [];
    const group = new GroupCommit(db, { maxGroupSize: 2, onGroup: (g) => sizes.push(g.size) });
    await Promise.all(['1', '2', '3', '4', '5'].map((id) => group.run((_trx, sql) => insertItem(sql, id))));
    expect(sizes).toEqual([2, 2, 1]);
    expect(await items(db)).toEqual(['1', '2', '3', '4', '5']);
  });
});

describe('GroupCommit on SQLite: durability and faults', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function openFile(): Promise<{ db: Knex; reader: Knex }> {
    const file = await createTempSqliteFile();
    cleanups.push(file.cleanup);
    const db = await withItemsTable(await createDatabase({ sqlitePath: file.path }));
    await migrateToLatest(db);
    cleanups.push(() => db.destroy());
    // A second, independent connection: it sees committed data only.
    const reader = await createDatabase({ sqlitePath: file.path });
    cleanups.push(() => reader.destroy());
    return { db, reader };
  }

  /** Synchronous read on the reader's own connection, so it happens exactly when called. */
  async function syncCount(reader: Knex): Promise<(id: string) => number> {
    const conn = (await reader.client.acquireConnection()) as { prepare(sql: string): { get(...a: unknown[]): { n: number } } };
    cleanups.push(async () => {
      await reader.client.releaseConnection(conn);
    });
    const statement = conn.prepare('select count(*) as n from gc_items where id = ?');
    return (id) => statement.get(id).n;
  }

  it('answers a piece only after COMMIT: when its caller hears back, another connection already sees its row', async () => {
    const { db, reader } = await openFile();
    const count = await syncCount(reader);
    const group = new GroupCommit(db);
    const seenInside: number[] = [];
    const seenAtAnswer: number[] = [];
    await Promise.all(
      ['p', 'q', 'r'].map((id) =>
        group
          .run(async (_trx, sql) => {
            await insertItem(sql, id);
            seenInside.push(count(id));
          })
          .then(() => seenAtAnswer.push(count(id))),
      ),
    );
    expect(seenInside).toEqual([0, 0, 0]);
    expect(seenAtAnswer).toEqual([1, 1, 1]);
  });

  it('fails every piece of a group whose COMMIT fails, keeps none of them, and the next group works', async () => {
    const { db, reader } = await openFile();
    const group = new GroupCommit(db);
    const results = await Promise.allSettled([
      group.run((_trx, sql) => insertItem(sql, 'fine')),
      group.run(async (_trx, sql) => {
        // A deferred foreign key is checked at COMMIT: the piece itself succeeds, the COMMIT does not.
        await sql.run('pragma defer_foreign_keys = on');
        await sql.run('insert into "ticket_tags" ("ticket_id", "tag") values (?, ?)', ['no-such-ticket', 'x']);
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    for (const r of results) expect(r.status === 'rejected' && String(r.reason)).toMatch(/FOREIGN KEY constraint failed/);
    expect(await items(reader)).toEqual([]);
    await group.run((_trx, sql) => insertItem(sql, 'after'));
    expect(await items(reader)).toEqual(['after']);
  });

  /** A WAL flush the test controls: each flush waits for release(), or fails when told to. */
  function heldWalSync(): { factory: (walFile: string) => { sync(): Promise<void> }; files: string[]; flushes: number; release(): void; fail: Error | undefined } {
    const control = {
      files: [] as string[],
      flushes: 0,
      fail: undefined as Error | undefined,
      waiting: [] as Array<() => void>,
      release(): void {
        for (const go of control.waiting.splice(0)) go();
      },
      factory: (walFile: string) => {
        control.files.push(walFile);
        return {
          sync: async (): Promise<void> => {
            control.flushes += 1;
            await new Promise<void>((resolve) => control.waiting.push(resolve));
            if (control.fail !== undefined) throw control.fail;
          },
        };
      },
    };
    return control;
  }

  it('answers a group only after its write-ahead log is flushed, and builds the next group meanwhile', async () => {
    const { db } = await openFile();
    const held = heldWalSync();
    const group = new GroupCommit(db, { walSync: held.factory });
    const answered: string[] = [];
    const first = Promise.all(['a', 'b'].map((id) => group.run((_trx, sql) => insertItem(sql, id)).then(() => answered.push(id))));
    await expect.poll(() => held.flushes).toBe(1);
    // Committed but not yet flushed: nobody has heard back.
    expect(answered).toEqual([]);
    const ranSecond: string[] = [];
    const second = group.run(async (_trx, sql) => {
      ranSecond.push('c');
      await insertItem(sql, 'c');
    });
    await expect.poll(() => ranSecond).toEqual(['c']);
    expect(answered).toEqual([]);
    held.release();
    await first;
    expect(answered.sort()).toEqual(['a', 'b']);
    await expect.poll(() => held.flushes).toBe(2);
    held.release();
    await second;
    expect(held.files[0]).toMatch(/triage\.db-wal$/);
    expect(await items(db)).toEqual(['a', 'b', 'c']);
  });

  it('tells pieces they committed only once the write-ahead log is flushed, and false when the flush or the COMMIT fails', async () => {
    const { db } = await openFile();
    const held = heldWalSync();
    const group = new GroupCommit(db, { walSync: held.factory });
    const heard: string[] = [];
    const first = group.run(async (_trx, sql, commit) => {
      commit.settled((ok) => heard.push(`flushed:${ok}`));
      await insertItem(sql, 'f');
    });
    await expect.poll(() => held.flushes).toBe(1);
    expect(heard).toEqual([]);
    held.release();
    await first;
    expect(heard).toEqual(['flushed:true']);
    held.fail = new Error('EIO: i/o error, fdatasync');
    const second = group.run(async (_trx, sql, commit) => {
      commit.settled((ok) => heard.push(`unflushed:${ok}`));
      await insertItem(sql, 'g');
    });
    await expect.poll(() => held.flushes).toBe(2);
    held.release();
    await expect(second).rejects.toMatchObject({ code: 'TRIAGE_STORE_UNAVAILABLE' });
    expect(heard).toEqual(['flushed:true', 'unflushed:false']);
    const third = group.run(async (_trx, sql, commit) => {
      commit.settled((ok) => heard.push(`commit-failed:${ok}`));
      await sql.run('pragma defer_foreign_keys = on');
      await sql.run('insert into "ticket_tags" ("ticket_id", "tag") values (?, ?)', ['no-such-ticket', 'x']);
    });
    await expect(third).rejects.toThrow(/FOREIGN KEY constraint failed/);
    expect(heard).toEqual(['flushed:true', 'unflushed:false', 'commit-failed:false']);
  });

  it('commits without the in-thread fsync and restores synchronous = FULL after each group', async () => {
    const { db } = await openFile();
    const seen: number[] = [];
    const group = new GroupCommit(db);
    await group.run(async (_trx, sql) => {
      seen.push(Number((await sql.run('pragma synchronous'))[0]?.synchronous));
      await insertItem(sql, 'x');
    });
    const after = (await db.raw('pragma synchronous')) as Array<{ synchronous: number }>;
    expect(seen).toEqual([1]);
    expect(after[0]?.synchronous).toBe(2);
  });

  it('fails every piece of a group whose flush fails with a coded error', async () => {
    const { db } = await openFile();
    const held = heldWalSync();
    held.fail = new Error('EIO: i/o error, fdatasync');
    const group = new GroupCommit(db, { walSync: held.factory });
    const results = Promise.allSettled([group.run((_trx, sql) => insertItem(sql, 'p')), group.run((_trx, sql) => insertItem(sql, 'q'))]);
    await expect.poll(() => held.flushes).toBe(1);
    held.release();
    const settled = await results;
    expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    for (const r of settled) expect(r.status === 'rejected' && (r.reason as { code?: string }).code).toBe('TRIAGE_STORE_UNAVAILABLE');
  });

  it('does not flush for a database whose owner chose synchronous = NORMAL', async () => {
    const { db } = await openFile();
    await db.raw('pragma synchronous = NORMAL');
    const held = heldWalSync();
    const group = new GroupCommit(db, { walSync: held.factory });
    await group.run((_trx, sql) => insertItem(sql, 'n'));
    expect(held.files).toEqual([]);
    const after = (await db.raw('pragma synchronous')) as Array<{ synchronous: number }>;
    expect(after[0]?.synchronous).toBe(1);
  });

  it('fails waiting work when no transaction can begin, instead of retrying it forever', async () => {
    const { db } = await openFile();
    const group = new GroupCommit(db);
    await db.destroy();
    await expect(group.run((_trx, sql) => insertItem(sql, 'late'))).rejects.toThrow();
  });
});
