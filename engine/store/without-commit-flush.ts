import type { Knex } from 'knex';
import { databaseDialect } from './database-dialect.js';
import { isSqliteConnection } from './sql-runner.js';

interface PragmaConnection {
  pragma(source: string, options?: { simple?: boolean }): unknown;
}

/**
 * Run `work` on the database's connection with SQLite's per-commit fsync off
 * (`synchronous = NORMAL`), then put the connection's setting back.
 *
 * Only for writes whose loss on a power failure is already a case the design
 * handles: an outbox claim or outcome that rolls back is claimed and carried
 * out again under the same idempotency key (at least once, docs/outbox.md).
 * With better-sqlite3 an fsync in COMMIT blocks the whole server; the outbox
 * commits twice per round. SQLite stays consistent with NORMAL; only the last
 * commits may roll back, and the next FULL commit (any ticket write) flushes
 * them anyway. On PostgreSQL `work` gets no connection and runs as usual.
 * On SQLite `work` must run every query on the connection it is given (the
 * pool has one connection, held here): `.connection(c)` or
 * `db.transaction(fn, { connection: c })`.
 */
export async function withoutCommitFlush<T>(db: Knex, work: (connection: unknown) => Promise<T>): Promise<T> {
  if (databaseDialect(db) !== 'sqlite') return work(undefined);
  const connection: unknown = await db.client.acquireConnection();
  try {
    if (!isSqliteConnection(connection)) return await work(undefined);
    const c = connection as unknown as PragmaConnection;
    const level = Number(c.pragma('synchronous', { simple: true }));
    if (level >= 2) c.pragma('synchronous = 1');
    try {
      return await work(connection);
    } finally {
      if (level >= 2) c.pragma(`synchronous = ${level}`);
    }
  } finally {
    await db.client.releaseConnection(connection);
  }
}
