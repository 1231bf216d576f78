import type { Knex } from 'knex';

/**
 * The per-recipient limit on automatic mail (engine/mail/auto-reply-limit.ts)
 * counts outbound messages of the last hour before every acknowledgement or
 * reply. Without an index that is a scan of the whole messages table, slower
 * with every message ever stored. Partial (outbound only), so inbound mail,
 * most of what is written, adds no entry.
 */
export const outboundMailIndexSchema: Knex.Migration = {
  async up(knex) {
    await knex.schema.alterTable('messages', (t) => {
      t.index(['created_at'], 'messages_outbound_created_at', { predicate: knex.whereRaw("direction = 'outbound'") });
    });
  },

  async down(knex) {
    await knex.schema.alterTable('messages', (t) => {
      t.dropIndex(['created_at'], 'messages_outbound_created_at');
    });
  },
};
