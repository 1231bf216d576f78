import { describe, expect, it } from 'vitest';
import { backoffMs } from './mailbox-poller.js';
import { normalizeMessageId, rawMessageId, storedSpellings } from './message-id.js';

describe('Message-IDs', () => {
  it('are kept bare, and anything unusable is null', () => {
    expect(normalizeMessageId('<a.b@c>')).toBe('a.b@c');
    expect(normalizeMessageId('  a.b@c ')).toBe('a.b@c');
    expect(normalizeMessageId('<>')).toBeNull();
    expect(normalizeMessageId('two words@x')).toBeNull();
    expect(normalizeMessageId(null)).toBeNull();
  });

  it('look-ups match rows written with or without brackets; a message without one is keyed by its raw hash', () => {
    expect(storedSpellings(['a@b'])).toEqual(['a@b', '<a@b>']);
    expect(rawMessageId('ab12')).toBe('sha256-ab12@triage');
  });
});

describe('backoffMs', () => {
  it('doubles from 1 s up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, 10_000))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(backoffMs(1000, 300_000)).toBe(300_000);
  });
});
