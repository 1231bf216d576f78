import { describe, expect, it } from 'vitest';
import cron from 'node-cron';
import { sweepCronExpression } from './sweep-cron-expression.js';

describe('sweepCronExpression', () => {
  it.each([
    [1, '* * * * * *', false],
    [15, '*/15 * * * * *', false],
    [30, '*/30 * * * * *', false],
    [60, '0 * * * * *', false],
    [120, '0 */2 * * * *', false],
    [45, '* * * * * *', true],
    [90, '* * * * * *', true],
    [3600, '0 0 * * * *', false],
    [1800, '0 */30 * * * *', false],
  ])('%i s → %s (gated: %s)', (seconds, expression, gated) => {
    expect(sweepCronExpression(seconds)).toEqual({ expression, gated });
    expect(cron.validate(expression)).toBe(true);
  });

  it('refuses intervals that are not whole seconds ≥ 1', () => {
    expect(() => sweepCronExpression(0)).toThrow(RangeError);
    expect(() => sweepCronExpression(2.5)).toThrow(RangeError);
  });
});
