import type { SlaMetric } from './sla-clock-policy.js';
import type { SlaTimer } from './sla-timer.js';

/**
 * Where a ticket stands against its SLA right now, for queues and
 * dashboards: `breached` (a running clock is past its due time, or one
 * breached before and still runs), `warning` (a warning threshold such as
 * 75 % was reached), `due` (running, on time), `paused` (Pending), `none`
 * (no running or paused clock: met, cancelled, or no policy).
 */
export type SlaStateName = 'breached' | 'warning' | 'due' | 'paused' | 'none';

export interface TicketSlaState {
  state: SlaStateName;
  /** The clock behind the state: the most urgent running one (else a paused one). */
  metric: SlaMetric | null;
  dueAt: string | null;
  /** dueAt − now in milliseconds, negative when overdue; null without a due time (paused, none). */
  msLeft: number | null;
}

const RANK: Record<SlaStateName, number> = { breached: 4, warning: 3, due: 2, paused: 1, none: 0 };

/**
 * Judged the way the `sla` fact and the sla reports judge a clock (a
 * breach is a recorded breach or a running clock past due), without the
 * calendar: a warning is a threshold the sweeper fired, or one whose
 * instant (next_fire_at) has passed but the sweeper has not reached yet.
 * Pure and cheap, so a list page can judge every ticket it shows.
 */
export function ticketSlaState(timers: readonly SlaTimer[], now: string): TicketSlaState {
  let best: { state: SlaStateName; timer: SlaTimer } | undefined;
  for (const timer of timers) {
    const state = timerState(timer, now);
    if (state === 'none') continue;
    if (best === undefined || RANK[state] > RANK[best.state] || (RANK[state] === RANK[best.state] && dueBefore(timer, best.timer))) best = { state, timer };
  }
  if (best === undefined) return { state: 'none', metric: null, dueAt: null, msLeft: null };
  const dueAt = best.state === 'paused' ? null : best.timer.dueAt;
  return { state: best.state, metric: best.timer.metric, dueAt, msLeft: dueAt === null ? null : Date.parse(dueAt) - Date.parse(now) };
}

function timerState(timer: SlaTimer, now: string): SlaStateName {
  if (timer.status === 'paused') return 'paused';
  if (timer.status !== 'running') return 'none';
  if (timer.breachedAt !== null || (timer.dueAt !== null && timer.dueAt <= now)) return 'breached';
  const firedWarning = timer.nextThreshold > 0;
  const warningReached = timer.nextFireAt !== null && timer.nextFireAt <= now && (timer.thresholds[timer.nextThreshold] ?? 100) < 100;
  return firedWarning || warningReached ? 'warning' : 'due';
}

/** Earlier due time first; a clock without one (should not happen while running) last. */
function dueBefore(a: SlaTimer, b: SlaTimer): boolean {
  if (a.dueAt === null) return false;
  return b.dueAt === null || a.dueAt < b.dueAt;
}
