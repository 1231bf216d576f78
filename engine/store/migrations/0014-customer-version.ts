import type { Knex } from 'knex';
import { databaseDialect } from '../database-dialect.js';

/** The `counters` row every change to customers or their identities moves on (SQLite only). */
export const CUSTOMERS_VERSION_COUNTER = 'customers';

const TABLES = ['customers', 'customer_identities'] as const;
const OPERATIONS = ['insert', 'update', 'delete'] as const;

/**
 * SQLite: a version of the customer data, moved on by triggers in the same
 * transaction as every INSERT, UPDATE or DELETE on `customers` and
 * `customer_identities`, whoever writes them (this server, `triage gdpr
 * erase` in another process, a hand-made fix in the sqlite3 shell).
 *
 * The server keeps the customers new tickets resolved to in memory
 * (engine/tickets/customer-lookup-cache.ts) and answers from there only while
 * this number is unchanged: reading one counter row is a fraction of the
 * three-table lookup it saves on every new ticket, and an erased or merged
 * customer is never attached to a new ticket from a stale copy.
 *
 * PostgreSQL: nothing (the lookup is not cached there; several instances and
 * their connections would make the row a point of contention).
 */
export const customerVersionSchema: Knex.Migration = {
  async up(knex) {
    if (databaseDialect(knex) !== 'sqlite') return;
    await knex('counters').insert({ name: CUSTOMERS_VERSION_COUNTER, value: 0 }).onConflict('name').ignore();
    for (const table of TABLES) {
      for (const operation of OPERATIONS) {
        await knex.raw(
          `create trigger "${table}_${operation}_version" after ${operation} on "${table}" ` +
            `begin update "counters" set "value" = "value" + 1 where "name" = '${CUSTOMERS_VERSION_COUNTER}'; end`,
        );
      }
    }
  },

  async down(knex) {
    if (databaseDialect(knex) !== 'sqlite') return;
    for (const table of TABLES) {
      for (const operation of OPERATIONS) await knex.raw(`drop trigger if exists "${table}_${operation}_version"`);
    }
    await knex('counters').where({ name: CUSTOMERS_VERSION_COUNTER }).delete();
  },
};
