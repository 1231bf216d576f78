import { describe, expect, it } from 'vitest';
import { expectCode } from '../../test/helpers/expect-code.js';
import { sinceWindow } from './since-window.js';

describe('sinceWindow', () => {
  const now = new Date('2026-03-31T12:00:00.000Z');

  it('reads durations back from now and absolute date-times with a zone', () => {
    expect(sinceWindow('30d', now)).toBe('2026-03-01T12:00:00.000Z');
    expect(sinceWindow('12h', now)).toBe('2026-03-31T00:00:00.000Z');
    expect(sinceWindow('2w', now)).toBe('2026-03-17T12:00:00.000Z');
    expect(sinceWindow('90m', now)).toBe('2026-03-31T10:30:00.000Z');
    expect(sinceWindow('2026-03-01T10:00:00+02:00', now)).toBe('2026-03-01T08:00:00.000Z');
  });

  it('refuses what it cannot read with a coded error', async () => {
    for (const bad of ['', '30', '30y', '0d', '2026-03-01', '2026-03-01T10:00:00', 'yesterday', '2026-13-45T99:00:00Z']) {
      await expectCode(Promise.resolve().then(() => sinceWindow(bad, now)), 'TRIAGE_GOVERNANCE_INVALID_SINCE');
    }
  });
});
