/**
 * SqliteWriter on its own: a batch travels as flat arrays (sqlite-writer-protocol.ts), so the thread must
 * find each statement's text and values again, also past a piece that failed half-way, and with texts
 * sent by value once the table of numbers is full.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempSqliteFile } from '../../test/helpers/sqlite.js';
import { SqliteWriter } from './sqlite-writer.js';
import type { WriterReply, WriterStatement } from './sqlite-writer-protocol.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function writerOn(options: { autocheckpoint?: number; openWaitMs?: number } = {}): Promise<{ writer: SqliteWriter; rows: () => unknown[]; logFrames: () => number; db: Database.Database }> {
  const file = await createTempSqliteFile();
  cleanups.push(file.cleanup);
  const db = new Database(file.path);
  db.pragma('journal_mode = WAL');
  db.exec('create table t (k text primary key, a text, b integer); create table c (name text primary key, value integer); insert into c values (\'n\', 0)');
  cleanups.push(async () => {
    db.close();
  });
  const writer = new SqliteWriter(file.path, options);
  cleanups.push(() => writer.close());
  return {
    writer,
    db,
    rows: () => db.prepare('select k, a, b from t order by k').all(),
    // Frames in the log now (a PASSIVE checkpoint reports them before copying).
    logFrames: () => Number((db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0]?.log),
  };
}

const insert = (k: string, a: string | null, b: number | null) => ({ sql: 'insert into t (k, a, b) values (?, ?, ?)', bindings: [k, a, b] });

/**
 * Batches that wait together: a warm-up batch (the thread starts), then the
 * test's connection holds the write lock, so the thread takes `first` and
 * waits for the lock while `rest` arrive and queue up behind it. The lock is
 * let go and every answer returned, `first`'s first.
 */
async function queuedBehindLock(writer: SqliteWriter, db: Database.Database, first: WriterStatement[][], rest: WriterStatement[][][]): Promise<WriterReply[]> {
  expect((await writer.run([[insert('w', 'warm', 0)]])).ok).toBe(true);
  db.exec('begin immediate');
  const taken = writer.run(first);
  // Time for the thread to take the first batch before the others arrive.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const queued = rest.map((pieces) => writer.run(pieces));
  await new Promise((resolve) => setTimeout(resolve, 100));
  db.exec('commit');
  return Promise.all([taken, ...queued]);
}

