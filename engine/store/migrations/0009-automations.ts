import type { Knex } from 'knex';
import { databaseDialect } from '../database-dialect.js';

/**
 * Scheduled automations and CSAT (R17, R18, docs/automations.md). Same
 * conventions as 0001: text ids, ISO-8601 UTC text times (byte-ordered on
 * PostgreSQL, so text order is time order), JSON as text.
 */
export const automationsSchema: Knex.Migration = {
  async up(knex) {
    const pg = databaseDialect(knex) === 'postgres';
    const time = (t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder =>
      pg ? t.specificType(name, 'text collate "C"') : t.text(name);

    // One row per `schedule.<name>` event owed to one ticket (a followUp action).
    await knex.schema.createTable('scheduled_events', (t) => {
      t.text('id').primary();
      // Who asked for it, e.g. `outbox:<idempotency key>`: unique, so a retried
      // delivery of the same followUp never schedules twice.
      t.text('source_key').notNullable().unique();
      // No foreign key: an erased ticket's rows are dropped by the sweeper (and by GDPR erase).
      t.text('ticket_id').notNullable();
      t.text('event').notNullable();
      t.text('rule_id');
      // pending → done (raised) | dead (gave up, with last_error)
      t.text('status').notNullable();
      time(t, 'due_at').notNullable();
      // A claim reserves the row until then (several instances, crash safety).
      time(t, 'lease_until');
      t.integer('attempts').notNullable().defaultTo(0);
      t.text('last_error');
      time(t, 'created_at').notNullable();
      time(t, 'done_at');
      // The sweep query: due pending rows only; its cost grows with due rows, not with all rows.
      t.index(['status', 'due_at']);
      t.index(['ticket_id']);
    });

    // One row per cron tick of a rule-set schedule: the tick's identity, so a
    // restart or a second instance never runs the same tick twice.
    await knex.schema.createTable('schedule_ticks', (t) => {
      t.text('schedule').notNullable();
      time(t, 'tick_at').notNullable();
      // running → done
      t.text('status').notNullable();
      // Tickets are walked in id order in bounded batches; the last id handled.
      t.text('cursor');
      t.integer('raised').notNullable().defaultTo(0);
      time(t, 'lease_until');
      time(t, 'started_at').notNullable();
      time(t, 'finished_at');
      t.primary(['schedule', 'tick_at']);
    });

    // Each ticket once per tick: written in the transaction of the ticket's decision.
    await knex.schema.createTable('schedule_tick_tickets', (t) => {
      t.text('schedule').notNullable();
      time(t, 'tick_at').notNullable();
      t.text('ticket_id').notNullable();
      t.primary(['schedule', 'tick_at', 'ticket_id']);
      t.index(['ticket_id']);
    });

    // Customer satisfaction answers (R18): one per survey token.
    await knex.schema.createTable('csat_responses', (t) => {
      t.text('id').primary();
      // The token's nonce: unique, so a token is used once.
      t.text('token_id').notNullable().unique();
      t.text('ticket_id').notNullable();
      t.integer('score').notNullable();
      // Free text from the customer: personal data (GDPR erase clears it).
      t.text('comment');
      time(t, 'created_at').notNullable();
      t.index(['ticket_id']);
    });

    // Secrets the server generates for itself (the CSAT signing key when none is configured).
    await knex.schema.createTable('automation_secrets', (t) => {
      t.text('name').primary();
      t.text('value').notNullable();
      time(t, 'created_at').notNullable();
    });
  },

  async down(knex) {
    for (const table of ['automation_secrets', 'csat_responses', 'schedule_tick_tickets', 'schedule_ticks', 'scheduled_events']) {
      await knex.schema.dropTableIfExists(table);
    }
  },
};
