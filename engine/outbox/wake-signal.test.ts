import { describe, expect, it } from 'vitest';
import { WakeSignal } from './wake-signal.js';

describe('WakeSignal', () => {
  it('a notify ends a wait early', async () => {
    const signal = new WakeSignal();
    let woke = false;
    const waiting = signal.wait(60_000).then(() => {
      woke = true;
    });
    expect(woke).toBe(false);
    signal.notify();
    await waiting;
    expect(woke).toBe(true);
  });

  it('remembers a notify that came while nobody waited (once)', async () => {
    const signal = new WakeSignal();
    signal.notify();
    signal.notify();
    await signal.wait(60_000);
    let woke = false;
    const waiting = signal.wait(60_000).then(() => {
      woke = true;
    });
    await Promise.resolve();
    expect(woke).toBe(false);
    signal.notify();
    await waiting;
    expect(woke).toBe(true);
  });
});
