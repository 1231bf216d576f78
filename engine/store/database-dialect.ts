import type { Knex } from 'knex';

export type DatabaseDialect = 'postgres' | 'sqlite';

/**
 * The few places where SQL must differ (row locks, collations) ask this
 * instead of sniffing driver internals themselves.
 */
export function databaseDialect(db: Knex | Knex.Transaction): DatabaseDialect {
  const client: unknown = (db.client as { config?: { client?: unknown } }).config?.client;
  return client === 'pg' || client === 'postgres' || client === 'postgresql' ? 'postgres' : 'sqlite';
}
