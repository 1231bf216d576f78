import type { Knex } from 'knex';

/** Where ingest stands in one mailbox: the folder's UIDVALIDITY and the highest UID whose message is settled. */
export interface MailboxCursor {
  /** Decimal text of the server's UIDVALIDITY (a BigInt in imapflow); null before the first round. */
  uidValidity: string | null;
  lastUid: number;
}

/** One mailbox's row in mail_mailboxes, as `triage mail status`, /readyz and /metrics show it. */
export interface MailboxState extends MailboxCursor {
  name: string;
  leaseOwner: string | null;
  leaseUntil: string | null;
  lastPollAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  /** Failed rounds since the last success; 0 when healthy. */
  failures: number;
  /** Messages in the folder not yet ingested, as counted by the last successful round. */
  backlog: number | null;
  /** Messages this mailbox turned into tickets or follow-ups since it was first configured. */
  ingested: number;
  updatedAt: string;
}

interface MailboxRow {
  name: string;
  uid_validity: string | null;
  last_uid: number | string;
  lease_owner: string | null;
  lease_until: string | null;
  last_poll_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  failures: number | string;
  backlog: number | string | null;
  ingested: number | string;
  updated_at: string;
}

/**
 * mail_mailboxes (0008): the per-mailbox cursor, lease and health. Every
 * method is one short statement outside any ticket transaction.
 */
export class MailboxStateStore {
  constructor(private readonly db: Knex) {}

  async ensure(name: string, now: string): Promise<void> {
    await this.db('mail_mailboxes').insert({ name, last_uid: 0, failures: 0, ingested: 0, updated_at: now }).onConflict('name').ignore();
  }

  async get(name: string): Promise<MailboxState | undefined> {
    const row = (await this.db('mail_mailboxes').where({ name }).first()) as MailboxRow | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  async list(): Promise<MailboxState[]> {
    const rows = (await this.db('mail_mailboxes').orderBy('name')) as MailboxRow[];
    return rows.map(fromRow);
  }

  /**
   * Take or renew the lease that makes this instance the only one reading the
   * mailbox (several instances on PostgreSQL). Exactly-once does not depend
   * on it (Message-ID uniqueness does); it only keeps instances from fetching
   * the same mail in parallel.
   */
  async acquireLease(name: string, owner: string, until: string, now: string): Promise<boolean> {
    const n = await this.db('mail_mailboxes')
      .where({ name })
      .andWhere((q) => q.whereNull('lease_owner').orWhere('lease_owner', owner).orWhere('lease_until', '<', now))
      .update({ lease_owner: owner, lease_until: until, updated_at: now });
    return n === 1;
  }

  async releaseLease(name: string, owner: string, now: string): Promise<void> {
    await this.db('mail_mailboxes').where({ name, lease_owner: owner }).update({ lease_owner: null, lease_until: null, updated_at: now });
  }

  /**
   * Advance the cursor after the messages up to `lastUid` are committed and
   * processed on the server. With `owner`, only while that instance still
   * holds the lease (or nobody does): a holder that stalled past its lease
   * must not move the cursor of the instance that took over, which could
   * step over a message the new holder has not settled. False when fenced off.
   */
  async saveCursor(name: string, cursor: MailboxCursor, ingested: number, now: string, owner?: string): Promise<boolean> {
    const q = this.db('mail_mailboxes').where({ name });
    if (owner !== undefined) void q.andWhere((w) => w.whereNull('lease_owner').orWhere('lease_owner', owner));
    const n = await q.update({ uid_validity: cursor.uidValidity, last_uid: cursor.lastUid, ingested: this.db.raw('ingested + ?', [ingested]), updated_at: now });
    return Number(n) === 1;
  }

  async recordSuccess(name: string, backlog: number, now: string): Promise<void> {
    await this.db('mail_mailboxes').where({ name }).update({ last_poll_at: now, last_success_at: now, failures: 0, backlog, updated_at: now });
  }

  /** Returns the number of consecutive failures, this one included. */
  async recordFailure(name: string, error: string, now: string): Promise<number> {
    await this.db('mail_mailboxes')
      .where({ name })
      .update({ last_poll_at: now, last_error: error, last_error_at: now, failures: this.db.raw('failures + 1'), updated_at: now });
    return (await this.get(name))?.failures ?? 1;
  }
}

function fromRow(row: MailboxRow): MailboxState {
  return {
    name: row.name,
    uidValidity: row.uid_validity,
    lastUid: Number(row.last_uid),
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
    lastPollAt: row.last_poll_at,
    lastSuccessAt: row.last_success_at,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    failures: Number(row.failures),
    backlog: row.backlog === null ? null : Number(row.backlog),
    ingested: Number(row.ingested),
    updatedAt: row.updated_at,
  };
}
