const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `30m`, `4h`, `5d`, `2w` (followUp's `after`, action-catalogue.ts) in
 * milliseconds of real time; undefined for anything else. Days are 24 hours:
 * "in 5 days" is a customer's patience, not a business calendar (SLA targets
 * use calendars, docs/sla.md).
 */
export function followUpDelayMs(after: unknown): number | undefined {
  if (typeof after !== 'string') return undefined;
  const m = /^([1-9][0-9]*)([mhdw])$/.exec(after);
  if (m === null) return undefined;
  const ms = Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? NaN);
  return Number.isSafeInteger(ms) ? ms : undefined;
}
