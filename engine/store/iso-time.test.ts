import { describe, expect, it } from 'vitest';
import { toIsoUtc } from './iso-time.js';

describe('toIsoUtc', () => {
  it('normalizes instants to fixed-width UTC text', () => {
    expect(toIsoUtc('2025-03-02T10:00:00+01:00')).toBe('2025-03-02T09:00:00.000Z');
    expect(toIsoUtc('2025-03-02T10:00:00Z')).toBe('2025-03-02T10:00:00.000Z');
    expect(toIsoUtc(new Date(Date.UTC(2025, 0, 1)))).toBe('2025-01-01T00:00:00.000Z');
    expect(toIsoUtc(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(toIsoUtc('2025-03-02')).toBe('2025-03-02T00:00:00.000Z');
  });

  it('refuses ambiguous or invalid times', () => {
    expect(toIsoUtc('2025-03-02T10:00:00')).toBeUndefined();
    expect(toIsoUtc('yesterday')).toBeUndefined();
    expect(toIsoUtc(new Date(Number.NaN))).toBeUndefined();
    expect(toIsoUtc(Date.UTC(12000, 0, 1))).toBeUndefined();
  });
});
