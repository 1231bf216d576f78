import { describe, expect, it } from 'vitest';
import { requestFingerprint } from './request-fingerprint.js';

describe('requestFingerprint', () => {
  it('ignores key order and undefined members, not values, array order or types', () => {
    const a = requestFingerprint({ subject: 'x', message: { text: 't', to: ['a', 'b'] }, tags: undefined });
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(requestFingerprint({ message: { to: ['a', 'b'], text: 't' }, subject: 'x' })).toBe(a);
    expect(requestFingerprint({ subject: 'x', message: { text: 't', to: ['b', 'a'] } })).not.toBe(a);
    expect(requestFingerprint({ subject: 'y', message: { text: 't', to: ['a', 'b'] } })).not.toBe(a);
    expect(requestFingerprint({ n: 1 })).not.toBe(requestFingerprint({ n: '1' }));
    expect(requestFingerprint({ n: null })).not.toBe(requestFingerprint({}));
  });
});
