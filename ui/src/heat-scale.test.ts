import { describe, expect, it } from 'vitest';
import { gridMax, heatColor } from './heat-scale.js';

describe('heatmap colours', () => {
  it('is neutral for zero and runs from light to deep red by share of the maximum', () => {
    expect(heatColor(0, 5)).toBe('#f6f7f9');
    expect(heatColor(3, 0)).toBe('#f6f7f9');
    expect(heatColor(5, 5)).toBe('#a50f15');
    expect(heatColor(9, 5)).toBe('#a50f15');
    const half = heatColor(1, 2);
    expect(half).toMatch(/^#[0-9a-f]{6}$/);
    expect(half).not.toBe(heatColor(2, 2));
  });

  it('finds the largest cell', () => {
    expect(gridMax([[0, 2], [7, 1]])).toBe(7);
    expect(gridMax([])).toBe(0);
  });
});
