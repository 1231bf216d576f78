import { describe, expect, it } from 'vitest';
import { exponentialBackoff } from './backoff.js';

describe('exponentialBackoff', () => {
  it('grows the ceiling exponentially and jitters below it (full jitter)', () => {
    const top = exponentialBackoff({ initialMs: 100, multiplier: 2, maxMs: 10_000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5].map((a) => top(a))).toEqual([99, 199, 399, 799, 1599]);
    const bottom = exponentialBackoff({ initialMs: 100, random: () => 0 });
    expect(bottom(5)).toBe(0);
    const half = exponentialBackoff({ initialMs: 100, random: () => 0.5 });
    expect(half(3)).toBe(200);
  });

  it('caps the ceiling at maxMs', () => {
    const top = exponentialBackoff({ initialMs: 1000, maxMs: 5000, random: () => 0.999999 });
    expect(top(30)).toBe(4999);
    expect(top(1000)).toBe(4999);
  });

  it('honours Retry-After when it is longer than the jittered wait, capped at maxMs', () => {
    const policy = exponentialBackoff({ initialMs: 100, maxMs: 60_000, random: () => 0.5 });
    expect(policy(1, 2000)).toBe(2000);
    // the jittered wait is longer: it wins
    expect(policy(10, 2000)).toBe(25_600);
    expect(policy(1, 3_600_000)).toBe(60_000);
    expect(policy(1, Number.NaN)).toBe(50);
    expect(policy(1, -5)).toBe(50);
  });

  it('refuses nonsense settings', () => {
    expect(() => exponentialBackoff({ multiplier: 0.5 })).toThrow(RangeError);
    expect(() => exponentialBackoff({ initialMs: -1 })).toThrow(RangeError);
  });
});
