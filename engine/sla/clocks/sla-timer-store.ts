import type { Knex } from 'knex';
import { databaseDialect } from '../../store/database-dialect.js';
import { insertRows, type SqlRunner } from '../../store/sql-runner.js';
import { timerFromRow, timerToRow, type SlaTimer, type SlaTimerRow } from './sla-timer.js';

/**
 * SQL of the SLA clocks. The per-ticket functions take the SqlRunner of the
 * ticket's write transaction (timer writes commit with the ticket change, or
 * not at all); the sweep's claim runs on its own short transaction.
 */
export async function loadTicketTimers(sql: SqlRunner, ticketId: string): Promise<SlaTimer[]> {
  const rows = (await sql.run('select * from "sla_timers" where "ticket_id" = ? order by "created_at", "id"', [ticketId])) as unknown as SlaTimerRow[];
  return rows.map(timerFromRow);
}

export async function loadTimer(sql: SqlRunner, id: string): Promise<SlaTimer | undefined> {
  const rows = (await sql.run('select * from "sla_timers" where "id" = ?', [id])) as unknown as SlaTimerRow[];
  const row = rows[0];
  return row === undefined ? undefined : timerFromRow(row);
}

export async function insertTimers(sql: SqlRunner, timers: readonly SlaTimer[]): Promise<void> {
  await insertRows(sql, 'sla_timers', timers.map((t) => timerToRow(t) as unknown as Record<string, unknown>));
}

const UPDATABLE = ['priority', 'contract', 'calendar', 'target_ms', 'pauses', 'paused_at', 'due_at', 'thresholds', 'next_threshold', 'next_fire_at', 'met_at', 'breached_at', 'status', 'updated_at'] as const;
const UPDATE_SQL = `update "sla_timers" set ${UPDATABLE.map((c) => `"${c}" = ?`).join(', ')}, "claim_until" = null where "id" = ?`;

/** Write a timer's changed state; any sweeper claim on it ends (its due instant may have moved). */
export async function updateTimer(sql: SqlRunner, timer: SlaTimer): Promise<void> {
  const row = timerToRow(timer);
  await sql.run(UPDATE_SQL, [...UPDATABLE.map((c) => row[c]), timer.id]);
}

export interface SlaFiring {
  timerId: string;
  threshold: number;
  ticketId: string;
  event: string;
  dueAt: string;
  firedAt: string;
}

/**
 * Record a threshold as fired. The primary key (timer_id, threshold) refuses
 * a second row, so a threshold fires once even when two sweepers race: the
 * loser's transaction fails on it and its decision is rolled back.
 */
export async function recordFiring(sql: SqlRunner, firing: SlaFiring): Promise<void> {
  await insertRows(sql, 'sla_events', [{ timer_id: firing.timerId, threshold: firing.threshold, ticket_id: firing.ticketId, event: firing.event, due_at: firing.dueAt, fired_at: firing.firedAt }]);
}

export interface DueTimer {
  id: string;
  ticketId: string;
}

/**
 * Claim up to `limit` due timers (next_fire_at ≤ now, no live claim) for
 * `leaseMs`: read through the next_fire_at index only, so the cost follows
 * the number of due timers, not of open tickets. On PostgreSQL the rows are
 * locked FOR UPDATE SKIP LOCKED while claimed, so instances sweeping at once
 * take disjoint rows; a claim that outlives its sweeper (a crash) simply
 * expires. Exactly-once does not rest on the claim but on sla_events' key.
 */
export async function claimDueTimers(db: Knex, options: { now: string; limit: number; leaseMs: number }): Promise<DueTimer[]> {
  const claimUntil = new Date(Date.parse(options.now) + options.leaseMs).toISOString();
  return db.transaction(async (trx) => {
    let query = trx('sla_timers')
      .select('id', 'ticket_id')
      .where('next_fire_at', '<=', options.now)
      .andWhere((q) => q.whereNull('claim_until').orWhere('claim_until', '<=', options.now))
      .orderBy('next_fire_at')
      .limit(options.limit);
    if (databaseDialect(trx) === 'postgres') query = query.forUpdate().skipLocked();
    const rows = (await query) as { id: string; ticket_id: string }[];
    if (rows.length > 0) await trx('sla_timers').whereIn('id', rows.map((r) => r.id)).update({ claim_until: claimUntil });
    return rows.map((r) => ({ id: r.id, ticketId: r.ticket_id }));
  });
}

/** Drop a claim without firing (the ticket was gone, or the firing failed): due again at the next sweep. */
export async function releaseClaim(db: Knex, timerId: string): Promise<void> {
  await db('sla_timers').where({ id: timerId }).update({ claim_until: null });
}
