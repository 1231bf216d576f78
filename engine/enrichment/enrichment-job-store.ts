import type { Knex } from 'knex';
import type { CustomerLookup } from '../../connectors/lib/connector.js';
import { fromJsonColumn, toJsonColumn } from '../store/json-column.js';

export type EnrichmentJobState = 'pending' | 'failed';

/** A ticket whose CRM lookup is still owed (table `enrichment_jobs`, migration 0005). */
export interface EnrichmentJob {
  ticketId: string;
  lookup: CustomerLookup;
  state: EnrichmentJobState;
  /** Attempts claimed so far, the first (at ticket creation) included. */
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

interface JobRow {
  ticket_id: string;
  lookup: string;
  state: string;
  attempts: number | string;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

const TABLE = 'enrichment_jobs';

/**
 * The durable list of owed CRM lookups. Claims are compare-and-set on
 * `next_attempt_at` (which doubles as the lease while an attempt runs), so
 * several instances on PostgreSQL never run the same job at once and a job
 * whose worker died becomes due again when its lease ends. Plain SQL that
 * works alike on SQLite and PostgreSQL.
 */
export class EnrichmentJobStore {
  constructor(private readonly db: Knex) {}

  /** First failure at ticket creation counts as attempt 1. A second enqueue for the same ticket is a no-op. */
  async enqueue(ticketId: string, lookup: CustomerLookup, dueAt: string, now: string, error: string): Promise<void> {
    await this.db(TABLE)
      .insert({ ticket_id: ticketId, lookup: toJsonColumn(lookup), state: 'pending', attempts: 1, next_attempt_at: dueAt, last_error: error, created_at: now, updated_at: now })
      .onConflict('ticket_id')
      .ignore();
  }

  /**
   * Claim up to `limit` due jobs until `leaseUntil`; each claim counts as an
   * attempt. Jobs another worker claimed first are skipped.
   */
  async claimDue(now: string, leaseUntil: string, limit: number): Promise<EnrichmentJob[]> {
    const due = (await this.db(TABLE).where({ state: 'pending' }).andWhere('next_attempt_at', '<=', now).orderBy('next_attempt_at').limit(limit)) as JobRow[];
    const claimed: EnrichmentJob[] = [];
    for (const row of due) {
      const attempts = Number(row.attempts) + 1;
      const n = await this.db(TABLE)
        .where({ ticket_id: row.ticket_id, state: 'pending', next_attempt_at: row.next_attempt_at })
        .update({ next_attempt_at: leaseUntil, attempts, updated_at: now });
      if (n === 1) claimed.push(jobFromRow({ ...row, attempts, next_attempt_at: leaseUntil, updated_at: now }));
    }
    return claimed;
  }

  /** The lookup was answered and applied; `db` is the transaction that applied it. */
  async complete(db: Knex | Knex.Transaction, ticketId: string): Promise<void> {
    await db(TABLE).where({ ticket_id: ticketId }).delete();
  }

  async reschedule(ticketId: string, dueAt: string, error: string, now: string): Promise<void> {
    await this.db(TABLE).where({ ticket_id: ticketId }).update({ next_attempt_at: dueAt, last_error: error, updated_at: now });
  }

  /** Give up: the row stays as `failed` for the operator to see (and `retry` to revive). */
  async fail(ticketId: string, error: string, now: string): Promise<void> {
    await this.db(TABLE).where({ ticket_id: ticketId }).update({ state: 'failed', last_error: error, updated_at: now });
  }

  /** Make a failed (or waiting) job due now; false when there is none. */
  async retry(ticketId: string, now: string): Promise<boolean> {
    const n = await this.db(TABLE).where({ ticket_id: ticketId }).update({ state: 'pending', next_attempt_at: now, updated_at: now });
    return n > 0;
  }

  async get(ticketId: string): Promise<EnrichmentJob | undefined> {
    const row = (await this.db(TABLE).where({ ticket_id: ticketId }).first()) as JobRow | undefined;
    return row === undefined ? undefined : jobFromRow(row);
  }

  /** Oldest first. */
  async list(filter: { state?: EnrichmentJobState } = {}): Promise<EnrichmentJob[]> {
    const q = this.db(TABLE).orderBy([{ column: 'created_at' }, { column: 'ticket_id' }]);
    if (filter.state !== undefined) void q.where({ state: filter.state });
    return ((await q) as JobRow[]).map(jobFromRow);
  }
}

function jobFromRow(row: JobRow): EnrichmentJob {
  return {
    ticketId: row.ticket_id,
    lookup: fromJsonColumn<CustomerLookup>(row.lookup, {}),
    state: row.state === 'failed' ? 'failed' : 'pending',
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
