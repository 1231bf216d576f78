import type { Knex } from 'knex';
import { databaseDialect } from '../database-dialect.js';

/**
 * The outbox (docs/outbox.md): one row per action a decision took, written in
 * the decision's transaction; every delivery attempt; and the audit of the
 * operators' retries and drops. Same conventions as 0001: text ids, ISO-8601
 * UTC text times (byte-ordered on PostgreSQL, so text order is time order),
 * JSON as text.
 */
export const outboxSchema: Knex.Migration = {
  async up(knex) {
    const pg = databaseDialect(knex) === 'postgres';
    const time = (t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder =>
      pg ? t.specificType(name, 'text collate "C"') : t.text(name);

    await knex.schema.createTable('outbox', (t) => {
      t.text('id').primary();
      // `${ticketId}:${ruleId}:${event}:${decisionId}:${actionIndex}`: a retried
      // write cannot add a second row, a new decision always adds new ones.
      t.text('idempotency_key').notNullable().unique();
      // Erasure of a ticket (R20) takes its outbox rows (rendered params hold personal data) with it.
      t.text('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
      t.text('decision_id').notNullable();
      t.text('rule_id').notNullable();
      t.text('rule_set_version').notNullable();
      t.text('event').notNullable();
      t.integer('action_index').notNullable();
      t.text('action_type').notNullable();
      // Connection name for connector operations; null for built-in ticket actions.
      t.text('connection');
      t.text('params').notNullable();
      t.text('status').notNullable();
      // Claims so far (a claim counts before the call, so a crash mid-call still uses up an attempt).
      t.integer('attempts').notNullable().defaultTo(0);
      // attempts at the last manual retry: the worker's budget of maxAttempts starts there.
      t.integer('attempts_base').notNullable().defaultTo(0);
      time(t, 'next_attempt_at').notNullable();
      t.text('lease_owner');
      time(t, 'lease_until');
      // Set by a claim that took over an expired lease: the owner whose attempt never reported back.
      t.text('expired_lease_owner');
      t.text('last_error_code');
      t.text('last_error');
      t.text('external_id');
      time(t, 'created_at').notNullable();
      time(t, 'updated_at').notNullable();
      // The claim query: due pending rows, and in-flight rows whose lease ran out.
      t.index(['status', 'next_attempt_at']);
      t.index(['status', 'lease_until']);
      // Listing, newest first (GET /v1/outbox).
      t.index(['created_at', 'id']);
      t.index(['ticket_id']);
    });

    await knex.schema.createTable('outbox_attempts', (t) => {
      t.text('outbox_id').notNullable().references('id').inTable('outbox').onDelete('CASCADE');
      t.integer('attempt').notNullable();
      t.text('worker_id').notNullable();
      time(t, 'started_at').notNullable();
      time(t, 'finished_at').notNullable();
      // ok | retry | dead
      t.text('outcome').notNullable();
      t.text('error_code');
      t.text('error_message');
      t.integer('http_status');
      t.integer('retry_after_ms');
      t.text('external_id');
      // Short, secret-free summary of the response (ActionResult.detail).
      t.text('detail');
      t.primary(['outbox_id', 'attempt']);
    });

    await knex.schema.createTable('outbox_events', (t) => {
      t.text('id').primary();
      t.text('outbox_id').notNullable().references('id').inTable('outbox').onDelete('CASCADE');
      // retry | drop
      t.text('action').notNullable();
      t.text('actor').notNullable();
      t.text('from_status').notNullable();
      time(t, 'at').notNullable();
      t.index(['outbox_id']);
      t.index(['at']);
    });
  },

  async down(knex) {
    await knex.schema.dropTableIfExists('outbox_events');
    await knex.schema.dropTableIfExists('outbox_attempts');
    await knex.schema.dropTableIfExists('outbox');
  },
};
