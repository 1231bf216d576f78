import type { Knex } from 'knex';
import { databaseDialect } from '../database-dialect.js';

/**
 * The count-only trail of privacy operations (R20, docs/privacy.md): one row
 * per customer erasure and one per retention run. They hold who, when and how
 * many, never the erased or deleted data, and reference nothing that the
 * operation removes, so they outlive it. Same conventions as 0001: text ids,
 * ISO-8601 UTC text times (byte-ordered on PostgreSQL), JSON as text.
 */
export const privacySchema: Knex.Migration = {
  async up(knex) {
    const pg = databaseDialect(knex) === 'postgres';
    const time = (t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder =>
      pg ? t.specificType(name, 'text collate "C"') : t.text(name);

    await knex.schema.createTable('gdpr_erasures', (t) => {
      t.text('id').primary();
      // The customer row stays (anonymized), so its id still means something; no foreign key all the same.
      t.text('customer_id').notNullable();
      t.text('actor').notNullable();
      time(t, 'at').notNullable();
      t.integer('tickets').notNullable();
      // JSON: rows touched per table (messages, identities, audit rows…).
      t.text('counts').notNullable();
      t.index(['customer_id']);
      t.index(['at']);
    });

    await knex.schema.createTable('retention_runs', (t) => {
      t.text('id').primary();
      // cli:<user> or `schedule` (the server's periodic job).
      t.text('actor').notNullable();
      time(t, 'started_at').notNullable();
      time(t, 'finished_at').notNullable();
      t.integer('closed_older_than_days').notNullable();
      // Tickets closed before this instant were deleted.
      time(t, 'cutoff').notNullable();
      t.integer('tickets').notNullable();
      t.integer('messages').notNullable();
      t.integer('tags').notNullable();
      t.integer('decisions').notNullable();
      t.integer('audit_events').notNullable();
      // JSON: rows deleted in other tables (corrections, outbox…).
      t.text('other').notNullable();
      t.index(['started_at']);
    });
  },

  async down(knex) {
    await knex.schema.dropTableIfExists('retention_runs');
    await knex.schema.dropTableIfExists('gdpr_erasures');
  },
};
