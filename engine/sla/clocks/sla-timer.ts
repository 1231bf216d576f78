import type { SlaMetric } from './sla-clock-policy.js';

export type SlaTimerStatus = 'running' | 'paused' | 'met' | 'cancelled';

/** One SLA clock of a ticket (a row of sla_timers, migration 0007). Times are ISO-8601 UTC. */
export interface SlaTimer {
  id: string;
  ticketId: string;
  metric: SlaMetric;
  /** The priority and contract level the target was computed from. */
  priority: string | null;
  contract: string | null;
  calendar: string | null;
  startedAt: string;
  targetMs: number;
  /** Closed pauses (Pending), [start, end). */
  pauses: Array<[string, string]>;
  pausedAt: string | null;
  dueAt: string | null;
  thresholds: number[];
  /** Index into thresholds of the next one to fire. */
  nextThreshold: number;
  nextFireAt: string | null;
  metAt: string | null;
  breachedAt: string | null;
  status: SlaTimerStatus;
  createdAt: string;
  updatedAt: string;
}

export interface SlaTimerRow {
  id: string;
  ticket_id: string;
  metric: string;
  priority: string | null;
  contract: string | null;
  calendar: string | null;
  started_at: string;
  target_ms: number | string;
  pauses: string;
  paused_at: string | null;
  due_at: string | null;
  thresholds: string;
  next_threshold: number | string;
  next_fire_at: string | null;
  met_at: string | null;
  breached_at: string | null;
  status: string;
  created_at: string;
  updated_at: string;
}

export function timerFromRow(row: SlaTimerRow): SlaTimer {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    metric: row.metric as SlaMetric,
    priority: row.priority,
    contract: row.contract,
    calendar: row.calendar,
    startedAt: row.started_at,
    // bigint comes back as a string from pg.
    targetMs: Number(row.target_ms),
    pauses: JSON.parse(row.pauses) as Array<[string, string]>,
    pausedAt: row.paused_at,
    dueAt: row.due_at,
    thresholds: JSON.parse(row.thresholds) as number[],
    nextThreshold: Number(row.next_threshold),
    nextFireAt: row.next_fire_at,
    metAt: row.met_at,
    breachedAt: row.breached_at,
    status: row.status as SlaTimerStatus,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function timerToRow(timer: SlaTimer): SlaTimerRow {
  return {
    id: timer.id,
    ticket_id: timer.ticketId,
    metric: timer.metric,
    priority: timer.priority,
    contract: timer.contract,
    calendar: timer.calendar,
    started_at: timer.startedAt,
    target_ms: timer.targetMs,
    pauses: JSON.stringify(timer.pauses),
    paused_at: timer.pausedAt,
    due_at: timer.dueAt,
    thresholds: JSON.stringify(timer.thresholds),
    next_threshold: timer.nextThreshold,
    next_fire_at: timer.nextFireAt,
    met_at: timer.metAt,
    breached_at: timer.breachedAt,
    status: timer.status,
    created_at: timer.createdAt,
    updated_at: timer.updatedAt,
  };
}

/** Running or paused: the clock still matters. */
export function isActive(timer: SlaTimer): boolean {
  return timer.status === 'running' || timer.status === 'paused';
}
