import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { DEFAULT_SQLITE_PATH, isPostgresUrl, type DatabaseOptions } from '../store/create-database.js';
import { TriageError } from '../errors/triage-error.js';

/**
 * The store opened so that nothing can be written: governance reports and
 * replays read production data (or a snapshot of it) and must never change
 * it. SQLite opens the file read-only (a missing file is an error, not a new
 * empty database); PostgreSQL sessions default to read-only transactions.
 * No migrations run: a read-only reader must not upgrade the schema.
 */
export async function openReadOnlyDatabase(options: DatabaseOptions = {}): Promise<Knex> {
  let db: Knex;
  if (isPostgresUrl(options.url)) {
    db = knexFactory({
      client: 'pg',
      connection: { connectionString: options.url, options: '-c default_transaction_read_only=on' },
      pool: { min: 0, max: 4 },
      acquireConnectionTimeout: 10_000,
    });
  } else {
    const filename = resolve(options.sqlitePath ?? DEFAULT_SQLITE_PATH);
    if (!existsSync(filename)) throw new TriageError('TRIAGE_STORE_UNAVAILABLE', [`SQLite file ${filename} does not exist`]);
    db = knexFactory({ client: 'better-sqlite3', connection: { filename, options: { readonly: true } }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
  }
  try {
    await db.raw('select 1');
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw new TriageError('TRIAGE_STORE_UNAVAILABLE', [error instanceof Error ? error.message : String(error)], { cause: error });
  }
  return db;
}

/** Fails with a coded error when a table the reports read is missing (an unmigrated database). */
export async function requireTables(db: Knex, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    if (!(await db.schema.hasTable(table))) throw new TriageError('TRIAGE_GOVERNANCE_STORE_NOT_READY', [table]);
  }
}
