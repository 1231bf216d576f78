import type { Knex } from 'knex';
import { TriageError } from '../errors/triage-error.js';
import { CodeMigrationSource } from './code-migration-source.js';
import { migrations as allMigrations, type NamedMigration } from './migrations/migrations.js';
import { databaseDialect } from './database-dialect.js';
import { isUniqueViolation } from './is-unique-violation.js';

export interface MigrationResult {
  /** Names of the migrations this call applied (empty when already up to date). */
  applied: string[];
}

/** pg_advisory_xact_lock key that serializes triage migrations across instances. */
const PG_MIGRATION_LOCK_KEY = 7_346_152_019;
const ATTEMPTS = 20;
const RETRY_DELAY_MS = 250;

/**
 * Bring the schema up to date. Safe to call on every start, also from several
 * instances at once.
 *
 * On PostgreSQL the whole run holds a transaction-scoped advisory lock (on a
 * separate pooled connection): knex's own lock table is itself created and
 * seeded without a lock, so two first starts could race on it. On SQLite
 * (one machine, usually one process) knex's lock table plus a retry suffices.
 */
export async function migrateToLatest(db: Knex, options: { migrations?: readonly NamedMigration[] } = {}): Promise<MigrationResult> {
  const list = options.migrations ?? allMigrations;
  try {
    if (databaseDialect(db) === 'postgres') {
      return await db.transaction(async (lock) => {
        await lock.raw('select pg_advisory_xact_lock(?)', [PG_MIGRATION_LOCK_KEY]);
        return latestWithRetry(db, list);
      });
    }
    return await latestWithRetry(db, list);
  } catch (error) {
    if (isConnectionError(error)) throw new TriageError('TRIAGE_STORE_UNAVAILABLE', [errorText(error)], { cause: error });
    throw error;
  }
}

async function latestWithRetry(db: Knex, list: readonly NamedMigration[]): Promise<MigrationResult> {
  await refuseUnknownOlderMigrations(db, list);
  // knex refuses to run when the database has migrations this code does not
  // know. During a rolling upgrade that is the normal case for the previous
  // version (a newer instance migrated first; migrations are additive, so the
  // old code works on the new schema): newer migrations are allowed, the
  // check above still refuses anything else (docs/deployment.md).
  const config: Knex.MigratorConfig = { migrationSource: new CodeMigrationSource(list), disableMigrationsListValidation: true };
  for (let attempt = 1; ; attempt++) {
    try {
      const [, applied] = (await db.migrate.latest(config)) as [number, string[]];
      return { applied };
    } catch (error) {
      if (attempt >= ATTEMPTS || !isConcurrentMigration(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    }
  }
}

/**
 * Applied migrations this code does not know are fine when they all come
 * after its last one (a newer version ran them); one in between means the list
 * was edited (a renamed or removed migration) and the schema cannot be trusted.
 */
async function refuseUnknownOlderMigrations(db: Knex, list: readonly NamedMigration[]): Promise<void> {
  if (!(await db.schema.hasTable('knex_migrations'))) return;
  const known = new Set(list.map((m) => m.name));
  const last = list.at(-1)?.name ?? '';
  const applied = ((await db('knex_migrations').select('name')) as { name: string }[]).map((r) => r.name);
  const misplaced = applied.filter((name) => !known.has(name) && name <= last);
  if (misplaced.length > 0) throw new TriageError('TRIAGE_CLUSTER_MIGRATION_UNKNOWN', [misplaced.join(', '), last]);
}

function isConcurrentMigration(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  const message = error instanceof Error ? error.message : '';
  // MigrationLocked: another process holds knex_migrations_lock.
  // 42P07 duplicate_table / SQLite "already exists": another process created
  // knex's bookkeeping tables first.
  return name === 'MigrationLocked' || code === '42P07' || isUniqueViolation(error) || /knex_migrations\S*` already exists/.test(message);
}

function isConnectionError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === '57P03' || code === '3D000';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
