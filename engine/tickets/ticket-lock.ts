import type { Knex } from 'knex';

/**
 * Take the ticket's write lock as the first statement of a transaction, with
 * SQL that is the same on both stores: a no-op UPDATE. On PostgreSQL it
 * row-locks the ticket until commit, so concurrent changes to one ticket queue
 * (several instances); on SQLite it makes the transaction a writer before it
 * reads, so another process waits on busy_timeout instead of failing with
 * SQLITE_BUSY_SNAPSHOT. Returns false when there is no such ticket.
 */
export async function lockTicket(trx: Knex.Transaction, ticketId: string): Promise<boolean> {
  const updated = await trx('tickets').where({ id: ticketId }).update({ updated_at: trx.raw('??', ['updated_at']) });
  return Number(updated) === 1;
}
