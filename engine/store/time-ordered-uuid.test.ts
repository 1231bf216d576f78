import { describe, expect, it } from 'vitest';
import { timeOrderedUuid } from './time-ordered-uuid.js';

describe('timeOrderedUuid', () => {
  it('is a version 7 UUID whose first 48 bits are the time in milliseconds', () => {
    const id = timeOrderedUuid(Date.parse('2025-03-03T08:00:00.000Z'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(Date.parse('2025-03-03T08:00:00.000Z'));
  });

  it('sorts ids of later milliseconds after earlier ones, as text too', () => {
    const ids = [0, 1, 255, 256, 1_700_000_000_000, 1_700_000_000_001, 2 ** 47].map((t) => timeOrderedUuid(t));
    expect([...ids].sort()).toEqual(ids);
  });

  it('differs within one millisecond', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => timeOrderedUuid(42)));
    expect(ids.size).toBe(1000);
  });
});
