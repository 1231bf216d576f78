import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempSqliteFile } from '../../test/helpers/sqlite.js';
import { createDatabase } from './create-database.js';
import { startSqliteCheckpointer } from './sqlite-checkpointer.js';

async function autoCheckpoint(db: Knex): Promise<number> {
  const rows = (await db.raw('pragma wal_autocheckpoint')) as Array<{ wal_autocheckpoint: number }>;
  return Number(rows[0]?.wal_autocheckpoint);
}

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

describe('startSqliteCheckpointer', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function open(): Promise<{ db: Knex; path: string }> {
    const file = await createTempSqliteFile();
    cleanups.push(file.cleanup);
    const db = await createDatabase({ sqlitePath: file.path });
    cleanups.push(() => db.destroy());
    await db.schema.createTable('cp_rows', (t) => {
      t.integer('n').primary();
      t.text('payload');
    });
    return { db, path: file.path };
  }

  it('checkpoints the log from its own thread while the connection commits without automatic checkpoints', async () => {
    const { db, path } = await open();
    const checkpointer = await startSqliteCheckpointer(db, path, { intervalMs: 20 });
    cleanups.push(() => checkpointer.stop());
    expect(await autoCheckpoint(db)).toBe(0);
    // About 1,500 pages: past the 1,000 at which the connection would have checkpointed by itself.
    for (let batch = 0; batch < 30; batch++) {
      await db.transaction(async (trx) => {
        await trx('cp_rows').insert(Array.from({ length: 50 }, (_, i) => ({ n: batch * 50 + i, payload: 'x'.repeat(4000) })));
      });
    }
    // Everything in the log copied by the thread. Not "a log of more than 1,000 pages": when a checkpoint
    // caught up between two commits, SQLite starts the log over at the next commit, so on a slow machine
    // the last log may hold fewer pages than were written (the CI run of 2026-11-30 waited 45 s for it).
    await expect.poll(() => checkpointer.last !== undefined && checkpointer.last.log > 0 && checkpointer.last.checkpointed === checkpointer.last.log, { timeout: 45_000 }).toBe(true);
    const count = (await db('cp_rows').count({ n: '*' })) as Array<{ n: number }>;
    expect(Number(count[0]?.n)).toBe(1500);
    // Generous: the worker thread starts slowly on a loaded 2-core CI machine; it is a bound, not a timing.
  }, 60_000);

  it('starts the log over once it passes restartFrames, so a steady stream of writes cannot grow it without bound', async () => {
    const { db, path } = await open();
    const checkpointer = await startSqliteCheckpointer(db, path, { intervalMs: 10, restartFrames: 256 });
    cleanups.push(() => checkpointer.stop());
    // About 12,000 pages (48 MiB), written as fast as the writer can.
    let largest = 0;
    for (let batch = 0; batch < 240; batch++) {
      await db.transaction(async (trx) => {
        await trx('cp_rows').insert(Array.from({ length: 50 }, (_, i) => ({ n: batch * 50 + i, payload: 'x'.repeat(4000) })));
      });
      largest = Math.max(largest, statSync(`${path}-wal`).size);
      // Like the group commit between groups: the writer lets go for a moment, long enough for a waiting
      // checkpoint to take the write lock, far too short for a PASSIVE one to copy everything.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const count = (await db('cp_rows').count({ n: '*' })) as Array<{ n: number }>;
    expect(Number(count[0]?.n)).toBe(12_000);
    // Without the restart the log holds every page written (48 MiB and more); with it, the restart size plus
    // what was written while one checkpoint ran. A bound, not a timing: 24 MiB leaves room for a slow machine.
    expect(largest).toBeLessThan(24 * 1024 * 1024);
    expect(checkpointer.restarts).toBeGreaterThan(0);
  }, 120_000);

  it('does not start the log over while a reader holds an old snapshot (that would hold every write back), and does once it let go', async () => {
    const { db, path } = await open();
    const checkpointer = await startSqliteCheckpointer(db, path, { intervalMs: 10, restartFrames: 256 });
    cleanups.push(() => checkpointer.stop());
    const write = async (from: number, batches: number): Promise<void> => {
      for (let batch = from; batch < from + batches; batch++) {
        await db.transaction(async (trx) => {
          await trx('cp_rows').insert(Array.from({ length: 10 }, (_, i) => ({ n: batch * 10 + i, payload: 'x'.repeat(4000) })));
        });
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    };
    // A report in another process: a read transaction on the snapshot before any of the writes below.
    const reader = new Database(path, { readonly: true });
    reader.prepare('begin').run();
    reader.prepare('select count(*) as n from cp_rows').get();
    await write(0, 100);
    const reported = checkpointer.last;
    expect(reported === undefined ? 0 : reported.log).toBeGreaterThan(256);
    expect(checkpointer.restarts).toBe(0);
    reader.prepare('commit').run();
    reader.close();
    await write(100, 100);
    await expect.poll(() => checkpointer.restarts, { timeout: 45_000 }).toBeGreaterThan(0);
  }, 120_000);

  it('reports only a log that changed, and checkpoints less often while nothing does', async () => {
    const { db, path } = await open();
    const checkpointer = await startSqliteCheckpointer(db, path, { intervalMs: 10 });
    cleanups.push(() => checkpointer.stop());
    await expect.poll(() => checkpointer.last, { timeout: 45_000 }).toBeDefined();
    // A second of nothing written: every 10 ms that was a hundred reports, each waking the server's event loop.
    const before = checkpointer.reports;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(checkpointer.reports - before).toBeLessThanOrEqual(1);
    // A write is reported (and copied) again.
    await db('cp_rows').insert({ n: 1, payload: 'x' });
    await expect.poll(() => checkpointer.reports, { timeout: 45_000 }).toBeGreaterThan(before);
    await expect.poll(() => checkpointer.last !== undefined && checkpointer.last.log > 0 && checkpointer.last.checkpointed === checkpointer.last.log, { timeout: 45_000 }).toBe(true);
  }, 60_000);

  it('gives the connection its automatic checkpoints back when it stops', async () => {
    const { db, path } = await open();
    const checkpointer = await startSqliteCheckpointer(db, path, { intervalMs: 20 });
    expect(await autoCheckpoint(db)).toBe(0);
    await checkpointer.stop();
    expect(await autoCheckpoint(db)).toBe(1000);
  });

  it('fails to start, and changes nothing, when the database file is not there', async () => {
    const { db, path } = await open();
    await expect(startSqliteCheckpointer(db, `${path}.missing`, { intervalMs: 20 })).rejects.toThrow();
    expect(await autoCheckpoint(db)).toBe(1000);
  });
});
