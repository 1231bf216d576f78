import type { Knex } from 'knex';
import { TriageError } from '../errors/triage-error.js';
import type { SqlRunner } from '../store/sql-runner.js';
import type { SqliteWriter } from '../store/sqlite-writer.js';
import type { WriterError, WriterReply, WriterStatement } from '../store/sqlite-writer-protocol.js';
import { CounterAllocator } from './counter-allocator.js';
import type { CommitHooks, GroupWork } from './group-commit.js';

/** A piece of work waiting for its group, as GroupCommit queues it. */
export interface WriterQueued {
  work: GroupWork<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  settled?: Array<(committed: boolean) => void>;
  /** Times it was run again after losing a counter compare-and-set. */
  conflicts?: number;
}

/** A piece whose JavaScript has run: its statements wait for the writer. */
interface Recorded {
  queued: WriterQueued;
  statements: WriterStatement[];
  value: unknown;
  committed: (ok: boolean) => void;
  /** The allocator's epoch when the piece took its counter values (undefined: it took none). */
  epoch: number | undefined;
}

export interface WriterGroupsOptions {
  writer: SqliteWriter;
  /** The server's own connection, for reading a counter when the allocator resyncs. */
  readCounter: (name: string) => Promise<number | undefined>;
  maxGroupSize: number;
  onGroup?: (group: { size: number; committed: boolean }) => void;
  notify: (callbacks: ReadonlyArray<(committed: boolean) => void>, committed: boolean) => void;
}

/** A piece that lost its counter CAS this many times in a row fails instead of trying again. */
const MAX_CONFLICTS = 5;
/**
 * Pieces handed to the writer and not answered yet, in groups of the
 * largest size: past this many, this thread waits for an answer before it
 * records more, so a writer that cannot keep up (a long lock held by another
 * process) does not collect an endless queue.
 */
const MAX_UNANSWERED_GROUPS = 4;
/** The counters pieces take values from (ticket numbers). */
const COUNTERS = ['ticket'] as const;

/**
 * Group commit with the writes on the SQLite writer thread
 * (engine/store/sqlite-writer.ts). Each piece runs on this thread as soon as
 * its turn comes, but its statements are collected instead of executed, and
 * handed to the writer as soon as the piece has run: the writer runs them
 * while this thread runs the next piece, and commits once the last piece of
 * this turn of the event loop has come (the thread keeps the transaction
 * open while a batch says more follows, and runs what waited meanwhile as one
 * transaction). So this thread goes on running pieces while the writer
 * executes, commits and fsyncs. A piece is answered when its transaction has
 * committed durably.
 *
 * What a piece may do here: write through `sql.run` (INSERT, UPDATE, DELETE
 * without RETURNING) and take counter values through `sql.counter`. A read,
 * or a knex query on `trx`, fails the piece with a clear error: its result
 * could not reflect the writes still waiting for the writer.
 */
export class WriterGroups {
  private readonly queue: WriterQueued[] = [];
  private readonly open: Recorded[] = [];
  private readonly allocator = new CounterAllocator();
  /** Batches at the writer (it runs them in order). */
  private readonly inFlight = new Set<Promise<void>>();
  /** Pieces of those batches (MAX_UNANSWERED_GROUPS). */
  private unanswered = 0;
  /** The last batch handed over said more follows: the end of the turn must close its transaction. */
  private leftOpen = false;
  private draining = false;
  private transactionCount = 0;
  private lastTransaction: number | undefined;
  private pieceCount = 0;

  constructor(private readonly options: WriterGroupsOptions) {}

  /** Transactions of the writer that answered pieces of this thread so far, and the pieces they carried (metrics). */
  get written(): { batches: number; pieces: number } {
    return { batches: this.transactionCount, pieces: this.pieceCount };
  }

  add(queued: WriterQueued): void {
    this.queue.push(queued);
    if (!this.draining) void this.drain();
  }

