import { describe, expect, it } from 'vitest';
import { parseSlaDuration } from './parse-sla-duration.js';

const H = 3_600_000;

describe('parseSlaDuration', () => {
  it.each([
    { text: '15m', ms: 15 * 60_000 },
    { text: '0m', ms: 0 },
    { text: '4h', ms: 4 * H },
    { text: '90m', ms: 90 * 60_000 },
    { text: '87840h', ms: 87_840 * H },
  ])('$text is $ms ms', ({ text, ms }) => {
    expect(parseSlaDuration(text)).toBe(ms);
  });

  it('business days are N × the business day, in policies only', () => {
    expect(parseSlaDuration('3bd', { businessDayMs: 8 * H })).toBe(24 * H);
    expect(parseSlaDuration('1bd', { businessDayMs: 7.5 * H })).toBe(7.5 * H);
    expect(() => parseSlaDuration('3bd')).toThrow(/business days \(bd\) are only defined in an SLA policy/);
  });

  it.each(['', '15', 'm', '1.5h', '-1h', '2d', '15 min', 'PT1H', '87841h'])('refuses "%s" with TRIAGE_SLA_BAD_DURATION', (text) => {
    expect(() => parseSlaDuration(text)).toThrow(expect.objectContaining({ code: 'TRIAGE_SLA_BAD_DURATION' }));
  });
});
