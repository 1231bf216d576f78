/** Mean, median, P90 and P95 of a list of durations, rounded for display. */
export interface DurationSummary {
  mean: number | null;
  median: number | null;
  p90: number | null;
  p95: number | null;
}

/**
 * The p-th percentile (0..1) of sorted values by linear interpolation between
 * closest ranks (the "R-7" / spreadsheet PERCENTILE.INC definition): rank
 * h = (n − 1)·p, value = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). It never
 * invents a value outside the data and is what process owners get from a
 * spreadsheet, so a report can be checked by hand.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const low = sorted[lo] as number;
  const high = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return low + (h - lo) * (high - low);
}

/** Two decimals: minutes and percentages are read by people, not summed again. */
export function round2(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100) / 100;
}

export function summarize(values: readonly number[]): DurationSummary {
  if (values.length === 0) return { mean: null, median: null, p90: null, p95: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  return { mean: round2(mean), median: round2(percentile(sorted, 0.5)), p90: round2(percentile(sorted, 0.9)), p95: round2(percentile(sorted, 0.95)) };
}

/** part / whole as a percentage, null when there is nothing to divide by. */
export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : round2((part / whole) * 100);
}
