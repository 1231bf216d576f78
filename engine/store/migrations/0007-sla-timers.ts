import type { Knex } from 'knex';
import { databaseDialect } from '../database-dialect.js';

/**
 * SLA clocks on tickets (docs/sla.md, "Clocks on tickets"): one row per
 * ticket, metric and cycle (a nextResponse clock starts again after every
 * customer message), and one row per threshold that fired. Same conventions
 * as 0001: text ids, ISO-8601 UTC text times (byte-ordered on PostgreSQL, so
 * text order is time order), JSON as text.
 */
export const slaTimersSchema: Knex.Migration = {
  async up(knex) {
    const pg = databaseDialect(knex) === 'postgres';
    const time = (t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder =>
      pg ? t.specificType(name, 'text collate "C"') : t.text(name);

    await knex.schema.createTable('sla_timers', (t) => {
      t.text('id').primary();
      // Erasure of a ticket (R20) takes its clocks with it.
      t.text('ticket_id').notNullable().references('id').inTable('tickets').onDelete('CASCADE');
      // firstResponse | nextResponse | resolution
      t.text('metric').notNullable();
      // What the target was computed from: a change of either recomputes it from started_at.
      t.text('priority');
      t.text('contract');
      t.text('calendar');
      time(t, 'started_at').notNullable();
      t.bigInteger('target_ms').notNullable();
      // JSON [[start, end], …]: closed pauses (Pending), excluded from the clock.
      t.text('pauses').notNullable().defaultTo('[]');
      // Set while paused; due_at and next_fire_at are null then.
      time(t, 'paused_at');
      time(t, 'due_at');
      // JSON [50, 75, 80, 100]: the policy's thresholds when the clock started or was last recomputed.
      t.text('thresholds').notNullable();
      // Index into thresholds of the next one to fire; thresholds.length when all fired.
      t.integer('next_threshold').notNullable().defaultTo(0);
      // When that threshold is reached; null when nothing is left to fire (met, cancelled, paused, all fired).
      time(t, 'next_fire_at');
      // A sweeper's claim on a due row (several instances): free again after this instant.
      time(t, 'claim_until');
      time(t, 'met_at');
      // When the 100% threshold fired; never cleared by a later change (breaches are not hidden).
      time(t, 'breached_at');
      // running | paused | met | cancelled
      t.text('status').notNullable();
      time(t, 'created_at').notNullable();
      time(t, 'updated_at').notNullable();
      // The sweep reads only due rows: cost grows with due timers, not open tickets.
      t.index(['next_fire_at'], 'sla_timers_next_fire_at');
      t.index(['ticket_id', 'metric']);
    });

    await knex.schema.createTable('sla_events', (t) => {
      t.text('timer_id').notNullable().references('id').inTable('sla_timers').onDelete('CASCADE');
      // The percentage that fired (50, 75, 80, 100).
      t.integer('threshold').notNullable();
      t.text('ticket_id').notNullable();
      // sla.warning | sla.breached
      t.text('event').notNullable();
      // The instant the threshold was reached by the clock, and when the sweeper raised it.
      time(t, 'due_at').notNullable();
      time(t, 'fired_at').notNullable();
      // Exactly once per threshold, also across restarts and with several instances.
      t.primary(['timer_id', 'threshold']);
      t.index(['ticket_id']);
    });
  },

  async down(knex) {
    await knex.schema.dropTableIfExists('sla_events');
    await knex.schema.dropTableIfExists('sla_timers');
  },
};