  /** Resolves once everything queued so far has been written (or failed). */
  async idle(): Promise<void> {
    while (this.draining || this.inFlight.size > 0 || this.open.length > 0 || this.queue.length > 0) {
      await (this.inFlight.size > 0 ? Promise.race(this.inFlight) : new Promise<void>((resolve) => setImmediate(resolve)));
    }
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        // Like the in-thread group commit: what arrives in this turn of the event loop joins.
        await new Promise<void>((resolve) => setImmediate(resolve));
        while (this.queue.length > 0) {
          if (this.unanswered >= MAX_UNANSWERED_GROUPS * this.options.maxGroupSize) await Promise.race(this.inFlight);
          const queued = this.queue.shift();
          if (queued === undefined) break;
          await this.record(queued);
          // Handed over at once, the transaction left open while more of this turn waits: the writer runs the
          // piece's statements while this thread runs the next piece, and commits right after the turn's last.
          this.ship(this.queue.length > 0);
          // Answers that came meanwhile are delivered now, not after the whole turn: their requests are
          // answered sooner, and their clients send the next ones sooner.
          this.options.writer.pollAnswers();
        }
        this.ship();
      }
    } finally {
      this.draining = false;
    }
  }

  /** Run one piece, collecting its statements; a piece that throws has written nothing and is answered now. */
  private async record(queued: WriterQueued): Promise<void> {
    const statements: WriterStatement[] = [];
    const taken: Array<{ name: string; value: number }> = [];
    let epoch: number | undefined;
    let commitOutcome: (ok: boolean) => void = () => undefined;
    const executionPromise = new Promise<void>((resolve, reject) => {
      commitOutcome = (ok) => (ok ? resolve() : reject(new Error('the group did not commit this piece')));
    });
    executionPromise.catch(() => undefined);
    const sql: SqlRunner = {
      run: (text, bindings = []) => {
        if (!isPlainWrite(text)) return Promise.reject(new Error(`a piece of a writer-thread group may only write (INSERT/UPDATE/DELETE without RETURNING); it ran: ${text.slice(0, 80)}`));
        // Kept as given (SqliteWriter converts the values when it copies them into the batch).
        statements.push({ sql: text, bindings });
        return Promise.resolve([]);
      },
      counter: async (name) => {
        if (this.allocator.needsResync) await this.resync();
        const next = this.allocator.take(name);
        if (next === undefined) throw new Error(`counter "${name}" is not one the writer-thread group commit knows`);
        taken.push({ name, value: next.value });
        epoch ??= this.allocator.epoch;
        statements.push(next.statement);
        return next.value;
      },
    };
    const commit: CommitHooks = { settled: (callback) => (queued.settled ??= []).push(callback) };
    try {
      const value = await queued.work(writerTransaction(executionPromise), sql, commit);
      this.open.push({ queued, statements, value, committed: commitOutcome, epoch });
    } catch (error) {
      // Nothing of it reached the database; its counter values go back (newest first).
      for (const t of taken.reverse()) this.allocator.giveBack(t.name, t.value);
      commitOutcome(false);
      this.finish(queued, false);
      queued.reject(error);
    }
  }

  /**
   * Hand the collected pieces to the writer. `more`: more of this turn
   * follows, so the writer keeps the transaction open for it. Without, a
   * transaction left open by the last batch is closed, by an empty batch if
   * nothing else is left (the turn's last piece failed here).
   */
  private ship(more = false): void {
    if (this.open.length === 0 && (more || !this.leftOpen)) return;
    do {
      const batch = this.open.splice(0, this.options.maxGroupSize);
      const open = more || this.open.length > 0;
      this.leftOpen = open;
      this.unanswered += batch.length;
      const written: Promise<void> = this.write(batch, open).finally(() => {
        this.unanswered -= batch.length;
        this.inFlight.delete(written);
      });
      this.inFlight.add(written);
    } while (this.open.length > 0);
  }

  private async write(batch: Recorded[], open: boolean): Promise<void> {
    this.pieceCount += batch.length;
    let reply: WriterReply;
    try {
      reply = await this.options.writer.run(batch.map((r) => r.statements), open);
    } catch (error) {
      this.transactionCount += 1;
      this.options.onGroup?.({ size: batch.length, committed: false });
      this.settleAll(batch, error);
      return;
    }
    // Batches that shared a transaction count once.
    if (!reply.ok || reply.transaction === undefined || reply.transaction !== this.lastTransaction) this.transactionCount += 1;
    if (reply.ok) this.lastTransaction = reply.transaction;
    this.options.onGroup?.({ size: batch.length, committed: reply.ok });
    if (!reply.ok) {
      this.settleAll(batch, rebuildError(reply.error));
      return;
    }
    const again: WriterQueued[] = [];
    batch.forEach((r, i) => {
      const result = reply.results[i];
      if (result?.ok === true) {
        r.committed(true);
        this.finish(r.queued, true);
        r.queued.resolve(r.value);
        return;
      }
      // A piece that failed leaves a hole in the counter chain: every later compare-and-set fails too.
      const epochBefore = this.allocator.epoch;
      this.allocator.invalidate();
      r.committed(false);
      this.finish(r.queued, false);
      const error = result === undefined ? new Error('the writer answered no outcome for this piece') : rebuildError(result.error);
      const conflict = result !== undefined && result.error.code === 'TRIAGE_STORE_WRITE_CONFLICT';
      // Doomed by an earlier failure (its number followed a number that was never stored): not a race, run it again.
      const doomed = conflict && r.epoch !== undefined && r.epoch < epochBefore;
      if (conflict && (doomed || (r.queued.conflicts ?? 0) < MAX_CONFLICTS)) {
        if (!doomed) r.queued.conflicts = (r.queued.conflicts ?? 0) + 1;
        again.push(r.queued);
      } else {
        r.queued.reject(error);
      }
    });
    if (again.length > 0) {
      // Run again with fresh values, ahead of what arrived since (they were first).
      this.queue.unshift(...again);
      if (!this.draining) void this.drain();
    }
  }

  private settleAll(batch: readonly Recorded[], error: unknown): void {
    this.allocator.invalidate();
    for (const r of batch) {
      r.committed(false);
      this.finish(r.queued, false);
      r.queued.reject(error instanceof TriageError ? error : new TriageError('TRIAGE_STORE_UNAVAILABLE', [error instanceof Error ? error.message : String(error)], { cause: error }));
    }
  }

  /** Tell the piece's own callbacks how it ended, and forget them (a piece run again registers anew). */
  private finish(queued: WriterQueued, committed: boolean): void {
    const callbacks = queued.settled;
    queued.settled = undefined;
    if (callbacks !== undefined) this.options.notify(callbacks, committed);
  }

  /**
   * Read the counters again, once nothing handed out from the old values can
   * still be written: the batch at the writer and the collected pieces
   * settle first (their stale values lose the CAS and come back to the queue).
   */
  private async resync(): Promise<void> {
    while (this.inFlight.size > 0 || this.open.length > 0) {
      this.ship();
      await Promise.all(this.inFlight);
    }
    await this.allocator.resync(this.options.readCounter, COUNTERS);
  }
}

