import type { Knex } from 'knex';

interface PatchableClient {
  transaction: (...args: unknown[]) => { begin: (connection: unknown) => unknown; query: (connection: unknown, sql: string) => unknown };
}

/**
 * Make the knex transactions of a SQLite database begin with BEGIN IMMEDIATE
 * (take the write lock at once) instead of BEGIN (take it at the first write).
 *
 * Needed once another connection writes the same file: the SQLite writer
 * thread (engine/store/sqlite-writer.ts). A deferred transaction that read
 * first and then writes after that connection committed fails at once with
 * SQLITE_BUSY_SNAPSHOT, busy timeout or not (its snapshot is too old to
 * write from). Taking the lock at BEGIN waits on busy_timeout instead, and
 * then reads the newest data. Nested transactions (savepoints) are not
 * affected. What it costs: a transaction that only reads also waits for the
 * writer thread's batch in progress (a millisecond or two).
 */
export function beginImmediate(db: Knex): void {
  const client = db.client as unknown as PatchableClient;
  const make = client.transaction.bind(client);
  client.transaction = (...args: unknown[]) => {
    const trx = make(...args);
    // knex calls begin() after the connection is acquired, later than this.
    trx.begin = (connection: unknown) => trx.query(connection, 'BEGIN IMMEDIATE;');
    return trx;
  };
}
