import type { Knex } from 'knex';

/** `email.autoReplyLimit` of triage.config.yaml, defaults filled in. */
export interface AutoReplyLimit {
  /** Automatic mails per recipient within the window; 0 = no limit. */
  max: number;
  perMinutes: number;
}

export const DEFAULT_AUTO_REPLY_LIMIT: AutoReplyLimit = { max: 5, perMinutes: 60 };

export function autoReplyLimit(raw: Partial<AutoReplyLimit> | undefined): AutoReplyLimit {
  return { max: raw?.max ?? DEFAULT_AUTO_REPLY_LIMIT.max, perMinutes: raw?.perMinutes ?? DEFAULT_AUTO_REPLY_LIMIT.perMinutes };
}

export interface AutoReplyVerdict {
  allowed: boolean;
  /** Automatic mails to the recipient within the window, before this one. */
  sent: number;
  /** Why it is not sent; undefined when allowed. */
  reason?: string;
}

/**
 * Rate limit of automatic mail per recipient address (R3): the last defence
 * against a mail loop with an auto-responder that sets none of the headers
 * auto-flags.ts recognizes — it answers our acknowledgement, we answer it,
 * and so on. Counted from what is already stored: outbound messages the
 * outbox recorded (`data.outboxId`) to that address, so the count is the same
 * for every instance and survives restarts.
 *
 * The check and the later record are not one transaction: two workers
 * answering the same address in the same instant may both pass, so the limit
 * can be exceeded by the number of concurrent workers. That is fine for its
 * purpose (stopping a storm within a few mails), and no lock is held while
 * SMTP talks.
 */
export async function checkAutoReplyLimit(db: Knex, recipient: string, limit: AutoReplyLimit, now: Date): Promise<AutoReplyVerdict> {
  if (limit.max <= 0) return { allowed: true, sent: 0 };
  const since = new Date(now.getTime() - limit.perMinutes * 60_000).toISOString();
  const row = (await autoReplyCountQuery(db, recipient, since).first()) as { n: number | string } | undefined;
  const sent = Number(row?.n ?? 0);
  if (sent < limit.max) return { allowed: true, sent };
  return { allowed: false, sent, reason: `${sent} automatic mails to ${recipient} in the last ${limit.perMinutes} min reached email.autoReplyLimit (max ${limit.max})` };
}

/**
 * Automatic mails to `recipient` since `since`: outbound messages the outbox
 * recorded, read through the partial index messages_outbound_created_at
 * (migration 0012), so the cost follows the last hour's outbound mail, not
 * every message ever stored.
 */
export function autoReplyCountQuery(db: Knex, recipient: string, since: string): Knex.QueryBuilder {
  // The handler records `to` as a one-element JSON list; lower() on both sides makes the address case-insensitive.
  return db('messages')
    .where('direction', 'outbound')
    .andWhere('created_at', '>=', since)
    .andWhereRaw('lower(??) = ?', ['to', JSON.stringify([recipient.trim().toLowerCase()])])
    .andWhere('data', 'like', '%"outboxId":%')
    .count({ n: '*' });
}