/** Answers of isPlainWrite by SQL text: a piece runs the same few texts every time (one per statement shape). */
const plainWrites = new Map<string, boolean>();
const MAX_PLAIN_WRITES = 2000;

/** INSERT/UPDATE/DELETE without RETURNING: what can run later without anyone reading its answer. */
function isPlainWrite(sql: string): boolean {
  let plain = plainWrites.get(sql);
  if (plain === undefined) {
    plain = /^\s*(insert|update|delete)\b/i.test(sql) && !/\breturning\b/i.test(sql);
    // Texts built with values inlined would grow the map without end: past the limit, just test.
    if (plainWrites.size < MAX_PLAIN_WRITES) plainWrites.set(sql, plain);
  }
  return plain;
}

/** The writer thread's error as an Error again, code kept (isUniqueViolation looks at it). */
function rebuildError(error: WriterError): Error {
  return Object.assign(new Error(error.message), { name: error.name, ...(error.code === undefined ? {} : { code: error.code }) });
}

/**
 * What a piece gets as its transaction: only `executionPromise` (settles when
 * the piece's writes are committed, as knex's does); calling it as a query
 * builder fails with the reason.
 */
function writerTransaction(executionPromise: Promise<void>): Knex.Transaction {
  const refuse = (): never => {
    throw new Error('a piece of a writer-thread group commit cannot run knex queries on its transaction; use the `sql` runner it is given');
  };
  return Object.assign(refuse, { executionPromise, isTransaction: true }) as unknown as Knex.Transaction;
}
