/**
 * A node-cron expression (with seconds) that fires every `seconds`: `*\/15 * * * * *`
 * for 15, `0 *\/2 * * * *` for 120. An interval cron cannot express evenly
 * (e.g. 45 s, which would fire at :00 and :45) ticks every second instead,
 * and the sweeper skips ticks until the interval has passed.
 */
export function sweepCronExpression(seconds: number): { expression: string; gated: boolean } {
  if (!Number.isInteger(seconds) || seconds < 1) throw new RangeError(`the sweep interval must be a whole number of seconds ≥ 1 (got ${seconds})`);
  if (seconds < 60 && 60 % seconds === 0) return { expression: seconds === 1 ? '* * * * * *' : `*/${seconds} * * * * *`, gated: false };
  if (seconds === 3600) return { expression: '0 0 * * * *', gated: false };
  if (seconds % 60 === 0 && seconds < 3600 && 60 % (seconds / 60) === 0) return { expression: seconds === 60 ? '0 * * * * *' : `0 */${seconds / 60} * * * *`, gated: false };
  return { expression: '* * * * * *', gated: true };
}
