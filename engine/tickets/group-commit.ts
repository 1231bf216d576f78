import type { Knex } from 'knex';
import { TriageError } from '../errors/triage-error.js';
import { isSqliteConnection, knexRunner, sqliteRunner, type SqlRunner } from '../store/sql-runner.js';
import { WRITER_SAFETY_NET_FRAMES } from '../store/sqlite-checkpointer.js';
import { SqliteWriter } from '../store/sqlite-writer.js';
import { WalSync } from '../store/wal-sync.js';
import { WriterGroups } from './writer-groups.js';

/** A group never grows past this many pieces of work: it bounds the wait of the first one. */
export const DEFAULT_MAX_GROUP_SIZE = 128;

/**
 * A piece of work: `trx` is the group's transaction (for knex queries, and
 * for hooks that expect one), `sql` runs statements in it without knex's
 * per-query overhead where the store allows (straight on the SQLite
 * connection), through knex otherwise.
 */
export type GroupWork<T> = (trx: Knex.Transaction, sql: SqlRunner, commit: CommitHooks) => Promise<T>;

/**
 * What a piece learns about its own end: `settled` callbacks run once, with
 * true when the piece's writes are committed and durable (answered with
 * success), false when they are not (the piece or its group failed). A
 * piece's savepoint may roll back while the group commits, so the group's
 * transaction promise is no substitute.
 */
export interface CommitHooks {
  settled(callback: (committed: boolean) => void): void;
}

interface Queued {
  work: GroupWork<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** The piece's `settled` callbacks (created on first use). */
  settled?: Array<(committed: boolean) => void>;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface GroupCommitOptions {
  maxGroupSize?: number;
  /** Called after every group with its size and whether it committed (metrics, tests). */
  onGroup?: (group: { size: number; committed: boolean }) => void;
  /**
   * How a SQLite group makes its commit durable (engine/store/wal-sync.ts): by
   * default a WalSync on the database's `-wal` file. Tests pass their own to
   * hold a flush back or make it fail.
   */
  walSync?: (walFile: string) => { sync(): Promise<void> };
  /**
   * On a SQLite file in WAL mode: run the groups' statements, COMMIT and
   * fsync on a writer thread with its own connection
   * (engine/tickets/writer-groups.ts) while this thread runs the next
   * pieces. Pieces may then only write through `sql` (and take counter
   * values through `sql.counter`); their `trx` only carries
   * `executionPromise`. Ignored elsewhere (PostgreSQL, in-memory SQLite).
   * The server turns it on; call close() when done. Default false.
   */
  writerThread?: boolean;
}

/** What a SQLite connection needs for the off-thread flush: its file, and whether it asked for durable commits. */
interface SqliteDurability {
  walFile: string;
  /** `pragma synchronous` as configured (2 = FULL, 3 = EXTRA), restored after each group. */
  level: number;
}

interface PragmaConnection {
  name?: unknown;
  memory?: unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
}

/**
 * Group commit: pieces of work queued while a transaction is busy run
 * together in the next one, each inside its own SAVEPOINT, in arrival order,
 * and share its COMMIT.
 *
 * - A piece that throws rolls back to its savepoint: only its own writes are
 *   undone, the others' stay, and the group goes on.
 * - Nobody is answered before the group's transaction has ended: values are
 *   delivered only after COMMIT returned and, on a SQLite file that asks for
 *   durable commits (`synchronous=FULL`), after its write-ahead log was
 *   flushed to disk, so an answer means durable. That flush runs in libuv's
 *   thread pool (engine/store/wal-sync.ts) while this thread builds the next
 *   group. Errors too are delivered only after the transaction ended (so a
 *   caller that lost a unique-key race finds the winner committed). If COMMIT
 *   or the flush fails, every piece of the group gets that error, including
 *   those that had succeeded (after a failed flush they may be stored; a
 *   retry with the same external id finds them).
 *
 * Why: on SQLite a commit costs more than a whole ticket's statements (a
 * WAL append and, for durability, an fsync), and there is one writer anyway;
 * sharing commits is what makes durable ingestion fast (docs/store.md).
 *
 * The pieces get the group's transaction. Like everything that runs in a
 * write transaction they must not use the database handle outside it (SQLite
 * has one connection: such a query would wait for the group forever), must
 * not commit or roll back the transaction themselves, and must not do
 * network I/O (it would hold up every piece behind them).
 */
export class GroupCommit {
  private readonly queue: Queued[] = [];
  private readonly maxGroupSize: number;
  private readonly onGroup: GroupCommitOptions['onGroup'];
  private readonly makeWalSync: (walFile: string) => { sync(): Promise<void> };
  private readonly walSyncs = new Map<string, { sync(): Promise<void> }>();
  private readonly durability = new WeakMap<object, SqliteDurability | null>();
  private draining = false;
  private readonly wantsWriter: boolean;
  /** Decided at the first group: the writer thread's groups, or null for groups on this thread. */
  private writerGroups: { groups: WriterGroups; writer: SqliteWriter } | null | undefined;

