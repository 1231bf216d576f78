import type { Knex } from 'knex';

/** Every table of the store, for "nothing was written" checks. */
export const STORE_TABLES = ['tickets', 'messages', 'customers', 'customer_identities', 'ticket_tags', 'audit_events', 'decisions', 'counters', 'corrections', 'outbox', 'outbox_attempts', 'outbox_events', 'enrichment_jobs', 'sla_timers', 'sla_events', 'scheduled_events', 'schedule_ticks', 'schedule_tick_tickets', 'csat_responses', 'order_jobs', 'mail_blobs', 'mail_mailboxes'] as const;

export async function countRows(db: Knex, table: string): Promise<number> {
  const row = (await db(table).count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

/** Row count per store table. Sequential: SQLite has one connection. */
export async function rowCounts(db: Knex): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of STORE_TABLES) counts[table] = await countRows(db, table);
  return counts;
}
