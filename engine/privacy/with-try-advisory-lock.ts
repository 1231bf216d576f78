import type { Knex } from 'knex';
import { databaseDialect } from '../store/database-dialect.js';

export type LockOutcome<T> = { acquired: true; value: T } | { acquired: false };

/**
 * Run `work` only if no other instance holds the PostgreSQL advisory lock
 * `key`; otherwise return at once. The lock is transaction-scoped
 * (pg_try_advisory_xact_lock) on a connection of its own that stays open for
 * the duration: it cannot leak into the pool if an unlock is missed, and it is
 * released if the process dies. `work` runs on other connections, so its own
 * transactions commit as they go.
 *
 * SQLite has no advisory locks and needs none: one file, one writer at a time,
 * and `work` must be safe to run twice anyway.
 */
export async function withTryAdvisoryLock<T>(db: Knex, key: number, work: () => Promise<T>): Promise<LockOutcome<T>> {
  if (databaseDialect(db) !== 'postgres') return { acquired: true, value: await work() };
  const holder = await db.transaction();
  try {
    const result = (await holder.raw('select pg_try_advisory_xact_lock(?) as locked', [key])) as { rows: { locked: boolean }[] };
    if (result.rows[0]?.locked !== true) return { acquired: false };
    return { acquired: true, value: await work() };
  } finally {
    // Commit, not rollback: nothing was written, and a rollback without an error rejects knex's transaction promise.
    await holder.commit();
  }
}