  constructor(
    private readonly db: Knex,
    options: GroupCommitOptions = {},
  ) {
    this.maxGroupSize = Math.max(1, options.maxGroupSize ?? DEFAULT_MAX_GROUP_SIZE);
    this.onGroup = options.onGroup;
    this.makeWalSync = options.walSync ?? ((walFile) => new WalSync(walFile));
    this.wantsWriter = options.writerThread === true;
    if (!this.wantsWriter) this.writerGroups = null;
  }

  /** True when the writer thread was asked for (whether the database allows it is known at the first group). */
  get usesWriterThread(): boolean {
    return this.wantsWriter && this.writerGroups !== null;
  }

  /** True once groups run on the writer thread (writerThread asked for, and the database is a SQLite file in WAL mode). */
  get onWriterThread(): boolean {
    return this.writerGroups !== null && this.writerGroups !== undefined;
  }

  /** Run `work` in the next group's transaction, in a savepoint of its own; settles after that transaction ended. */
  run<T>(work: GroupWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const queued = { work, resolve: resolve as (value: unknown) => void, reject };
      if (this.writerGroups) this.writerGroups.groups.add(queued);
      else {
        this.queue.push(queued);
        if (!this.draining) void this.drain();
      }
    });
  }

  /** What the writer thread did so far; undefined while it does not run (not asked for, not started yet, not SQLite). */
  writerStats(): { batches: number; pieces: number; restarts: number } | undefined {
    if (!this.writerGroups) return undefined;
    return { ...this.writerGroups.groups.written, restarts: this.writerGroups.writer.restarts };
  }

  /** Finish what is queued, then stop the writer thread (if one runs). */
  async close(): Promise<void> {
    while (this.draining || this.queue.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const writer = this.writerGroups;
    if (!writer) return;
    await writer.groups.idle();
    await writer.writer.close();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      if (this.writerGroups === undefined) {
        this.writerGroups = await this.startWriter();
        if (this.writerGroups) {
          // From now on everything goes to the writer thread's groups, what waited so far first.
          for (const queued of this.queue.splice(0)) this.writerGroups.groups.add(queued);
          return;
        }
      }
      while (this.queue.length > 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        await this.runGroup();
      }
    } finally {
      this.draining = false;
    }
  }

  private async runGroup(): Promise<void> {
    const outcomes: Outcome[] = [];
    // Taken from the queue but not settled yet: it fails with the group if the transaction breaks under it.
    const taken: Queued[] = [];
    let failure: { error: unknown } | undefined;
    let durable: { sync(): Promise<void> } | undefined;
    try {
      // The connection is taken here rather than by knex so that it can be cleaned up after a failed COMMIT (below).
      const connection: unknown = await this.db.client.acquireConnection();
      const sqlite = this.sqliteDurability(connection);
      // Commit without the fsync on this thread; the WAL is flushed off-thread before anyone is answered (below).
      if (sqlite !== null) setSynchronous(connection, 1);
      try {
        await this.db.transaction(
          async (trx) => {
            const sql = isSqliteConnection(connection) ? sqliteRunner(connection) : knexRunner(trx);
            // Work queued while this transaction waited for the connection (or ran) joins it.
            while (outcomes.length < this.maxGroupSize) {
              const queued = this.queue.shift();
              if (queued === undefined) break;
              taken.push(queued);
              outcomes.push(await runInSavepoint(trx, sql, queued));
            }
          },
          { connection },
        );
        if (sqlite !== null) durable = this.walSyncFor(sqlite.walFile);
      } catch (error) {
        endOpenSqliteTransaction(connection);
        throw error;
      } finally {
        if (sqlite !== null) setSynchronous(connection, sqlite.level);
        await this.db.client.releaseConnection(connection);
      }
    } catch (error) {
      failure = { error };
      // The transaction could not even begin (database closed, connection lost): fail what is waiting
      // rather than retrying it forever.
      if (taken.length === 0) taken.push(...this.queue.splice(0, this.maxGroupSize));
    }
    this.onGroup?.({ size: taken.length, committed: failure === undefined });
    const settle = (failed: { error: unknown } | undefined): void => {
      taken.forEach((queued, i) => {
        const outcome = outcomes[i];
        const committed = failed === undefined && outcome?.ok === true;
        if (queued.settled !== undefined) notifySettled(queued.settled, committed);
        if (failed !== undefined) queued.reject(outcome !== undefined && !outcome.ok ? outcome.error : failed.error);
        else if (outcome?.ok === true) queued.resolve(outcome.value);
        else queued.reject(outcome?.error);
      });
    };
    if (failure !== undefined || durable === undefined) {
      settle(failure);
      return;
    }
    // Not awaited: the next group is built while the disk flushes this one (pipelining); its callers wait.
    durable.sync().then(
      () => settle(undefined),
      (error: unknown) =>
        settle({ error: new TriageError('TRIAGE_STORE_UNAVAILABLE', [`the write-ahead log could not be flushed to disk: ${error instanceof Error ? error.message : String(error)}`], { cause: error }) }),
    );
  }

  /** The writer thread, when asked for and the database is a SQLite file in WAL mode; else null. */
  private async startWriter(): Promise<{ groups: WriterGroups; writer: SqliteWriter } | null> {
    if (!this.wantsWriter) return null;
    let target: { file: string; synchronous: number; autocheckpoint: number } | undefined;
    const connection: unknown = await this.db.client.acquireConnection();
    try {
      target = sqliteWalFile(connection);
    } finally {
      await this.db.client.releaseConnection(connection);
    }
    if (target === undefined) return null;
    // The thread commits as this connection was set to (FULL as shipped; NORMAL if the owner chose it), and
    // checkpoints as it does, except that a checkpointer thread in charge (this connection's automatic
    // checkpoints off) leaves it only a safety net.
    const autocheckpoint = target.autocheckpoint > 0 ? target.autocheckpoint : WRITER_SAFETY_NET_FRAMES;
    const writer = new SqliteWriter(target.file, { synchronous: target.synchronous, autocheckpoint });
    const groups = new WriterGroups({
      writer,
      maxGroupSize: this.maxGroupSize,
      ...(this.onGroup === undefined ? {} : { onGroup: this.onGroup }),
      notify: notifySettled,
      readCounter: async (name) => {
        const row = (await this.db('counters').where({ name }).first('value')) as { value: number | string } | undefined;
        return row === undefined ? undefined : Number(row.value);
      },
    });
    return { groups, writer };
  }

  private walSyncFor(walFile: string): { sync(): Promise<void> } {
    let sync = this.walSyncs.get(walFile);
    if (sync === undefined) {
      sync = this.makeWalSync(walFile);
      this.walSyncs.set(walFile, sync);
    }
    return sync;
  }

  /**
   * A file database in WAL mode whose connection asks for durable commits
   * (FULL or EXTRA), else null (PostgreSQL, in-memory, NORMAL/OFF by choice).
   * Asked once per connection.
   */
  private sqliteDurability(connection: unknown): SqliteDurability | null {
    if (!isSqliteConnection(connection)) return null;
    const known = this.durability.get(connection);
    if (known !== undefined) return known;
    const wal = sqliteWalFile(connection);
    const found = wal !== undefined && wal.synchronous >= 2 ? { walFile: `${wal.file}-wal`, level: wal.synchronous } : null;
    this.durability.set(connection, found);
    return found;
  }
}

