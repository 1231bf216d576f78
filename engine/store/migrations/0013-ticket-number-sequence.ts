import type { Knex } from 'knex';
import { databaseDialect } from '../database-dialect.js';

/**
 * PostgreSQL: ticket numbers come from a sequence instead of the `counters`
 * row (engine/tickets/ticket-number.ts), so creates on several instances stop
 * queueing on that one row lock. SQLite keeps the counter (one writer; the
 * row costs nothing there) and this migration does nothing on it.
 *
 * Rolling upgrade: instances of the previous version keep running
 * `update counters set value = value + 1 … returning value`. The trigger
 * below turns that UPDATE into `nextval` of the same sequence, so old and new
 * instances draw from one source and never hand out a number twice; the
 * counter row keeps following the sequence, which also makes a downgrade
 * continue from the right number.
 *
 * Seeding is race-free: CREATE TRIGGER locks `counters` against UPDATEs
 * (SHARE ROW EXCLUSIVE) until this migration commits, so no old instance can
 * take a number between reading the counter and setting the sequence.
 */
export const ticketNumberSequenceSchema: Knex.Migration = {
  async up(knex) {
    if (databaseDialect(knex) !== 'postgres') return;
    await knex.raw('create sequence ticket_number_seq as bigint minvalue 1');
    await knex.raw(`create function triage_ticket_counter_from_sequence() returns trigger language plpgsql as $$
      begin
        new.value := nextval('ticket_number_seq');
        return new;
      end
    $$`);
    await knex.raw(`create trigger counters_ticket_from_sequence before update on counters
      for each row when (new.name = 'ticket') execute function triage_ticket_counter_from_sequence()`);
    // The next nextval answers counter + 1 (or 1 on a database without tickets).
    await knex.raw(`select setval('ticket_number_seq', greatest(value, 1), value > 0) from counters where name = 'ticket'`);
  },

  async down(knex) {
    if (databaseDialect(knex) !== 'postgres') return;
    await knex.raw('drop trigger counters_ticket_from_sequence on counters');
    await knex.raw('drop function triage_ticket_counter_from_sequence()');
    // Hand the counter the last number given out, so the previous version continues after it.
    await knex.raw(`update counters set value = (select case when is_called then last_value else last_value - 1 end from ticket_number_seq) where name = 'ticket'`);
    await knex.raw('drop sequence ticket_number_seq');
  },
};
