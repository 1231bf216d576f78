import type { Knex } from 'knex';

/**
 * Indexes for reports (docs/reports.md) that select by something other than
 * the creation time: `load` counts tickets solved in a range, `csat` answers
 * given in a range. The solved_at index is partial (only solved tickets), so
 * creating a ticket (solved_at null) writes no entry to it and ingest costs
 * nothing more. Partial indexes work the same on SQLite and PostgreSQL.
 */
export const reportIndexesSchema: Knex.Migration = {
  async up(knex) {
    await knex.schema.alterTable('tickets', (t) => {
      t.index(['solved_at'], 'tickets_solved_at_reports', { predicate: knex.whereNotNull('solved_at') });
    });
    await knex.schema.alterTable('csat_responses', (t) => {
      t.index(['created_at'], 'csat_responses_created_at');
    });
  },

  async down(knex) {
    await knex.schema.alterTable('csat_responses', (t) => {
      t.dropIndex(['created_at'], 'csat_responses_created_at');
    });
    await knex.schema.alterTable('tickets', (t) => {
      t.dropIndex(['solved_at'], 'tickets_solved_at_reports');
    });
  },
};