/**
 * A SQLite file in WAL mode (what a second connection can write beside this
 * one), with its synchronous level and its automatic checkpoint size.
 */
function sqliteWalFile(connection: unknown): { file: string; synchronous: number; autocheckpoint: number } | undefined {
  if (!isSqliteConnection(connection)) return undefined;
  const c = connection as unknown as PragmaConnection;
  if (typeof c.name !== 'string' || c.name === '' || c.memory === true || typeof c.pragma !== 'function') return undefined;
  if (String(c.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return undefined;
  return { file: c.name, synchronous: Number(c.pragma('synchronous', { simple: true })), autocheckpoint: Number(c.pragma('wal_autocheckpoint', { simple: true })) };
}

function setSynchronous(connection: unknown, level: number): void {
  (connection as PragmaConnection).pragma(`synchronous = ${level}`);
}

/**
 * Plain SAVEPOINT statements rather than knex's nested transactions: one
 * statement each way instead of a transaction object per piece, and the
 * piece keeps the group's transaction object, whose `executionPromise` is the
 * real COMMIT (the outbox wakes its worker on it).
 */
async function runInSavepoint(trx: Knex.Transaction, sql: SqlRunner, queued: Queued): Promise<Outcome> {
  await sql.run('savepoint group_commit_item');
  try {
    const value = await queued.work(trx, sql, { settled: (callback) => (queued.settled ??= []).push(callback) });
    await sql.run('release savepoint group_commit_item');
    return { ok: true, value };
  } catch (error) {
    // If this fails too, the transaction itself is broken (SQLite rolls the whole
    // transaction back on e.g. SQLITE_FULL): the group fails and every piece with it.
    await sql.run('rollback to savepoint group_commit_item');
    await sql.run('release savepoint group_commit_item');
    return { ok: false, error };
  }
}

/**
 * CommitHooks for a top-level knex transaction (no group): it commits as a
 * whole, so its own promise tells. Not for a nested transaction, whose
 * promise settles at its savepoint's release, before the outer COMMIT.
 */
export function transactionCommitHooks(trx: Knex.Transaction): CommitHooks {
  return {
    settled(callback) {
      trx.executionPromise.then(
        () => notifySettled([callback], true),
        () => notifySettled([callback], false),
      );
    },
  };
}

/** Callbacks are the callers' business: one that throws must not keep the others (or the answers) from running. */
function notifySettled(callbacks: ReadonlyArray<(committed: boolean) => void>, committed: boolean): void {
  for (const callback of callbacks) {
    try {
      callback(committed);
    } catch {
      // See above.
    }
  }
}

/**
 * SQLite may leave the transaction open when COMMIT fails (a deferred
 * constraint, an I/O error), and knex does not roll it back: the pooled
 * connection would then refuse every later BEGIN. better-sqlite3 says whether
 * a transaction is open; PostgreSQL always ends it, so there is nothing to do.
 */
function endOpenSqliteTransaction(connection: unknown): void {
  const sqlite = connection as { inTransaction?: unknown; exec?: (sql: string) => unknown };
  if (sqlite.inTransaction !== true || typeof sqlite.exec !== 'function') return;
  try {
    sqlite.exec('rollback');
  } catch {
    // Already rolled back by SQLite itself.
  }
}
