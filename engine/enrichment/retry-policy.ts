/** How unanswered CRM lookups are retried in the background (docs/enrichment.md). */
export interface RetryPolicy {
  /** Wait after the first failure; doubles with each attempt (default 30 s). */
  baseDelayMs: number;
  /** Cap of the wait between attempts (default 1 h). */
  maxDelayMs: number;
  /** Attempts in all, the one at ticket creation included; then the job is marked failed (default 12, about 8 hours). */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 30_000, maxDelayMs: 3_600_000, maxAttempts: 12 };

/**
 * Delay before the next attempt after `attempts` failed ones: exponential,
 * capped, with ±20% jitter so tickets that failed together during an outage
 * do not all hit the CRM in the same second when it comes back.
 */
export function retryDelayMs(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = policy.baseDelayMs * 2 ** Math.max(0, attempts - 1);
  const capped = Math.min(policy.maxDelayMs, exponential);
  return Math.round(capped * (0.8 + 0.4 * random()));
}
