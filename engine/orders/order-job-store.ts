import type { Knex } from 'knex';
import { fromJsonColumn, toJsonColumn } from '../store/json-column.js';
import type { OrderSender } from './order-fact.js';

/** What an owed order lookup asks: the number, and the sender to compare with the order's customer. */
export interface OrderQuery {
  number: string;
  sender: OrderSender;
}

export type OrderJobState = 'pending' | 'failed';

/** A ticket whose order lookup is still owed (table `order_jobs`, migration 0010). */
export interface OrderJob {
  ticketId: string;
  query: OrderQuery;
  state: OrderJobState;
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

const TABLE = 'order_jobs';

/**
 * The durable list of owed order lookups; the same claim protocol as
 * EnrichmentJobStore (compare-and-set on next_attempt_at, which doubles as the
 * lease), so several instances on PostgreSQL never run one job at once.
 */
export class OrderJobStore {
  constructor(private readonly db: Knex) {}

  /** The failure at ticket creation is attempt 1; a second enqueue for the ticket is a no-op. */
  async enqueue(ticketId: string, query: OrderQuery, dueAt: string, now: string, error: string): Promise<void> {
    await this.db(TABLE)
      .insert({ ticket_id: ticketId, lookup: toJsonColumn(query), state: 'pending', attempts: 1, next_attempt_at: dueAt, last_error: error, created_at: now, updated_at: now })
      .onConflict('ticket_id')
      .ignore();
  }

  async claimDue(now: string, leaseUntil: string, limit: number): Promise<OrderJob[]> {
    const due = (await this.db(TABLE).where({ state: 'pending' }).andWhere('next_attempt_at', '<=', now).orderBy('next_attempt_at').limit(limit)) as JobRow[];
    const claimed: OrderJob[] = [];
    for (const row of due) {
      const attempts = Number(row.attempts) + 1;
      const n = await this.db(TABLE)
        .where({ ticket_id: row.ticket_id, state: 'pending', next_attempt_at: row.next_attempt_at })
        .update({ next_attempt_at: leaseUntil, attempts, updated_at: now });
      if (n === 1) claimed.push(jobFromRow({ ...row, attempts, next_attempt_at: leaseUntil, updated_at: now }));
    }
    return claimed;
  }

  /** Answered and applied; `db` is the transaction that applied it. */
  async complete(db: Knex | Knex.Transaction, ticketId: string): Promise<void> {
    await db(TABLE).where({ ticket_id: ticketId }).delete();
  }

  async reschedule(ticketId: string, dueAt: string, error: string, now: string): Promise<void> {
    await this.db(TABLE).where({ ticket_id: ticketId }).update({ next_attempt_at: dueAt, last_error: error, updated_at: now });
  }

  async fail(ticketId: string, error: string, now: string): Promise<void> {
    await this.db(TABLE).where({ ticket_id: ticketId }).update({ state: 'failed', last_error: error, updated_at: now });
  }

  async get(ticketId: string): Promise<OrderJob | undefined> {
    const row = (await this.db(TABLE).where({ ticket_id: ticketId }).first()) as JobRow | undefined;
    return row === undefined ? undefined : jobFromRow(row);
  }

  async list(filter: { state?: OrderJobState } = {}): Promise<OrderJob[]> {
    const q = this.db(TABLE).orderBy([{ column: 'created_at' }, { column: 'ticket_id' }]);
    if (filter.state !== undefined) void q.where({ state: filter.state });
    return ((await q) as JobRow[]).map(jobFromRow);
  }
}

function jobFromRow(row: JobRow): OrderJob {
  return {
    ticketId: row.ticket_id,
    query: fromJsonColumn<OrderQuery>(row.lookup, { number: '', sender: {} }),
    state: row.state === 'failed' ? 'failed' : 'pending',
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
