import { SLA_METRICS, type SlaMetric } from './sla-clock-policy.js';
import type { SlaTimer } from './sla-timer.js';

/** What an sla.warning / sla.breached event is about (the `sla.event` fact). */
export interface SlaEventFact {
  metric: SlaMetric;
  /** The threshold that fired, in percent (50, 75, 80, 100). */
  threshold: number;
  /** Same as threshold: the clock's percentage when it fired. */
  percent: number;
  /** The instant the clock reached the threshold. */
  reachedAt: string;
  dueAt: string | null;
  startedAt: string;
  targetMinutes: number;
  /** Open (calendar) minutes the clock had counted at the threshold. */
  elapsedMinutes: number;
}

/** Open time counted by a timer from its start to `to` (pauses excluded); undefined when it cannot be told. */
export type OpenTime = (timer: SlaTimer, to: string) => number | undefined;

/**
 * The `sla` fact rules see (docs/rule-language.md):
 * `sla.<metric>.{status, startedAt, dueAt, percent, breached, metAt, …}` for
 * firstResponse, nextResponse (the newest cycle) and resolution, with
 * `sla.<metric>Due` as a short form of `sla.<metric>.dueAt`; `sla.paused`;
 * and for sla.warning / sla.breached `sla.event.{metric, threshold, …}`, also
 * copied to the top level (`sla.metric`, `sla.percent`, `sla.elapsedMinutes`,
 * `sla.dueAt`) for short conditions.
 */
export function slaFact(timers: readonly SlaTimer[], now: string, event: SlaEventFact | undefined, openTime: OpenTime): Record<string, unknown> {
  const fact: Record<string, unknown> = { paused: timers.some((t) => t.status === 'paused') };
  for (const metric of SLA_METRICS) {
    // The newest clock of the metric (nextResponse starts again after every customer message).
    const timer = [...timers].reverse().find((t) => t.metric === metric);
    if (timer === undefined) continue;
    fact[metric] = metricFact(timer, now, openTime);
    // Short forms for templates: {{ sla.firstResponseDue | date_pl }} (docs/templates.md).
    fact[`${metric}Due`] = timer.dueAt;
  }
  if (event !== undefined) {
    fact.event = { ...event };
    Object.assign(fact, { metric: event.metric, threshold: event.threshold, percent: event.percent, elapsedMinutes: event.elapsedMinutes, dueAt: event.dueAt });
  }
  return fact;
}

function metricFact(timer: SlaTimer, now: string, openTime: OpenTime): Record<string, unknown> {
  const end = timer.metAt !== null && timer.metAt < now ? timer.metAt : now;
  const open = openTime(timer, end);
  const percent = open === undefined || timer.targetMs <= 0 ? null : Math.floor((open / timer.targetMs) * 100);
  const lateMet = timer.metAt !== null && timer.dueAt !== null && timer.metAt > timer.dueAt;
  const overdue = timer.status === 'running' && timer.dueAt !== null && now >= timer.dueAt;
  return {
    status: timer.status,
    startedAt: timer.startedAt,
    dueAt: timer.dueAt,
    targetMinutes: timer.targetMs / 60_000,
    elapsedMinutes: open === undefined ? null : Math.floor(open / 60_000),
    percent,
    breached: timer.breachedAt !== null || lateMet || overdue,
    breachedAt: timer.breachedAt,
    metAt: timer.metAt,
    paused: timer.status === 'paused',
    calendar: timer.calendar,
    priority: timer.priority,
    contract: timer.contract,
  };
}
