/**
 * Colour of a heatmap cell: white for zero, then from a light to a deep red
 * by the cell's share of the largest cell. Hand-written so the page needs no
 * chart library.
 */
export function heatColor(value: number, max: number): string {
  if (value <= 0 || max <= 0) return '#f6f7f9';
  const t = Math.min(1, value / max);
  // #fde0dd (light) → #a50f15 (deep red)
  const from = [0xfd, 0xe0, 0xdd];
  const to = [0xa5, 0x0f, 0x15];
  const hex = from.map((f, i) => Math.round(f + ((to[i] ?? f) - f) * t).toString(16).padStart(2, '0')).join('');
  return `#${hex}`;
}

/** The largest value of a grid (0 when empty). */
export function gridMax(cells: readonly (readonly number[])[]): number {
  let max = 0;
  for (const row of cells) for (const v of row) if (v > max) max = v;
  return max;
}
