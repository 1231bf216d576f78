import type BetterSqlite3 from 'better-sqlite3';

/** How long a SQLite writer waits for another writer before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * The settings of every connection that writes the database file: the
 * server's pooled connection (create-database.ts) and the writer thread's
 * (sqlite-writer-thread.ts), so both commit the same way.
 */
export function applySqlitePragmas(conn: BetterSqlite3.Database): void {
  // WAL lets readers (other processes, `triage report`) run while we write.
  conn.pragma('journal_mode = WAL');
  // FULL: every commit is fsynced before it returns, so an acknowledged ticket survives a power
  // loss, not only a crash of the process (NORMAL, better-sqlite3's default in WAL mode, may lose
  // the last commits on power loss). Affordable because ticket creates share commits
  // (group commit, engine/tickets/group-commit.ts); see docs/store.md "Durability".
  conn.pragma('synchronous = FULL');
  conn.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  // SQLite ships with foreign keys off; the schema relies on them.
  conn.pragma('foreign_keys = ON');
  // 32 MiB of page cache instead of SQLite's 2 MiB: a ticket touches about forty index pages across
  // seven tables, and with the default cache a busy server re-reads them from the WAL on every insert.
  // The cache only grows as pages are used.
  conn.pragma('cache_size = -32768');
  // Temporary files in memory. The one that matters is the savepoint journal: every ticket of a group
  // commit runs in a SAVEPOINT, SQLite copies each page the ticket first touches into that journal, and
  // past 64 KiB (a handful of tickets) it spills to a temporary file: two write() calls per page, most of
  // the ingest path's system calls (docs/store.md "Group commit and durability"). In memory it is a copy. The same setting
  // keeps sorts and GROUP BYs in memory; what this connection sorts is paged or aggregated.
  conn.pragma('temp_store = memory');
}
