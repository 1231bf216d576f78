import { describe, expect, it } from 'vitest';
import { percent, percentile, summarize } from './summarize.js';

describe('summarize', () => {
  it('gives mean, median, P90 and P95 by linear interpolation between closest ranks', () => {
    expect(summarize([40, 10, 30, 20])).toEqual({ mean: 25, median: 25, p90: 37, p95: 38.5 });
  });

  it('handles one value, odd counts and an empty list', () => {
    expect(summarize([7])).toEqual({ mean: 7, median: 7, p90: 7, p95: 7 });
    expect(summarize([1, 2, 3, 4, 100])).toEqual({ mean: 22, median: 3, p90: 61.6, p95: 80.8 });
    expect(summarize([])).toEqual({ mean: null, median: null, p90: null, p95: null });
  });

  it('percentile of the ends is the minimum and maximum', () => {
    expect(percentile([1, 5, 9], 0)).toBe(1);
    expect(percentile([1, 5, 9], 1)).toBe(9);
    expect(percentile([], 0.5)).toBeNull();
  });

  it('percent is null without a whole and rounded to two decimals', () => {
    expect(percent(1, 3)).toBe(33.33);
    expect(percent(0, 0)).toBeNull();
  });
});
