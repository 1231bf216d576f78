/**
 * Worker thread body of SqliteWriter (engine/store/sqlite-writer.ts): its own
 * connection to the database file, which runs the batches the server's event
 * loop has prepared as durable transactions.
 *
 * A batch is a list of pieces (one new ticket, one round of outbox outcomes),
 * each a list of write statements. A batch marked `open` runs at once and
 * leaves its transaction open for the batches of the same turn that follow;
 * the first one not marked open ends the transaction (see pump()). The
 * batches that arrived while the last transaction ran go into the next one.
 * If a statement fails, the transaction is rolled back and each of its
 * batches run again on its own with a SAVEPOINT per piece, so that the
 * failing piece rolls back alone and the others commit. COMMIT uses the
 * server connection's `synchronous` setting (FULL as shipped): the fsync
 * blocks this thread, not the server's. A statement may say how many rows
 * it must change (the ticket counter's compare-and-set); if it changes
 * another number the piece fails with TRIAGE_STORE_WRITE_CONFLICT and its
 * writes are undone. Answers go to the channel SqliteWriter passed
 * (`answerPort`), one message per transaction ended.
 */
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { applySqlitePragmas } from './sqlite-pragmas.js';
import { cacheStatements } from './statement-cache.js';
import type { PieceResult, WriterBatch, WriterError, WriterReply } from './sqlite-writer-protocol.js';

const { file, synchronous, autocheckpoint, openWaitMs, answerPort } = workerData as {
  file: string;
  synchronous: number;
  autocheckpoint: number;
  openWaitMs: number;
  /** Where answers go (SqliteWriter.pollAnswers reads them without waiting for its event loop). */
  answerPort: MessagePort;
};
/** As long as knex waits for a pooled connection by default (acquireConnectionTimeout). */
const WRITER_BUSY_TIMEOUT_MS = 60_000;
const db = new Database(file, { fileMustExist: true });
applySqlitePragmas(db);
// The server's own transactions (BEGIN IMMEDIATE, engine/store/begin-immediate.ts) and the checkpointer's RESTART
// hold the write lock while they run; this thread waits for them as the in-thread group commit waits for the
// pooled connection (60 s, not 5), but in beginImmediate(), not in SQLite's busy handler.
db.pragma('busy_timeout = 0');
// As the server's own connection was set when the thread started (applySqlitePragmas makes it FULL).
db.pragma(`synchronous = ${Math.trunc(synchronous)}`);
// The log size (frames) from which this thread's COMMIT also checkpoints; see SqliteWriter's `autocheckpoint`.
db.pragma(`wal_autocheckpoint = ${Math.trunc(autocheckpoint)}`);
cacheStatements(db);

/**
 * Pieces in one transaction at most: bounds a transaction's size and the
 * wait of its first piece (the batches that waited meanwhile join it).
 */
const MAX_PIECES = 256;
/** Transactions committed so far (WriterReply.transaction). */
let transactions = 0;

/** SQL texts by the number the server gave them (WriterBatch). */
const texts = new Map<number, string>();

function describe(error: unknown): WriterError {
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
  // Spread, not the array: better-sqlite3 reads an array's elements one property lookup at a time (about 20 ns
  // a value; a ticket binds some 250).
  const result = db.prepare(sql).run(...bindings);
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

/** How long this thread sleeps between tries for the write lock. */
const BUSY_RETRY_MS = 0.2;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * BEGIN IMMEDIATE, waiting up to WRITER_BUSY_TIMEOUT_MS for the write lock.
 * Not with SQLite's busy handler: it sleeps 1, 2, 5, 10 ms … between tries,
 * so the checkpointer's RESTART, which holds the lock for a millisecond or
 * two, kept this thread (and every create waiting for it) standing for 3 or
 * 8 ms, a few times a second under ingest (measured 2026-11-30).
 */
function beginImmediate(): void {
  const deadline = performance.now() + WRITER_BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      db.exec('begin immediate');
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // SQLITE_BUSY and its extended codes (SQLITE_BUSY_RECOVERY: another connection is recovering the log).
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || performance.now() >= deadline) throw error;
      Atomics.wait(sleeper, 0, 0, BUSY_RETRY_MS);
    }
  }
}

/**
 * The transaction in progress: the batches whose statements ran in it, not
 * committed yet. Optimistic: no savepoints. Almost every batch succeeds
 * whole, and a savepoint per piece makes SQLite copy every page a piece
 * first touches into its savepoint journal (malloc, memcpy: about a twelfth
 * of this thread's time in the ingest profile). Only when a statement (or
 * the COMMIT) fails is it all undone and each batch run again the careful
 * way, on its own, a savepoint per piece (runPieces), so that the failing
 * piece is the only one left out.
 */
