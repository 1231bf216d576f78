import type { Knex } from 'knex';
import { databaseDialect } from '../database-dialect.js';

/**
 * Tickets, messages, customers, tags, the audit trail and stored decisions.
 *
 * Conventions (docs/store.md): ids are text UUIDs made by the application;
 * times are ISO-8601 UTC text; JSON is text. The same column types therefore
 * read back identically from SQLite and PostgreSQL.
 */
export const initialSchema: Knex.Migration = {
  async up(knex) {
    // On PostgreSQL text sorts by the database collation, which may ignore
    // punctuation; byte order ("C") keeps ISO times and tags in plain order.
    const pg = databaseDialect(knex) === 'postgres';
    const time = (t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder =>
      pg ? t.specificType(name, 'text collate "C"') : t.text(name);

    await knex.schema.createTable('counters', (t) => {
      t.text('name').primary();
      t.integer('value').notNullable();
    });
    await knex('counters').insert({ name: 'ticket', value: 0 });

    await knex.schema.createTable('customers', (t) => {
      t.text('id').primary();
      t.text('name');
      t.text('segment');
      t.text('data');
      time(t, 'created_at').notNullable();
    });

    await knex.schema.createTable('customer_identities', (t) => {
      t.text('kind').notNullable();
      t.text('value').notNullable();
      t.text('customer_id').notNullable().references('id').inTable('customers').onDelete('CASCADE');
      time(t, 'created_at').notNullable();
      // One e-mail / phone / domain belongs to exactly one customer (R7).
      t.primary(['kind', 'value']);
      t.index(['customer_id']);
    });

    await knex.schema.createTable('tickets', (t) => {
      t.text('id').primary();
      t.text('number').notNullable().unique();
      t.text('source').notNullable();
      t.text('external_id').notNullable();
      t.text('subject').notNullable();
      t.text('status').notNullable();
      t.text('category');
      t.text('priority');
      t.text('team');
      t.text('queue');
      t.text('assignee');
      t.text('language');
      t.text('type');
      t.text('customer_id').references('id').inTable('customers').onDelete('SET NULL');
      t.text('channel');
      t.boolean('review').notNullable().defaultTo(false);
      time(t, 'created_at').notNullable();
      time(t, 'updated_at').notNullable();
      time(t, 'first_response_at');
      time(t, 'solved_at');
      time(t, 'closed_at');
      t.text('rule_set_version');
      t.text('data');
      // Re-delivery of the same mail / webhook is a no-op (R3).
      t.unique(['source', 'external_id']);
      t.index(['status']);
      t.index(['team']);
      t.index(['customer_id']);
      t.index(['created_at']);
    });

    await knex.schema.createTable('messages', (t) => {
      t.text('id').primary();
      t.text('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
      t.text('direction').notNullable();
      t.text('kind').notNullable();
      t.text('from_address');
      t.text('from_name');
      t.text('to');
      t.text('cc');
      t.text('subject');
      t.text('text');
      t.text('html');
      t.text('headers');
      t.text('message_id');
      t.text('in_reply_to');
      t.text('attachments');
      t.text('data');
      time(t, 'created_at').notNullable();
      t.index(['ticket_id', 'created_at']);
      // Threading (R2) looks tickets up by Message-ID.
      t.index(['message_id']);
    });

    await knex.schema.createTable('ticket_tags', (t) => {
      t.text('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
      (pg ? t.specificType('tag', 'text collate "C"') : t.text('tag')).notNullable();
      t.primary(['ticket_id', 'tag']);
      t.index(['tag']);
    });

    await knex.schema.createTable('audit_events', (t) => {
      t.text('id').primary();
      t.text('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
      // Position in the ticket's trail: rows of one transaction share `at`, so
      // `at` alone cannot order them. Allocated under the ticket's row lock.
      t.integer('seq').notNullable();
      time(t, 'at').notNullable();
      t.text('actor_type').notNullable();
      t.text('actor_id').notNullable();
      t.text('rule_set_version');
      t.text('event');
      t.text('action').notNullable();
      t.text('field');
      t.text('old_value');
      t.text('new_value');
      t.text('data');
      t.unique(['ticket_id', 'seq']);
    });

    await knex.schema.createTable('decisions', (t) => {
      t.text('id').primary();
      t.text('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
      t.text('event').notNullable();
      t.text('rule_set_version').notNullable();
      t.text('decision').notNullable();
      time(t, 'created_at').notNullable();
      // seq of the matching `decision` row in audit_events: orders a ticket's
      // decisions and links each to its place in the trail.
      t.integer('seq').notNullable();
      t.index(['ticket_id', 'seq']);
      t.index(['rule_set_version']);
    });
  },

  async down(knex) {
    for (const table of ['decisions', 'audit_events', 'ticket_tags', 'messages', 'tickets', 'customer_identities', 'customers', 'counters']) {
      await knex.schema.dropTableIfExists(table);
    }
  },
};
