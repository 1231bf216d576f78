import type { Knex } from 'knex';
import { databaseDialect } from '../store/database-dialect.js';
import { isUniqueViolation } from '../store/is-unique-violation.js';
import { timeOrderedUuid } from '../store/time-ordered-uuid.js';

/** `pending` (due at due_at) → `done` (raised) | `dead` (gave up; kept with the reason). */
export type ScheduledEventStatus = 'pending' | 'done' | 'dead';

/** One `schedule.<name>` event owed to one ticket (table `scheduled_events`, migration 0009). */
export interface ScheduledEvent {
  id: string;
  sourceKey: string;
  ticketId: string;
  event: string;
  ruleId: string | null;
  status: ScheduledEventStatus;
  dueAt: string;
  leaseUntil: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  doneAt: string | null;
}

export interface NewScheduledEvent {
  /** Unique per requester (e.g. `outbox:<idempotency key>`): a second request with it is a no-op. */
  sourceKey: string;
  ticketId: string;
  event: string;
  ruleId?: string | null;
  dueAt: string;
}

interface Row {
  id: string;
  source_key: string;
  ticket_id: string;
  event: string;
  rule_id: string | null;
  status: string;
  due_at: string;
  lease_until: string | null;
  attempts: number | string;
  last_error: string | null;
  created_at: string;
  done_at: string | null;
}

const TABLE = 'scheduled_events';

/**
 * Durable follow-ups. Plain rows with a due time, never timers: a node
 * setTimeout dies with the process and tops out at ~24.8 days. The sweep reads
 * due pending rows through the (status, due_at) index only.
 */
export class ScheduledEventStore {
  constructor(private readonly db: Knex) {}

  /** Insert, or find the row an earlier request with the same source key made. */
  async schedule(input: NewScheduledEvent, now: string): Promise<{ event: ScheduledEvent; created: boolean }> {
    const row: Row = {
      id: timeOrderedUuid(),
      source_key: input.sourceKey,
      ticket_id: input.ticketId,
      event: input.event,
      rule_id: input.ruleId ?? null,
      status: 'pending',
      due_at: input.dueAt,
      lease_until: null,
      attempts: 0,
      last_error: null,
      created_at: now,
      done_at: null,
    };
    try {
      await this.db(TABLE).insert(row);
      return { event: fromRow(row), created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = (await this.db(TABLE).where({ source_key: input.sourceKey }).first()) as Row;
      return { event: fromRow(existing), created: false };
    }
  }

  /**
   * Reserve up to `limit` due rows until `leaseUntil` (each claim counts as an
   * attempt). PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent sweepers on
   * several instances take disjoint rows without waiting on each other;
   * SQLite has one writer, so the transaction alone serializes claims.
   */
  async claimDue(now: string, leaseUntil: string, limit: number): Promise<ScheduledEvent[]> {
    const pg = databaseDialect(this.db) === 'postgres';
    return this.db.transaction(async (trx) => {
      const q = trx(TABLE)
        .where({ status: 'pending' })
        .andWhere('due_at', '<=', now)
        .andWhere((w) => void w.whereNull('lease_until').orWhere('lease_until', '<=', now))
        .orderBy('due_at')
        .limit(limit);
      const rows = (await (pg ? q.forUpdate().skipLocked() : q)) as Row[];
      if (rows.length === 0) return [];
      await trx(TABLE)
        .whereIn('id', rows.map((r) => r.id))
        .update({ lease_until: leaseUntil, attempts: trx.raw('attempts + 1') });
      return rows.map((r) => fromRow({ ...r, lease_until: leaseUntil, attempts: Number(r.attempts) + 1 }));
    });
  }

  /**
   * Mark raised, in the transaction that applied the event's decision. False
   * when the row is no longer pending (another sweeper raised it first): the
   * caller must then roll its transaction back.
   */
  async markDone(trx: Knex.Transaction, id: string, now: string): Promise<boolean> {
    const n = await trx(TABLE).where({ id, status: 'pending' }).update({ status: 'done', done_at: now, lease_until: null, last_error: null });
    return Number(n) === 1;
  }

  /** A failed attempt: keep the reason; dead after the last attempt, else due again when the lease ends. */
  async recordFailure(id: string, error: string, dead: boolean, now: string): Promise<void> {
    await this.db(TABLE)
      .where({ id, status: 'pending' })
      .update(dead ? { status: 'dead', last_error: error, lease_until: null, done_at: now } : { last_error: error });
  }

  /** Make a dead (or waiting) row due now; false when there is no such row or it is done. */
  async retry(id: string, now: string): Promise<boolean> {
    const n = await this.db(TABLE).where({ id }).whereNot({ status: 'done' }).update({ status: 'pending', due_at: now, lease_until: null, attempts: 0, done_at: null });
    return Number(n) > 0;
  }

  async get(id: string): Promise<ScheduledEvent | undefined> {
    const row = (await this.db(TABLE).where({ id }).first()) as Row | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  /** Soonest due first. */
  async list(filter: { status?: ScheduledEventStatus; ticketId?: string; limit?: number } = {}): Promise<ScheduledEvent[]> {
    const q = this.db(TABLE).orderBy([{ column: 'due_at' }, { column: 'id' }]).limit(filter.limit ?? 100);
    if (filter.status !== undefined) void q.where({ status: filter.status });
    if (filter.ticketId !== undefined) void q.where({ ticket_id: filter.ticketId });
    return ((await q) as Row[]).map(fromRow);
  }
}

function fromRow(row: Row): ScheduledEvent {
  return {
    id: row.id,
    sourceKey: row.source_key,
    ticketId: row.ticket_id,
    event: row.event,
    ruleId: row.rule_id,
    status: row.status === 'done' || row.status === 'dead' ? row.status : 'pending',
    dueAt: row.due_at,
    leaseUntil: row.lease_until,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    createdAt: row.created_at,
    doneAt: row.done_at,
  };
}
