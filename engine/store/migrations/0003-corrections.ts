import type { Knex } from 'knex';
import { databaseDialect } from '../database-dialect.js';

/**
 * Manual corrections (R13): an agent changing a field whose current value a
 * rule had set. One row per corrected field (per tag for tags), written in the
 * transaction of the agent's change. Same conventions as 0001: text ids,
 * ISO-8601 UTC text times, JSON values as text.
 */
export const correctionsSchema: Knex.Migration = {
  async up(knex) {
    const pg = databaseDialect(knex) === 'postgres';
    const time = (t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder =>
      pg ? t.specificType(name, 'text collate "C"') : t.text(name);

    await knex.schema.createTable('corrections', (t) => {
      t.text('id').primary();
      // Erasure of a ticket (R20) takes its corrections with it.
      t.text('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
      t.text('field').notNullable();
      t.text('rule_id').notNullable();
      t.text('rule_set_version');
      t.text('old_value');
      t.text('new_value');
      t.text('actor').notNullable();
      time(t, 'at').notNullable();
      // seq of the agent's audit row that made the change: orders a ticket's
      // corrections and links each to its place in the trail.
      t.integer('audit_seq').notNullable();
      t.index(['ticket_id']);
      // Correction analytics group by rule and rule-set version (R13, R19).
      t.index(['rule_id', 'rule_set_version']);
      t.index(['at']);
    });
  },

  async down(knex) {
    await knex.schema.dropTableIfExists('corrections');
  },
};
