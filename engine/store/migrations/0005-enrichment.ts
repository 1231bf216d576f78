import type { Knex } from 'knex';
import { databaseDialect } from '../database-dialect.js';

/**
 * CRM enrichment retries (R8, docs/enrichment.md): one row per ticket whose
 * customer lookup did not answer in time, so a restart does not forget to
 * enrich it. Only the lookup query is kept, never the CRM's answer: the CRM
 * stays the source of truth. Same conventions as 0001: text ids, ISO-8601 UTC
 * text times (byte-ordered on PostgreSQL, so text order is time order), JSON
 * as text.
 */
export const enrichmentSchema: Knex.Migration = {
  async up(knex) {
    const pg = databaseDialect(knex) === 'postgres';
    const time = (t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder =>
      pg ? t.specificType(name, 'text collate "C"') : t.text(name);

    await knex.schema.createTable('enrichment_jobs', (t) => {
      // No foreign key on purpose: the job is written before the ticket's own
      // transaction commits (the CRM is asked outside it). A job whose ticket
      // never appeared, or was erased, is dropped by the retrier.
      t.text('ticket_id').primary();
      // JSON CustomerLookup (e-mail, phone, domain…); personal data, so it goes with the job.
      t.text('lookup').notNullable();
      // pending | failed (gave up after the last attempt; kept for the operator)
      t.text('state').notNullable();
      t.integer('attempts').notNullable().defaultTo(0);
      // When it is due; while an attempt runs, the end of the claim's lease.
      time(t, 'next_attempt_at').notNullable();
      t.text('last_error');
      time(t, 'created_at').notNullable();
      time(t, 'updated_at').notNullable();
      // The claim query: due pending jobs.
      t.index(['state', 'next_attempt_at']);
    });
  },

  async down(knex) {
    await knex.schema.dropTableIfExists('enrichment_jobs');
  },
};
