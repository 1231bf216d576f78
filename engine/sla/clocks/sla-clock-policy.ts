/**
 * What the clocks need from the SLA policy and calendar math
 * (engine/sla/policy, engine/sla/calendar), written structurally so the
 * clocks take them injected: the server passes the loaded policy and the
 * calendar functions, and a policy hot reload is one getter away. The calendar
 * stays opaque here on purpose: all calendar arithmetic lives in
 * engine/sla/calendar/compute-due.ts, never in the clocks.
 */
export type SlaMetric = 'firstResponse' | 'nextResponse' | 'resolution';

export const SLA_METRICS: readonly SlaMetric[] = ['firstResponse', 'nextResponse', 'resolution'];

export interface ClockInterval {
  start: Date;
  end: Date;
}

export interface ClockTarget<C = unknown> {
  metric: SlaMetric;
  targetMs: number;
  calendar: C;
}

export interface ClockPolicy<C = unknown> {
  /** Percentages that raise sla.warning (below 100) and sla.breached (100 and above). */
  readonly thresholds: readonly number[];
  targetsFor(input: { priority: string | null; contract?: string | null }): ClockTarget<C>[];
}

/** engine/sla/calendar/compute-due.ts; methods, so a function over a concrete Calendar type fits. */
export interface ClockMath<C = unknown> {
  computeDue(calendar: C, start: Date, targetMs: number, pauses?: readonly ClockInterval[]): Date;
  openTimeBetween(calendar: C, from: Date, to: Date, pauses?: readonly ClockInterval[]): number;
}

/** The policy's thresholds, sorted, without duplicates, always with 100 (the breach). */
export function effectiveThresholds(thresholds: readonly number[]): number[] {
  const set = new Set<number>(thresholds.filter((t) => Number.isFinite(t) && t > 0));
  set.add(100);
  return [...set].sort((a, b) => a - b);
}

/** A calendar's name, when the calendar object carries one (stored for reports and the `sla` fact). */
export function calendarName(calendar: unknown): string | null {
  const name = (calendar as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name !== '' ? name : null;
}
