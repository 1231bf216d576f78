import { describe, expect, it } from 'vitest';
import { enrichmentSettings } from './enrichment-settings.js';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from './retry-policy.js';

describe('enrichment settings', () => {
  it('is undefined without `enrichment:`, and fills every default in milliseconds', () => {
    expect(enrichmentSettings(undefined)).toBeUndefined();
    expect(enrichmentSettings({ connection: 'crm' })).toEqual({
      connection: 'crm',
      ttlMs: 300_000,
      negativeTtlMs: 60_000,
      timeoutMs: 2000,
      retry: DEFAULT_RETRY_POLICY,
      pollMs: 5000,
    });
  });

  it('converts seconds, and never lets the cap fall below the first delay', () => {
    expect(enrichmentSettings({ connection: 'crm', ttlSeconds: 0, negativeTtlSeconds: 5, timeoutMs: 500, retry: { baseDelaySeconds: 120, maxDelaySeconds: 60, maxAttempts: 3 }, pollSeconds: 2 })).toEqual({
      connection: 'crm',
      ttlMs: 0,
      negativeTtlMs: 5000,
      timeoutMs: 500,
      retry: { baseDelayMs: 120_000, maxDelayMs: 120_000, maxAttempts: 3 },
      pollMs: 2000,
    });
  });
});

describe('retry delay', () => {
  const policy = { baseDelayMs: 1000, maxDelayMs: 10_000, maxAttempts: 5 };
  it('doubles per attempt up to the cap, with ±20% jitter', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => retryDelayMs(n, policy, () => 0.5))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(retryDelayMs(1, policy, () => 0)).toBe(800);
    expect(retryDelayMs(1, policy, () => 1)).toBe(1200);
  });
});
