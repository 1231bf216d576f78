import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('expires entries at their TTL and keeps nothing for a TTL of 0', () => {
    const cache = new TtlCache<string>();
    cache.set('a', 'A', 1000, 0);
    cache.set('b', 'B', 0, 0);
    expect(cache.get('a', 999)).toBe('A');
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the oldest write when full; rewriting a key makes it the newest', () => {
    const cache = new TtlCache<number>(2);
    cache.set('a', 1, 1000, 0);
    cache.set('b', 2, 1000, 0);
    cache.set('a', 3, 1000, 0);
    cache.set('c', 4, 1000, 0);
    expect([cache.get('a', 1), cache.get('b', 1), cache.get('c', 1)]).toEqual([3, undefined, 4]);
    cache.delete('a');
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
