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

  it('stays the digest stored for tickets made before (a changed canonical form would refuse their retries)', () => {
    // Digest of this body as the first implementation computed it (Object.entries, filter, sort, join).
    const body = { ż: 1, z: [1, undefined, null, { b: 2, a: 'ą', c: undefined }], Z: true, a: { '': -0, e: 1e21, n: 1.5 }, ab: 'x"\n', aa: [] };
    expect(requestFingerprint(body)).toBe('sha256:2da016f3b33e25b221f2f40ea689354d60bc2ddb9b0012e43781857e58a753ad');
  });
});

