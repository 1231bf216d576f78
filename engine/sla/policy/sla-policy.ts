import type { Calendar } from '../calendar/calendar.js';

export type SlaMetric = 'firstResponse' | 'nextResponse' | 'resolution';
export const SLA_METRICS: readonly SlaMetric[] = ['firstResponse', 'nextResponse', 'resolution'];

/** One clock a ticket gets: how much open time of which calendar until the metric is due. */
export interface SlaTarget {
  metric: SlaMetric;
  /** Open time in ms (business days already multiplied out). */
  targetMs: number;
  calendar: Calendar;
  /** The target as written in the policy (e.g. "3bd"), for messages and reports. */
  text: string;
}

export interface SlaTargetsInput {
  /** P1..P9; null or an unlisted priority uses the policy's `default` targets (none when there is no default). */
  priority: string | null;
  /** customer.contract.level; a level with overrides replaces the overridden metrics only. */
  contract?: string | null;
}

/**
 * A loaded SLA policy (docs/sla.md): thresholds and the targets of a ticket
 * by priority and contract level. Immutable; reloading builds a new one.
 */
export interface SlaPolicy {
  /** Ascending percentages at which events fire (default 50, 75, 80, 100). */
  readonly thresholds: readonly number[];
  /** Open time of one business day in ms (default 8 h). */
  readonly businessDayMs: number;
  /** The policy's calendars by name. */
  readonly calendars: ReadonlyMap<string, Calendar>;
  /** The file it was loaded from, or a label for inline policies. */
  readonly source: string;
  /** Priorities with targets, in file order ('default' included when present). */
  readonly priorities: readonly string[];
  /** Contract levels with overrides. */
  readonly contractLevels: readonly string[];
  targetsFor(input: SlaTargetsInput): SlaTarget[];
}

/** Resolved targets of one priority (or `default`): metric → target. */
export type PriorityTargets = Partial<Record<SlaMetric, SlaTarget>>;

export function createSlaPolicy(options: {
  source: string;
  thresholds: readonly number[];
  businessDayMs: number;
  calendars: ReadonlyMap<string, Calendar>;
  targets: ReadonlyMap<string, PriorityTargets>;
  contracts: ReadonlyMap<string, ReadonlyMap<string, PriorityTargets>>;
}): SlaPolicy {
  const { targets, contracts } = options;
  // Asked several times per ticket write (each clock, each metric): the answer only depends on the pair.
  const resolved = new Map<string, readonly SlaTarget[]>();
  return Object.freeze({
    source: options.source,
    thresholds: Object.freeze([...options.thresholds]),
    businessDayMs: options.businessDayMs,
    calendars: options.calendars,
    priorities: Object.freeze([...targets.keys()]),
    contractLevels: Object.freeze([...contracts.keys()]),
    targetsFor(input: SlaTargetsInput): SlaTarget[] {
      const memoKey = `${input.priority ?? ''}\u0000${input.contract ?? ''}\u0000${input.priority === null ? 0 : 1}${input.contract == null ? 0 : 1}`;
      const known = resolved.get(memoKey);
      if (known !== undefined) return [...known];
      const key = input.priority !== null && targets.has(input.priority) ? input.priority : 'default';
      const base = targets.get(key) ?? {};
      const contract = input.contract == null ? undefined : contracts.get(input.contract);
      // A contract may override a priority the base table lacks (and vice versa); unmatched priorities fall back to its default.
      const contractKey = input.priority !== null && contract?.has(input.priority) === true ? input.priority : 'default';
      const override = contract?.get(contractKey) ?? {};
      const out: SlaTarget[] = [];
      for (const metric of ['firstResponse', 'nextResponse', 'resolution'] as const) {
        const t = override[metric] ?? base[metric];
        if (t !== undefined) out.push(Object.freeze({ ...t }));
      }
      // Bounded by the policy's priorities x contract levels, plus unlisted names (which share their fallback).
      if (resolved.size < 1024) resolved.set(memoKey, out);
      return [...out];
    },
  });
}
