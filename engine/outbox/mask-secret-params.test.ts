import { describe, expect, it } from 'vitest';
import { maskSecretParams, redactSecretText } from './mask-secret-params.js';

describe('maskSecretParams', () => {
  it('masks values under secret-looking keys at any depth and keeps the rest', () => {
    const params = {
      connection: 'orders',
      text: 'hello',
      token: 'xoxb-123',
      body: { apiKey: 'k', nested: [{ password: 'p', note: 'n' }], clientSecret: 's', Authorization: 'Bearer abc' },
    };
    expect(maskSecretParams(params)).toEqual({
      connection: 'orders',
      text: 'hello',
      token: '***',
      body: { apiKey: '***', nested: [{ password: '***', note: 'n' }], clientSecret: '***', Authorization: '***' },
    });
    // the stored params are not changed
    expect(params.token).toBe('xoxb-123');
  });
});

describe('redactSecretText', () => {
  it('removes URL credentials, bearer tokens and secret query parameters', () => {
    expect(redactSecretText('connect https://bob:hunter2@example.com/x failed')).toBe('connect https://***@example.com/x failed');
    expect(redactSecretText('sent Bearer abcdefghijklmnop')).toBe('sent Bearer ***');
    expect(redactSecretText('GET /hook?id=1&token=abc123&x=2')).toBe('GET /hook?id=1&token=***&x=2');
    expect(redactSecretText('plain message')).toBe('plain message');
  });
});
