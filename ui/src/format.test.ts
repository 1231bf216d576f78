import { describe, expect, it } from 'vitest';
import { formatDuration, formatInstant, formatShare, formatTimeLeft, formatValue, shortVersion, slaLabel } from './format.js';

const MIN = 60_000;

describe('dashboard formatting', () => {
  it('formats durations the way a person reads them', () => {
    expect(formatDuration(20_000)).toBe('<1m');
    expect(formatDuration(45 * MIN)).toBe('45m');
    expect(formatDuration(125 * MIN)).toBe('2h 05m');
    expect(formatDuration(3 * 24 * 60 * MIN + 4 * 60 * MIN + 59 * MIN)).toBe('3d 4h');
    expect(formatDuration(2 * 24 * 60 * MIN)).toBe('2d');
    expect(formatDuration(-90 * MIN)).toBe('1h 30m');
  });

  it('says time left or overdue, and a dash without a due time', () => {
    expect(formatTimeLeft(12 * MIN)).toBe('12m left');
    expect(formatTimeLeft(-65 * MIN)).toBe('1h 05m overdue');
    expect(formatTimeLeft(0)).toBe('<1m left');
    expect(formatTimeLeft(null)).toBe('—');
  });

  it('labels every SLA state', () => {
    expect(['breached', 'warning', 'due', 'paused', 'none'].map((s) => slaLabel(s as Parameters<typeof slaLabel>[0]))).toEqual(['Breached', 'Warning', 'On time', 'Paused', 'No SLA']);
  });

  it('formats instants in a given zone, to the minute', () => {
    expect(formatInstant('2026-03-04T12:05:30.000Z', 'UTC')).toBe('2026-03-04 12:05');
    expect(formatInstant('2026-03-04T23:30:00.000Z', 'Europe/Warsaw')).toBe('2026-03-05 00:30');
    expect(formatInstant(null)).toBe('—');
    expect(formatInstant('not a date')).toBe('not a date');
  });

  it('formats shares, values and versions', () => {
    expect(formatShare(0.1234)).toBe('12.3%');
    expect(formatShare(null)).toBe('—');
    expect(formatValue(undefined)).toBe('(missing)');
    expect(formatValue(null)).toBe('—');
    expect(formatValue('P1')).toBe('P1');
    expect(formatValue(['a', 'b'])).toBe('["a","b"]');
    expect(shortVersion('sha256:0123456789abcdef0123')).toBe('0123456789ab');
    expect(shortVersion(null)).toBe('—');
  });
});
