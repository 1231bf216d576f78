import type { Knex } from 'knex';
import { databaseDialect } from '../database-dialect.js';

/**
 * API keys (hashed, never the key itself) and the audit of their creation and
 * revocation. Same conventions as 0001: text ids, ISO-8601 UTC text times,
 * JSON as text.
 */
export const apiKeysSchema: Knex.Migration = {
  async up(knex) {
    const pg = databaseDialect(knex) === 'postgres';
    const time = (t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder =>
      pg ? t.specificType(name, 'text collate "C"') : t.text(name);

    await knex.schema.createTable('api_keys', (t) => {
      t.text('id').primary();
      t.text('name').notNullable();
      // Hex SHA-256 of the key; the key itself is never stored.
      t.text('key_hash').notNullable();
      // The first characters of the key, for telling keys apart in listings.
      t.text('prefix').notNullable();
      // JSON array of scopes.
      t.text('scopes').notNullable();
      time(t, 'created_at').notNullable();
      time(t, 'last_used_at');
      time(t, 'revoked_at');
      t.index(['key_hash']);
    });
    // Partial unique indexes (supported alike by SQLite and PostgreSQL): a
    // revoked key frees its name, and a bootstrap value that was revoked can
    // be stored again. They are also what makes concurrent first starts of
    // several instances safe: the loser gets a unique violation and re-reads.
    await knex.raw('create unique index api_keys_active_name on api_keys (name) where revoked_at is null');
    await knex.raw('create unique index api_keys_active_hash on api_keys (key_hash) where revoked_at is null');

    await knex.schema.createTable('api_key_events', (t) => {
      t.text('id').primary();
      t.text('key_id').notNullable().references('id').inTable('api_keys').onDelete('CASCADE');
      // Denormalized so the trail reads on its own.
      t.text('key_name').notNullable();
      t.text('action').notNullable();
      t.text('actor').notNullable();
      time(t, 'at').notNullable();
      t.index(['key_id']);
      t.index(['at']);
    });
  },

  async down(knex) {
    await knex.schema.dropTableIfExists('api_key_events');
    await knex.schema.dropTableIfExists('api_keys');
  },
};
