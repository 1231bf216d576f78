import type { Knex } from 'knex';
import { databaseDialect } from '../database-dialect.js';

/**
 * The e-mail channel's own state (docs/email.md):
 * - mail_blobs: every raw message as fetched, and every attachment's bytes,
 *   content-addressed by sha256, so nothing is lost even when a message
 *   cannot be parsed. Insert-if-absent makes a re-delivery write nothing; two
 *   instances storing the same bytes race harmlessly on the primary key.
 * - mail_mailboxes: per configured mailbox the IMAP cursor (UIDVALIDITY +
 *   last ingested UID), the lease that keeps one instance polling it, and its
 *   health (last success, last error, consecutive failures, backlog).
 * Same conventions as 0001: ISO-8601 UTC text times (byte-ordered on
 * PostgreSQL), JSON as text.
 */
export const mailSchema: Knex.Migration = {
  async up(knex) {
    const pg = databaseDialect(knex) === 'postgres';
    const time = (t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder =>
      pg ? t.specificType(name, 'text collate "C"') : t.text(name);

    await knex.schema.createTable('mail_blobs', (t) => {
      t.text('sha256').primary();
      t.integer('size').notNullable();
      // bytea on PostgreSQL, BLOB on SQLite.
      t.binary('content').notNullable();
      time(t, 'created_at').notNullable();
    });

    await knex.schema.createTable('mail_mailboxes', (t) => {
      t.text('name').primary();
      // imapflow reports UIDVALIDITY as a BigInt: kept as its decimal text.
      t.text('uid_validity');
      // UIDs are unsigned 32-bit, past the range of a signed integer column.
      t.bigInteger('last_uid').notNullable().defaultTo(0);
      t.text('lease_owner');
      time(t, 'lease_until');
      time(t, 'last_poll_at');
      time(t, 'last_success_at');
      t.text('last_error');
      time(t, 'last_error_at');
      t.integer('failures').notNullable().defaultTo(0);
      t.integer('backlog');
      t.bigInteger('ingested').notNullable().defaultTo(0);
      time(t, 'updated_at').notNullable();
    });
  },

  async down(knex) {
    await knex.schema.dropTableIfExists('mail_mailboxes');
    await knex.schema.dropTableIfExists('mail_blobs');
  },
};