describe('SqliteWriter', () => {
  it('runs each piece in its own savepoint; a piece failing half-way leaves the values of the pieces after it in place', async () => {
    const { writer, rows } = await writerOn();
    const reply = await writer.run([
      [insert('a', 'x', 1), { sql: "insert into t (k, a) values ('b', 'no bindings')", bindings: [] }],
      // Fails on its second statement (a compare-and-set that finds no row); its first and third must not stay.
      [insert('c', 'gone', 3), { sql: 'update c set value = ? where name = ? and value = ?', bindings: [1, 'n', 41], expectChanges: 1 }, insert('d', 'gone', 4)],
      // Fails on its first statement (duplicate key): its other values must not shift onto the next piece.
      [insert('a', 'dup', 5), insert('e', 'gone', 6)],
      [insert('f', 'kept', 7), { sql: 'update c set value = ? where name = ? and value = ?', bindings: [1, 'n', 0], expectChanges: 1 }],
    ]);
    expect(reply.ok).toBe(true);
    expect(reply.results.map((r) => (r.ok ? 'ok' : (r.error.code ?? r.error.message)))).toEqual(['ok', 'TRIAGE_STORE_WRITE_CONFLICT', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'ok']);
    expect(rows()).toEqual([
      { k: 'a', a: 'x', b: 1 },
      { k: 'b', a: 'no bindings', b: null },
      { k: 'f', a: 'kept', b: 7 },
    ]);
  });

  it('sends a text by number after its first use, and by value once the table of numbers is full', async () => {
    const { writer, rows } = await writerOn();
    // 2,100 distinct texts (the table holds 2,000), in two batches: the second reuses numbers and values alike.
    const distinct = (i: number) => ({ sql: `insert into t (k, a, b) values (?, ?, ?) -- ${i}`, bindings: [`k${String(i).padStart(5, '0')}`, `v${i}`, i] });
    const first = await writer.run([Array.from({ length: 2100 }, (_, i) => distinct(i))]);
    expect(first.results).toEqual([{ ok: true }]);
    const again = (i: number) => ({ ...distinct(i), bindings: [`z${String(i).padStart(5, '0')}`, `w${i}`, -i] });
    const second = await writer.run([[again(5), again(2050)], [again(1999)]]);
    expect(second.results).toEqual([{ ok: true }, { ok: true }]);
    const all = rows() as Array<{ k: string; a: string; b: number }>;
    expect(all).toHaveLength(2103);
    expect(all.filter((r) => r.k.startsWith('z'))).toEqual([
      { k: 'z00005', a: 'w5', b: -5 },
      { k: 'z01999', a: 'w1999', b: -1999 },
      { k: 'z02050', a: 'w2050', b: -2050 },
    ]);
  });

  it('converts values as knex would: true/false to 1/0, undefined to NULL', async () => {
    const { writer, rows } = await writerOn();
    const reply = await writer.run([[{ sql: 'insert into t (k, a, b) values (?, ?, ?)', bindings: ['yes', undefined, true] }, { sql: 'insert into t (k, a, b) values (?, ?, ?)', bindings: ['no', 'x', false] }]]);
    expect(reply.results).toEqual([{ ok: true }]);
    expect(rows()).toEqual([
      { k: 'no', a: 'x', b: 0 },
      { k: 'yes', a: null, b: 1 },
    ]);
  });

  it('checkpoints inside its own commits once the log passes `autocheckpoint` frames, never with 0', async () => {
    const logAfterWrites = async (autocheckpoint: number): Promise<number> => {
      const { writer, logFrames } = await writerOn({ autocheckpoint });
      // 40 batches of 4 rows of about 3 KB: some 200 frames in all, 5 or so per commit.
      for (let b = 0; b < 40; b++) {
        const reply = await writer.run([Array.from({ length: 4 }, (_, i) => insert(`k${b}-${i}`, 'x'.repeat(3000), b))]);
        expect(reply.results).toEqual([{ ok: true }]);
      }
      return logFrames();
    };
    // Checkpointed at 50: the log started over and holds only what came after.
    expect(await logAfterWrites(50)).toBeLessThan(60);
    // Never checkpointed by the writer: every frame is still in the log.
    expect(await logAfterWrites(0)).toBeGreaterThan(150);
  });

  it('runs the batches that waited meanwhile as one transaction, with an answer each; a failing piece among them is left out alone', async () => {
    const { writer, rows, db } = await writerOn();
    const replies = await queuedBehindLock(writer, db, [[insert('a', 'first', 1)]], [[[insert('b', 'second', 2)], [insert('a', 'duplicate key', 3)]], [[insert('c', 'third', 4)]]]);
    expect(replies.map((r) => r.results.map((p) => (p.ok ? 'ok' : (p.error.code ?? p.error.message))))).toEqual([['ok'], ['ok', 'SQLITE_CONSTRAINT_PRIMARYKEY'], ['ok']]);
    expect(rows()).toEqual([
      { k: 'a', a: 'first', b: 1 },
      { k: 'b', a: 'second', b: 2 },
      { k: 'c', a: 'third', b: 4 },
      { k: 'w', a: 'warm', b: 0 },
    ]);
    const [one, two, three] = replies.map((r) => (r.ok ? r.transaction : undefined));
    expect(one).toBeDefined();
    // The second failed a piece: it ran again on its own; the third, which waited with it, committed right after.
    expect(two).toBeGreaterThan(one ?? 0);
    expect(three).toBeGreaterThan(two ?? 0);
  });

  it('runs batches that waited together in one transaction when all their pieces succeed', async () => {
    const { writer, rows, db } = await writerOn();
    const replies = await queuedBehindLock(writer, db, [[insert('a', 'first', 1)]], [[[insert('b', 'second', 2)]], [[insert('c', 'third', 3)], [insert('d', 'fourth', 4)]]]);
    expect(replies.every((r) => r.ok)).toBe(true);
    const [one, two, three] = replies.map((r) => (r.ok ? r.transaction : undefined));
    // (The first may have joined them too, if the thread was slow to take it before they came.)
    expect(two).toBe(three);
    expect(one).toBeDefined();
    expect(rows()).toHaveLength(5);
  });

  it('keeps the transaction open while a batch says more follows, and commits it with the batch that does not', async () => {
    const { writer, rows, db } = await writerOn({ openWaitMs: 60_000 });
    expect((await writer.run([[insert('w', 'warm', 0)]])).ok).toBe(true);
    let answered = false;
    const first = writer.run([[insert('a', 'first', 1)]], true).finally(() => (answered = true));
    const second = writer.run([[insert('b', 'second', 2)], [insert('c', 'third', 3)]], true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Run, not committed: the thread holds the write lock, and another connection does not see the rows yet.
    expect(answered).toBe(false);
    expect(rows()).toHaveLength(1);
    db.pragma('busy_timeout = 0');
    expect(() => db.exec('begin immediate')).toThrow(/locked|busy/i);
    const last = writer.run([[insert('d', 'last', 4)]]);
    const replies = await Promise.all([first, second, last]);
    expect(replies.map((r) => r.results.length)).toEqual([1, 2, 1]);
    const transactions = new Set(replies.map((r) => (r.ok ? r.transaction : undefined)));
    expect(transactions.size).toBe(1);
    expect([...transactions][0]).toBeDefined();
    expect(rows()).toHaveLength(5);
  });

  it('commits an open transaction on its own when the rest of its turn does not come', async () => {
    const { writer, rows, db } = await writerOn({ openWaitMs: 50 });
    // Nothing follows this one: the thread must not wait for ever (it holds the write lock meanwhile).
    const reply = await writer.run([[insert('a', 'alone', 1)]], true);
    expect(reply.ok && reply.transaction).toBeGreaterThan(0);
    expect(rows()).toEqual([{ k: 'a', a: 'alone', b: 1 }]);
    // The lock is free again: another connection can write.
    db.exec("insert into t (k, a, b) values ('z', 'other connection', 0)");
    const next = await writer.run([[insert('b', 'next', 2)]]);
    expect(next.ok && next.transaction).toBeGreaterThan(reply.ok ? (reply.transaction ?? 0) : 0);
  });

  it('leaves out only the failing piece when it fails in a transaction kept open: the earlier open batches still commit', async () => {
    // Long enough that the first batch's transaction is certainly still open when the failing one comes.
    const { writer, rows } = await writerOn({ openWaitMs: 60_000 });
    const replies = await Promise.all([
      writer.run([[insert('a', 'first', 1)]], true),
      writer.run([[insert('b', 'second', 2)], [insert('a', 'duplicate key', 3)]], true),
      writer.run([[insert('c', 'third', 4)]]),
    ]);
    expect(replies.map((r) => r.results.map((p) => (p.ok ? 'ok' : (p.error.code ?? p.error.message))))).toEqual([['ok'], ['ok', 'SQLITE_CONSTRAINT_PRIMARYKEY'], ['ok']]);
    expect(rows()).toEqual([
      { k: 'a', a: 'first', b: 1 },
      { k: 'b', a: 'second', b: 2 },
      { k: 'c', a: 'third', b: 4 },
    ]);
  });

  it('hands over answers that wait when asked (pollAnswers), without the event loop coming round', async () => {
    const { writer } = await writerOn();
    expect((await writer.run([[insert('w', 'warm', 0)]])).ok).toBe(true);
    let answered = false;
    const pending = writer.run([[insert('a', 'x', 1)]]).then(() => (answered = true));
    // Microtasks only: run() posts the batch after its first await.
    for (let i = 0; i < 5; i++) await Promise.resolve();
    // The event loop stands still while the thread commits and answers.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(answered).toBe(false);
    writer.pollAnswers();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(answered).toBe(true);
    await pending;
  });
});
