import type { Knex } from 'knex';
import { databaseDialect } from './database-dialect.js';
import { isSqliteConnection, knexRunner, sqliteRunner, type SqliteConnection, type SqlRunner } from './sql-runner.js';

/** The better-sqlite3 connection knex's SQLite pool handed out last, per knex client (see queryOnConnection). */
const known = new WeakMap<object, SqliteConnection>();

/**
 * Run `work` with a SqlRunner on the database's own connection: on SQLite
 * straight on the better-sqlite3 connection (taken from knex's pool for the
 * duration, so it waits for a transaction in progress exactly as a knex query
 * would), through knex otherwise (PostgreSQL, or a transaction object).
 *
 * For plain-SQL statements on hot paths outside a transaction, such as the
 * customer lookup before every new ticket: knex's query machinery (query
 * objects, bindings formatting, events, pool hops) cost more than the lookup
 * itself in the ingest profile (docs/performance.md).
 */
export async function runOnConnection<T>(db: Knex | Knex.Transaction, work: (sql: SqlRunner) => Promise<T>): Promise<T> {
  // A transaction object already holds its connection; knex runs its queries on it.
  if (isTransaction(db) || databaseDialect(db) !== 'sqlite') return work(knexRunner(db));
  const connection: unknown = await db.client.acquireConnection();
  try {
    if (!isSqliteConnection(connection)) return await work(knexRunner(db));
    known.set(db.client as object, connection);
    return await work(sqliteRunner(connection));
  } finally {
    await db.client.releaseConnection(connection);
  }
}

/**
 * One statement on the database's own connection, as runOnConnection, but on
 * SQLite without the pool's round trip when the connection is idle: no
 * transaction open on it (`inTransaction`, which SQLite itself reports).
 * better-sqlite3 runs a statement to completion synchronously, so nothing
 * can interleave with it, and outside a transaction it reads only what is
 * committed, as it would after waiting for the pool. With a transaction open
 * (a customer being created, a migration) it queues behind it in the pool as
 * before. Only for a single statement: between two calls another caller may
 * open a transaction, which the next call then waits for.
 *
 * The pool's acquire and release, two promises deep, cost more than the
 * statements of the customer lookup before every new ticket.
 */
export function queryOnConnection(db: Knex | Knex.Transaction, sql: string, bindings: readonly unknown[] = []): Promise<Array<Record<string, unknown>>> {
  const connection = isTransaction(db) ? undefined : known.get(db.client as object);
  if (connection !== undefined && connection.open && !connection.inTransaction) return sqliteRunner(connection).run(sql, bindings);
  return runOnConnection(db, (runner) => runner.run(sql, bindings));
}

function isTransaction(db: Knex | Knex.Transaction): db is Knex.Transaction {
  return (db as Partial<Knex.Transaction>).isTransaction === true;
}
