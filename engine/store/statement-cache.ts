import type BetterSqlite3 from 'better-sqlite3';

/** Enough for every distinct statement of the hot paths (multi-row inserts differ by row count). */
export const DEFAULT_STATEMENT_CACHE_SIZE = 500;

/**
 * Make `conn.prepare` reuse prepared statements, keyed by their SQL text
 * (least recently used evicted first).
 *
 * knex's better-sqlite3 client prepares every query anew; preparing costs about
 * as much as running a small statement (a quarter of a ticket's SQLite time
 * in the profile behind docs/store.md). knex only runs a statement to
 * completion (`all`/`run`, synchronously), never iterates it, so a statement
 * is never busy when it is handed out again. SQLite re-prepares a cached
 * statement by itself after a schema change (migrations).
 */
export function cacheStatements(conn: BetterSqlite3.Database, maxSize = DEFAULT_STATEMENT_CACHE_SIZE): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, BetterSqlite3.Statement>();
  const cached = (sql: string): BetterSqlite3.Statement => {
    const hit = cache.get(sql);
    if (hit !== undefined) {
      // Map order is insertion order: move the hit to the young end.
      cache.delete(sql);
      cache.set(sql, hit);
      return hit;
    }
    const statement = prepare(sql);
    if (cache.size >= maxSize) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(sql, statement);
    return statement;
  };
  conn.prepare = cached as BetterSqlite3.Database['prepare'];
}
