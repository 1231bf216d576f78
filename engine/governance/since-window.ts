import { TriageError } from '../errors/triage-error.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * The start of a governance window as an ISO-8601 UTC string: `30d` (back
 * from `now`), `12h`, `2w`, `90m`, or an absolute date-time with a time zone.
 * Stored times are ISO UTC text, so the result compares as text in SQL.
 */
export function sinceWindow(value: string, now: Date = new Date()): string {
  const relative = /^(\d{1,6})([mhdw])$/.exec(value.trim());
  if (relative !== null) {
    const amount = Number(relative[1]);
    const unit = UNIT_MS[relative[2] ?? 'd'] ?? UNIT_MS.d!;
    if (amount === 0) throw new TriageError('TRIAGE_GOVERNANCE_INVALID_SINCE', [value, 'the window is empty']);
    return new Date(now.getTime() - amount * unit).toISOString();
  }
  // A bare date or a time without a zone would depend on the machine's zone: refuse it.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value.trim())) {
    throw new TriageError('TRIAGE_GOVERNANCE_INVALID_SINCE', [value, 'expected a duration like 30d or an ISO-8601 date-time with a time zone']);
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new TriageError('TRIAGE_GOVERNANCE_INVALID_SINCE', [value, 'not a valid date-time']);
  return new Date(t).toISOString();
}
