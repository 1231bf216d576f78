/**
 * Worker thread body of SqliteWriter (engine/store/sqlite-writer.ts): its own
 * connection to the database file, which runs each batch the server's event
 * loop has prepared as one durable transaction.
 *
 * A batch is a list of pieces (one new ticket, one round of outbox outcomes),
 * each a list of write statements. The batches that arrived while the last
 * transaction ran are run together, in order: BEGIN IMMEDIATE, every
 * statement, COMMIT, and an answer per batch. If a statement fails, all is
 * rolled back and each batch run again on its own with a SAVEPOINT per piece,
 * so that the failing piece rolls back alone and the others commit. COMMIT uses the server connection's `synchronous`
 * setting (FULL as shipped): the fsync blocks this thread, not the server's.
 * A statement may say how many rows it must change (the ticket counter's
 * compare-and-set); if it changes another number the piece fails with
 * TRIAGE_STORE_WRITE_CONFLICT and its writes are undone.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { applySqlitePragmas } from './sqlite-pragmas.js';
import { cacheStatements } from './statement-cache.js';
import type { PieceResult, WriterBatch, WriterReply } from './sqlite-writer-protocol.js';

const { file, synchronous, autocheckpoint } = workerData as { file: string; synchronous: number; autocheckpoint: number };
/** As long as knex waits for a pooled connection by default (acquireConnectionTimeout). */
const WRITER_BUSY_TIMEOUT_MS = 60_000;
const db = new Database(file, { fileMustExist: true });
applySqlitePragmas(db);
// The server's own transactions (BEGIN IMMEDIATE, engine/store/begin-immediate.ts) hold the write lock while they
// run; this thread waits for them as the in-thread group commit waits for the pooled connection, not 5 s.
db.pragma(`busy_timeout = ${WRITER_BUSY_TIMEOUT_MS}`);
// As the server's own connection was set when the thread started (applySqlitePragmas makes it FULL).
db.pragma(`synchronous = ${Math.trunc(synchronous)}`);
// The log size (frames) from which this thread's COMMIT also checkpoints; see SqliteWriter's `autocheckpoint`.
db.pragma(`wal_autocheckpoint = ${Math.trunc(autocheckpoint)}`);
cacheStatements(db);

/** Batches run as one transaction at most (bounds a transaction's size and the wait of its first piece). */
const MAX_MERGED = 16;

/** Transactions committed so far (WriterReply.transaction). */
let transactions = 0;

/** SQL texts by the number the server gave them (WriterBatch). */
const texts = new Map<number, string>();

