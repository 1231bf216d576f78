import type { EnrichmentConfig } from '../../schemas/types/config.js';
import { DEFAULT_ENRICHMENT_NEGATIVE_TTL_MS, DEFAULT_ENRICHMENT_TIMEOUT_MS, DEFAULT_ENRICHMENT_TTL_MS } from './customer-enricher.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';

/** `enrichment:` of triage.config.yaml with every default filled in, in milliseconds. */
export interface EnrichmentSettings {
  /** The facts connection in connections.yaml. */
  connection: string;
  ttlMs: number;
  negativeTtlMs: number;
  timeoutMs: number;
  retry: RetryPolicy;
  pollMs: number;
}

export const DEFAULT_ENRICHMENT_POLL_MS = 5000;

/** Undefined when the config has no `enrichment:` (tickets are then created without CRM facts). */
export function enrichmentSettings(raw: EnrichmentConfig | undefined): EnrichmentSettings | undefined {
  if (raw === undefined) return undefined;
  const seconds = (v: number | undefined, fallbackMs: number): number => (v === undefined ? fallbackMs : v * 1000);
  const baseDelayMs = seconds(raw.retry?.baseDelaySeconds, DEFAULT_RETRY_POLICY.baseDelayMs);
  return {
    connection: raw.connection,
    ttlMs: seconds(raw.ttlSeconds, DEFAULT_ENRICHMENT_TTL_MS),
    negativeTtlMs: seconds(raw.negativeTtlSeconds, DEFAULT_ENRICHMENT_NEGATIVE_TTL_MS),
    timeoutMs: raw.timeoutMs ?? DEFAULT_ENRICHMENT_TIMEOUT_MS,
    retry: {
      baseDelayMs,
      // A cap below the first delay would make the back-off shrink; the cap wins only above it.
      maxDelayMs: Math.max(baseDelayMs, seconds(raw.retry?.maxDelaySeconds, DEFAULT_RETRY_POLICY.maxDelayMs)),
      maxAttempts: raw.retry?.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
    },
    pollMs: seconds(raw.pollSeconds, DEFAULT_ENRICHMENT_POLL_MS),
  };
}