let current: { batches: WriterBatch[]; expected: Array<Map<number, number>>; pieces: number } | undefined;
/** Messages taken from the port and not handled yet. */
const pending: Array<WriterBatch | 'stop'> = [];
let openTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * Handle what waits, in order. The batches up to the last one that does not
 * say more follows run as one transaction and commit: what waited while the
 * last transaction ran shares the next one (one COMMIT and fsync), and this
 * thread never waits for the event loop to hand over the next batch. Batches
 * that say more follows (`open`: the event loop hands a turn's pieces over
 * one by one as it records them) run at once, and the transaction waits for
 * the rest of its turn, at most `openWaitMs` (SqliteWriter), so their statements run while
 * the event loop records the next pieces instead of after the turn.
 */
function pump(port: MessagePort): void {
  if (openTimer !== undefined) clearTimeout(openTimer);
  openTimer = undefined;
  for (takeWaiting(port); pending.length > 0; takeWaiting(port)) {
    let last = -1;
    pending.forEach((m, i) => {
      if (m === 'stop' || m.open !== true) last = i;
    });
    const now = pending.splice(0, last === -1 ? pending.length : last + 1);
    for (const [i, message] of now.entries()) {
      if (message === 'stop') {
        commit();
        stop(port);
        return;
      }
      const began = execute(message);
      if (began !== true) {
        // The BEGIN failed (busy past the timeout): this batch and those that waited with it fail at once;
        // trying again would only wait as long a second time. A stop among them still stops the thread.
        const waited = [...now.slice(i), ...pending.splice(0)];
        answer(waited.filter((m): m is WriterBatch => m !== 'stop').map((b): WriterReply => ({ id: b.id, ok: false, error: began, results: [] })));
        if (waited.includes('stop')) stop(port);
        return;
      }
    }
    if (last === -1) {
      // Only batches that said more follows: wait for the rest of their turn, a short while at most.
      openTimer = setTimeout(() => {
        openTimer = undefined;
        commit();
      }, openWaitMs);
      return;
    }
    commit();
  }
}

function takeWaiting(port: MessagePort): void {
  for (;;) {
    const next = receiveMessageOnPort(port) as { message: WriterBatch | 'stop' } | undefined;
    if (next === undefined) return;
    pending.push(next.message);
  }
}

/**
 * Run one batch's statements in the transaction in progress (begun here if
 * none is). A statement that fails undoes the transaction, and its batches
 * run again piece by piece (answered here). True, or the error of a BEGIN
 * that failed (busy past the timeout; nothing ran, the caller answers).
 */
function execute(batch: WriterBatch): true | WriterError {
  learnTexts(batch);
  if (current === undefined) {
    try {
      beginImmediate();
    } catch (error) {
      rollback();
      return describe(error);
    }
    current = { batches: [], expected: [], pieces: 0 };
  }
  const expect = expectations(batch);
  const tx = current;
  tx.batches.push(batch);
  tx.expected.push(expect);
  tx.pieces += batch.pieces.length;
  try {
    const cursor: Cursor = { statement: 0, value: 0 };
    while (cursor.statement < batch.texts.length) runStatement(batch, cursor, expect);
  } catch {
    rollback();
    current = undefined;
    answer(tx.batches.map((b, i) => runPieces(b, tx.expected[i] ?? new Map())));
    return true;
  }
  if (tx.pieces >= MAX_PIECES) commit();
  return true;
}

/** Commit the transaction in progress and answer its batches; a COMMIT that fails sends them the careful way. */
function commit(): void {
  const tx = current;
  if (tx === undefined) return;
  current = undefined;
  try {
    db.exec('commit');
  } catch {
    rollback();
    answer(tx.batches.map((b, i) => runPieces(b, tx.expected[i] ?? new Map())));
    return;
  }
  transactions += 1;
  const transaction = transactions;
  answer(tx.batches.map((batch): WriterReply => ({ id: batch.id, ok: true, results: batch.pieces.map(() => ({ ok: true })), transaction })));
}

/** Send the answers of the batches of a transaction that ended (committed, or run again piece by piece). */
function answer(replies: WriterReply[]): void {
  answerPort.postMessage(replies);
}

function stop(port: MessagePort): void {
  db.close();
  answerPort.close();
  port.close();
}

/** Each piece in its own savepoint: a piece that fails rolls back alone and the batch goes on. */
function runPieces(batch: WriterBatch, expected: ReadonlyMap<number, number>): WriterReply {
  const results: PieceResult[] = [];
  const cursor: Cursor = { statement: 0, value: 0 };
  try {
    beginImmediate();
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
  pending.push(message);
  pump(port);
});
parentPort?.postMessage({ type: 'ready' });
