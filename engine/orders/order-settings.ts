import type { OrdersConfig } from '../../schemas/types/config.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../enrichment/retry-policy.js';
import { DEFAULT_ORDER_NEGATIVE_TTL_MS, DEFAULT_ORDER_TIMEOUT_MS, DEFAULT_ORDER_TTL_MS } from './order-enricher.js';
import { compilePattern, DEFAULT_ORDER_FIELDS, DEFAULT_ORDER_PATTERNS } from './order-number-extractor.js';

/** `orders:` of triage.config.yaml with every default filled in, in milliseconds. */
export interface OrderSettings {
  connection: string;
  fields: readonly string[];
  patterns: readonly string[];
  ttlMs: number;
  negativeTtlMs: number;
  timeoutMs: number;
  retry: RetryPolicy;
  pollMs: number;
}

/**
 * Undefined when the config has no `orders:`. The patterns are compiled (and
 * screened for catastrophic backtracking) here, so a bad one stops the
 * server at start-up with TRIAGE_ORDER_PATTERN_INVALID instead of at the
 * first ticket.
 */
export function orderSettings(raw: OrdersConfig | undefined): OrderSettings | undefined {
  if (raw === undefined) return undefined;
  const seconds = (v: number | undefined, fallbackMs: number): number => (v === undefined ? fallbackMs : v * 1000);
  const patterns = raw.patterns ?? DEFAULT_ORDER_PATTERNS;
  for (const p of patterns) compilePattern(p);
  const baseDelayMs = seconds(raw.retry?.baseDelaySeconds, DEFAULT_RETRY_POLICY.baseDelayMs);
  return {
    connection: raw.connection,
    fields: raw.fields ?? DEFAULT_ORDER_FIELDS,
    patterns,
    ttlMs: seconds(raw.cacheTtlSeconds, DEFAULT_ORDER_TTL_MS),
    negativeTtlMs: seconds(raw.negativeTtlSeconds, DEFAULT_ORDER_NEGATIVE_TTL_MS),
    timeoutMs: raw.timeoutMs ?? DEFAULT_ORDER_TIMEOUT_MS,
    retry: {
      baseDelayMs,
      maxDelayMs: Math.max(baseDelayMs, seconds(raw.retry?.maxDelaySeconds, DEFAULT_RETRY_POLICY.maxDelayMs)),
      maxAttempts: raw.retry?.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
    },
    pollMs: seconds(raw.pollSeconds, 5000),
  };
}
