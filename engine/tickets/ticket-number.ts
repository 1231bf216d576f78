import type { SqlRunner } from '../store/sql-runner.js';

const COUNTER = 'ticket';

/** `T-000042`; grows past six digits instead of wrapping. */
export function formatTicketNumber(n: number): string {
  return `T-${String(n).padStart(6, '0')}`;
}

/**
 * Take the next ticket number inside the creating transaction.
 *
 * The UPDATE comes first on purpose: on PostgreSQL it row-locks the counter
 * until commit, so concurrent creators (several instances) queue and numbers
 * stay unique; on SQLite it makes the transaction a writer before it reads
 * anything, so a second process waits on busy_timeout instead of failing with
 * SQLITE_BUSY_SNAPSHOT. A rolled-back create rolls the counter back too, so
 * numbers are gap-free.
 */
export async function allocateTicketNumber(sql: SqlRunner): Promise<string> {
  // One statement (RETURNING works on PostgreSQL and SQLite ≥ 3.35) instead of an UPDATE and a SELECT.
  const rows = await sql.run('update "counters" set "value" = "value" + 1 where "name" = ? returning "value"', [COUNTER]);
  if (rows.length !== 1) throw new Error(`counters row "${COUNTER}" is missing; run migrateToLatest first`);
  return formatTicketNumber(Number(rows[0]?.value));
}
