import type { DatabaseDialect } from '../store/database-dialect.js';
import type { SqlRunner } from '../store/sql-runner.js';

const COUNTER = 'ticket';

/** The PostgreSQL sequence behind ticket numbers (migration 0013). */
export const TICKET_NUMBER_SEQUENCE = 'ticket_number_seq';

/** `T-000042`; grows past six digits instead of wrapping. */
export function formatTicketNumber(n: number): string {
  return `T-${String(n).padStart(6, '0')}`;
}

/**
 * Take the next ticket number inside the creating transaction.
 *
 * PostgreSQL: `nextval` of a sequence (migration 0013). A sequence is not
 * transactional, so creators on several instances never wait on each other
 * (the former counter row was one row lock every create of every instance
 * queued on until commit). The price: a create that rolls back (a failed
 * decision, a re-delivery that lost its race) burns its number, so numbers
 * are unique and increasing but may have gaps.
 *
 * SQLite: the `counters` row. The UPDATE makes the transaction a writer before
 * it reads anything, so a second process waits on busy_timeout instead of
 * failing with SQLITE_BUSY_SNAPSHOT; there is one writer anyway, so the row
 * costs no concurrency, and a rolled-back create rolls the counter back too
 * (gap-free).
 */
export async function allocateTicketNumber(sql: SqlRunner, dialect: DatabaseDialect): Promise<string> {
  if (dialect === 'postgres') {
    const rows = await sql.run(`select nextval('${TICKET_NUMBER_SEQUENCE}') as "value"`);
    if (rows.length !== 1) throw new Error(`sequence ${TICKET_NUMBER_SEQUENCE} answered no value; run migrateToLatest first`);
    return formatTicketNumber(Number(rows[0]?.value));
  }
  // On the writer thread's path the value is known ahead and claimed with a compare-and-set (counter-allocator.ts).
  if (sql.counter !== undefined) return formatTicketNumber(await sql.counter(COUNTER));
  // One statement (RETURNING works on SQLite ≥ 3.35) instead of an UPDATE and a SELECT.
  const rows = await sql.run('update "counters" set "value" = "value" + 1 where "name" = ? returning "value"', [COUNTER]);
  if (rows.length !== 1) throw new Error(`counters row "${COUNTER}" is missing; run migrateToLatest first`);
  return formatTicketNumber(Number(rows[0]?.value));
}
