import type { Knex } from 'knex';
import { databaseDialect } from './database-dialect.js';
import { isSqliteConnection, knexRunner, sqliteRunner, type SqlRunner } from './sql-runner.js';

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
    return await work(isSqliteConnection(connection) ? sqliteRunner(connection) : knexRunner(db));
  } finally {
    await db.client.releaseConnection(connection);
  }
}

function isTransaction(db: Knex | Knex.Transaction): db is Knex.Transaction {
  return (db as Partial<Knex.Transaction>).isTransaction === true;
}
