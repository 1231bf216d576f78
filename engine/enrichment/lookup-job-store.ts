import type { Knex } from 'knex';
import { fromJsonColumn, toJsonColumn } from '../store/json-column.js';

export type LookupJobState = 'pending' | 'failed';

/** The columns every owed-lookup table has (enrichment_jobs 0005, order_jobs 0010). */
export interface LookupJobBase {
  ticketId: string;
  state: LookupJobState;
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

/**
 * The durable list of owed lookups of one kind (CRM customers, shop orders):
 * one row per ticket whose lookup failed at creation, with what to ask again
 * as JSON in `lookup`. Claims are compare-and-set on `next_attempt_at` (which
 * doubles as the lease while an attempt runs), so several instances on
 * PostgreSQL never run the same job at once and a job whose worker died
 * becomes due again when its lease ends. Plain SQL that works alike on SQLite
 * and PostgreSQL. `toJob` turns the common fields and the parsed payload into
 * the kind's job type.
 */
export class LookupJobStore<P, J extends LookupJobBase> {
  constructor(
    protected readonly db: Knex,
    private readonly table: string,
    private readonly toJob: (base: LookupJobBase, payload: P | undefined) => J,
  ) {}

  /** The failure at ticket creation counts as attempt 1. A second enqueue for the same ticket is a no-op. */
  async enqueue(ticketId: string, payload: P, dueAt: string, now: string, error: string): Promise<void> {
    await this.db(this.table)
      .insert({ ticket_id: ticketId, lookup: toJsonColumn(payload), state: 'pending', attempts: 1, next_attempt_at: dueAt, last_error: error, created_at: now, updated_at: now })
      .onConflict('ticket_id')
      .ignore();
  }

  /**
   * Claim up to `limit` due jobs until `leaseUntil`; each claim counts as an
   * attempt. Jobs another worker claimed first are skipped.
   */
  async claimDue(now: string, leaseUntil: string, limit: number): Promise<J[]> {
    const due = (await this.db(this.table).where({ state: 'pending' }).andWhere('next_attempt_at', '<=', now).orderBy('next_attempt_at').limit(limit)) as JobRow[];
    const claimed: J[] = [];
    for (const row of due) {
      const attempts = Number(row.attempts) + 1;
      const n = await this.db(this.table)
        .where({ ticket_id: row.ticket_id, state: 'pending', next_attempt_at: row.next_attempt_at })
        .update({ next_attempt_at: leaseUntil, attempts, updated_at: now });
      if (n === 1) claimed.push(this.fromRow({ ...row, attempts, next_attempt_at: leaseUntil, updated_at: now }));
    }
    return claimed;
  }

  /** The lookup was answered and applied; `db` is the transaction that applied it. */
  async complete(db: Knex | Knex.Transaction, ticketId: string): Promise<void> {
    await db(this.table).where({ ticket_id: ticketId }).delete();
  }

  async reschedule(ticketId: string, dueAt: string, error: string, now: string): Promise<void> {
    await this.db(this.table).where({ ticket_id: ticketId }).update({ next_attempt_at: dueAt, last_error: error, updated_at: now });
  }

  /** Give up: the row stays as `failed` for the operator to see (and `retry` to revive). */
  async fail(ticketId: string, error: string, now: string): Promise<void> {
    await this.db(this.table).where({ ticket_id: ticketId }).update({ state: 'failed', last_error: error, updated_at: now });
  }

  /** Make a failed (or waiting) job due now; false when there is none. */
  async retry(ticketId: string, now: string): Promise<boolean> {
    const n = await this.db(this.table).where({ ticket_id: ticketId }).update({ state: 'pending', next_attempt_at: now, updated_at: now });
    return n > 0;
  }

  async get(ticketId: string): Promise<J | undefined> {
    const row = (await this.db(this.table).where({ ticket_id: ticketId }).first()) as JobRow | undefined;
    return row === undefined ? undefined : this.fromRow(row);
  }

  /** Oldest first. */
  async list(filter: { state?: LookupJobState } = {}): Promise<J[]> {
    const q = this.db(this.table).orderBy([{ column: 'created_at' }, { column: 'ticket_id' }]);
    if (filter.state !== undefined) void q.where({ state: filter.state });
    return ((await q) as JobRow[]).map((row) => this.fromRow(row));
  }

  private fromRow(row: JobRow): J {
    return this.toJob(
      {
        ticketId: row.ticket_id,
        state: row.state === 'failed' ? 'failed' : 'pending',
        attempts: Number(row.attempts),
        nextAttemptAt: row.next_attempt_at,
        lastError: row.last_error,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      },
      fromJsonColumn<P | undefined>(row.lookup, undefined),
    );
  }
}
