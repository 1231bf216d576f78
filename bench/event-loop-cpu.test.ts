import { describe, expect, it } from 'vitest';
import { eventLoopCpuMicros } from './event-loop-cpu.js';

describe('eventLoopCpuMicros', () => {
  it.runIf(process.platform === 'linux')('grows by the CPU time the main thread spends, not by wall time', () => {
    const before = eventLoopCpuMicros();
    expect(before).toBeGreaterThanOrEqual(0);
    // About 300 ms of work on this thread (30 ticks): the counter must move by most of it.
    const started = process.cpuUsage();
    let x = 0;
    while (process.cpuUsage(started).user < 300_000) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    const busy = (eventLoopCpuMicros() ?? 0) - (before ?? 0);
    expect(busy).toBeGreaterThanOrEqual(200_000);
    expect(busy).toBeLessThan(2_000_000);
  });
});
