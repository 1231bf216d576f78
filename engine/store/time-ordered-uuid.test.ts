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

describe('timeOrderedUuid random part', () => {
  it('spreads every random digit over all sixteen values and keeps the variant bits', () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) {
      const id = timeOrderedUuid(1_700_000_000_000);
      for (let p = 0; p < 36; p++) seen[p]?.add(id[p] ?? '');
    }
    // Time digits, dashes and the version are fixed; each random digit took all values, the variant digit 8–b.
    const random = [15, 16, 17, 20, 21, 22, ...Array.from({ length: 12 }, (_, i) => 24 + i)];
    for (const p of random) expect(seen[p]?.size, `digit ${p}`).toBe(16);
    expect([...(seen[19] ?? [])].sort()).toEqual(['8', '9', 'a', 'b']);
    for (const p of [8, 13, 18, 23]) expect([...(seen[p] ?? [])]).toEqual(['-']);
  });
});
