/**
 * How long to wait before retry number `attempt` (1 = the wait after the first
 * failed attempt). `retryAfterMs` is what the receiver asked for (Retry-After).
 */
export type BackoffPolicy = (attempt: number, retryAfterMs?: number) => number;

export interface BackoffOptions {
  /** Upper bound of the first wait (default 1 s). */
  initialMs?: number;
  /** Growth per attempt (default 2). */
  multiplier?: number;
  /** No wait is longer, Retry-After included (default 5 min). */
  maxMs?: number;
  /** [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

export const DEFAULT_BACKOFF = { initialMs: 1000, multiplier: 2, maxMs: 300_000 } as const;

/**
 * Exponential back-off with full jitter: a uniformly random wait between 0
 * and min(maxMs, initialMs · multiplier^(attempt-1)). Full jitter spreads the
 * retries of many rows that failed together (a receiver outage) instead of
 * sending them back in waves. A Retry-After from the receiver wins when it is
 * longer (max of both); the result is capped at maxMs, so a receiver asking
 * for "a day" does not park a row for a day.
 */
export function exponentialBackoff(options: BackoffOptions = {}): BackoffPolicy {
  const initialMs = options.initialMs ?? DEFAULT_BACKOFF.initialMs;
  const multiplier = options.multiplier ?? DEFAULT_BACKOFF.multiplier;
  const maxMs = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
  const random = options.random ?? Math.random;
  if (!(initialMs >= 0) || !(multiplier >= 1) || !(maxMs >= 0)) throw new RangeError('backoff needs initialMs >= 0, multiplier >= 1, maxMs >= 0');
  return (attempt, retryAfterMs) => {
    const exponent = Math.max(0, Math.floor(attempt) - 1);
    const ceiling = Math.min(maxMs, initialMs * multiplier ** exponent);
    const jittered = Math.floor(random() * ceiling);
    const asked = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? retryAfterMs : 0;
    return Math.min(maxMs, Math.max(jittered, asked));
  };
}