function describe(error: unknown): { message: string; code?: string; name: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { message: error.message, name: error.name, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { message: String(error), name: 'Error' };
}

/**
 * Learn the batch's new SQL texts before running anything: the server counts
 * a text as known once sent, also when the statement that carried it never
 * ran (an earlier statement of its piece failed, or the whole batch did).
 */
function learnTexts(batch: WriterBatch): void {
  for (let i = 0; i + 1 < batch.define.length; i += 2) texts.set(batch.define[i] as number, batch.define[i + 1] as string);
}

/** Where the next statement's text and values are in the batch's flat arrays. */
interface Cursor {
  statement: number;
  value: number;
}

/** Statement `cursor.statement` of the batch; moves the cursor past it (also when it throws). */
function runStatement(batch: WriterBatch, cursor: Cursor, expected: ReadonlyMap<number, number>): void {
  const index = cursor.statement;
  const text = batch.texts[index];
  const count = batch.counts[index] ?? 0;
  const bindings = batch.values.slice(cursor.value, cursor.value + count);
  cursor.statement += 1;
  cursor.value += count;
  const sql = typeof text === 'string' ? text : text === undefined ? undefined : texts.get(text);
  if (sql === undefined) throw new Error(`the writer thread was sent SQL text #${String(text)} it does not know`);
  const result = db.prepare(sql).run(bindings);
  const expectChanges = expected.get(index);
  if (expectChanges !== undefined && result.changes !== expectChanges) {
    throw Object.assign(new Error(`expected ${expectChanges} changed row(s), got ${result.changes}: ${sql}`), { code: 'TRIAGE_STORE_WRITE_CONFLICT' });
  }
}

function expectations(batch: WriterBatch): Map<number, number> {
  const expected = new Map<number, number>();
  for (let i = 0; i + 1 < batch.expect.length; i += 2) expected.set(batch.expect[i] as number, batch.expect[i + 1] as number);
  return expected;
}

/**
 * The batches that waited while the last transaction ran, as one
 * transaction: one COMMIT (and fsync) for all of them, and this thread never
 * waits for the event loop to hand over the next batch (it may be busy with
 * requests, and the answer that frees its next slot waits behind them).
 * Optimistic first: no savepoints. Almost every batch succeeds whole, and a
 * savepoint per piece makes SQLite copy every page a piece first touches into
 * its savepoint journal (malloc, memcpy: about a twelfth of this thread's
 * time in the ingest profile). Only when a piece fails is it all undone and
 * each batch run again the careful way, on its own, a savepoint per piece, so
 * that the failing piece is the only one left out.
 */
function runBatches(batches: readonly WriterBatch[]): WriterReply[] {
  for (const batch of batches) learnTexts(batch);
  const expected = batches.map(expectations);
  return runAll(batches, expected) ?? batches.map((batch, i) => runPieces(batch, expected[i] ?? new Map()));
}

/**
 * Every piece of every batch in one transaction without savepoints.
 * Undefined (nothing written) when a statement or the COMMIT failed: the
 * caller runs the batches again piece by piece. A BEGIN that fails (busy past
 * the timeout) fails the batches at once; trying again would only wait as
 * long a second time.
 */
function runAll(batches: readonly WriterBatch[], expected: ReadonlyArray<ReadonlyMap<number, number>>): WriterReply[] | undefined {
  try {
    db.exec('begin immediate');
  } catch (error) {
    rollback();
    return batches.map((batch) => ({ id: batch.id, ok: false, error: describe(error), results: [] }));
  }
  try {
    batches.forEach((batch, i) => {
      const cursor: Cursor = { statement: 0, value: 0 };
      const expect = expected[i] ?? new Map<number, number>();
      while (cursor.statement < batch.texts.length) runStatement(batch, cursor, expect);
    });
    db.exec('commit');
    transactions += 1;
    return batches.map((batch) => ({ id: batch.id, ok: true, results: batch.pieces.map(() => ({ ok: true })), transaction: transactions }));
  } catch {
    rollback();
    return undefined;
  }
}

/** Each piece in its own savepoint: a piece that fails rolls back alone and the batch goes on. */
function runPieces(batch: WriterBatch, expected: ReadonlyMap<number, number>): WriterReply {
  const results: PieceResult[] = [];
  const cursor: Cursor = { statement: 0, value: 0 };
  try {
    db.exec('begin immediate');
    for (const size of batch.pieces) {
      // A piece that fails part-way still moves the cursor past all its statements.
      const next = { statement: cursor.statement + size, value: cursor.value };
      for (let i = cursor.statement; i < next.statement; i++) next.value += batch.counts[i] ?? 0;
      db.exec('savepoint writer_piece');
      try {
        while (cursor.statement < next.statement) runStatement(batch, cursor, expected);
        db.exec('release savepoint writer_piece');
        results.push({ ok: true });
      } catch (error) {
        // If this fails too, the transaction itself is broken (SQLITE_FULL, I/O): the batch fails as a whole.
        db.exec('rollback to savepoint writer_piece');
        db.exec('release savepoint writer_piece');
        results.push({ ok: false, error: describe(error) });
      }
      cursor.statement = next.statement;
      cursor.value = next.value;
    }
    db.exec('commit');
    transactions += 1;
    return { id: batch.id, ok: true, results, transaction: transactions };
  } catch (error) {
    rollback();
    return { id: batch.id, ok: false, error: describe(error), results: [] };
  }
}

function rollback(): void {
  if (!db.inTransaction) return;
  try {
    db.exec('rollback');
  } catch {
    // Already rolled back by SQLite itself.
  }
}

parentPort?.on('message', (message: WriterBatch | 'stop') => {
  const port = parentPort;
  if (port === null) return;
  // What else is already waiting joins this transaction (up to a stop, which comes after its batches).
  const batches: WriterBatch[] = [];
  let stop = false;
  for (let next: WriterBatch | 'stop' | undefined = message; next !== undefined; ) {
    if (next === 'stop') {
      stop = true;
      break;
    }
    batches.push(next);
    if (batches.length >= MAX_MERGED) break;
    next = (receiveMessageOnPort(port) as { message: WriterBatch | 'stop' } | undefined)?.message;
  }
  if (batches.length > 0) for (const reply of runBatches(batches)) port.postMessage(reply);
  if (stop) {
    db.close();
    port.close();
  }
});
parentPort?.postMessage({ type: 'ready' });
