import type { Knex } from 'knex';
import { databaseDialect } from '../database-dialect.js';

/**
 * Order lookup retries (docs/orders.md): one row per ticket whose order
 * lookup did not answer in time. The same shape as `enrichment_jobs` (0005),
 * but its own table: that one is keyed by ticket, and a shop outage and a CRM
 * outage usually hit the same ticket at once. Only the question is kept (the
 * order number and the sender to compare), never the shop's answer.
 */
export const ordersSchema: Knex.Migration = {
  async up(knex) {
    const pg = databaseDialect(knex) === 'postgres';
    const time = (t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder =>
      pg ? t.specificType(name, 'text collate "C"') : t.text(name);

    await knex.schema.createTable('order_jobs', (t) => {
      // No foreign key, as for enrichment_jobs: the job is written before the ticket's transaction commits.
      t.text('ticket_id').primary();
      // JSON { number, sender: { email, phone } }; personal data, so it goes with the job.
      t.text('lookup').notNullable();
      // pending | failed
      t.text('state').notNullable();
      t.integer('attempts').notNullable().defaultTo(0);
      time(t, 'next_attempt_at').notNullable();
      t.text('last_error');
      time(t, 'created_at').notNullable();
      time(t, 'updated_at').notNullable();
      t.index(['state', 'next_attempt_at']);
    });
  },

  async down(knex) {
    await knex.schema.dropTableIfExists('order_jobs');
  },
};
