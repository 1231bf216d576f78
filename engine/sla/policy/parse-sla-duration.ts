import { TriageError } from '../../errors/triage-error.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Ten years of open time: far beyond any real SLA, small enough that a typo (99999999h) fails fast instead of walking millennia. */
export const MAX_TARGET_MS = 10 * 366 * 24 * HOUR;
/** The default length of a business day, in open time. */
export const DEFAULT_BUSINESS_DAY_MS = 8 * HOUR;

export interface ParseSlaDurationOptions {
  /** Open time of one business day; when undefined, `bd` is refused (the CLI takes m and h only). */
  businessDayMs?: number;
}

/**
 * An SLA target in open time: a whole number with a unit, `15m`, `4h`, or
 * (policies only) `3bd` = 3 × the policy's business day of open time.
 * Throws TRIAGE_SLA_BAD_DURATION saying what is wrong.
 */
export function parseSlaDuration(text: string, options: ParseSlaDurationOptions = {}): number {
  const match = /^(\d+)(m|h|bd)$/.exec(text.trim());
  const units = options.businessDayMs === undefined ? 'm (minutes) or h (hours)' : 'm (minutes), h (hours) or bd (business days)';
  if (!match) throw new TriageError('TRIAGE_SLA_BAD_DURATION', [text, `expected a whole number followed by ${units}, e.g. 15m or 4h`]);
  const amount = Number(match[1]);
  const unit = match[2];
  let ms: number;
  if (unit === 'm') ms = amount * MINUTE;
  else if (unit === 'h') ms = amount * HOUR;
  else if (options.businessDayMs === undefined) throw new TriageError('TRIAGE_SLA_BAD_DURATION', [text, `business days (bd) are only defined in an SLA policy; use ${units}`]);
  else ms = amount * options.businessDayMs;
  if (!Number.isSafeInteger(ms) || ms > MAX_TARGET_MS) throw new TriageError('TRIAGE_SLA_BAD_DURATION', [text, 'longer than 10 years of open time']);
  return ms;
}
