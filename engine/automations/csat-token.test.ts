import { describe, expect, it } from 'vitest';
import { isTriageError } from '../errors/triage-error.js';
import { newCsatToken, signCsatToken, verifyCsatToken } from './csat-token.js';

/** Run `fn` and expect the TriageError `code` (and a message matching `message`). */
function expectCode(fn: () => unknown, code: string, message?: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(isTriageError(error) ? error.code : error).toBe(code);
    if (message !== undefined) expect((error as Error).message).toMatch(message);
    return;
  }
  expect.unreachable(`expected ${code}`);
}

const secret = Buffer.from('test-secret-of-enough-length', 'utf8');
const now = Date.parse('2026-03-01T10:00:00Z');

describe('CSAT tokens', () => {
  it('round-trips ticket id, expiry (whole seconds) and nonce', () => {
    const nonce = Buffer.alloc(9, 7).toString('base64url');
    const token = signCsatToken({ ticketId: 't-1', expiresAt: now + 1500, nonce }, secret);
    expect(verifyCsatToken(token, secret, now)).toEqual({ ticketId: 't-1', expiresAt: now + 1000, nonce });
  });

  it('fits a URL path segment (Fastify: 100 characters) for a time-ordered uuid ticket id', () => {
    expect(newCsatToken('019a7c2e-1f3b-7cde-8a90-123456789abc', secret, now, 30 * 86_400_000).length).toBeLessThanOrEqual(100);
  });

  it('each new token has its own nonce', () => {
    const a = verifyCsatToken(newCsatToken('t-1', secret, now, 60_000), secret, now);
    const b = verifyCsatToken(newCsatToken('t-1', secret, now, 60_000), secret, now);
    expect(a.nonce).not.toBe(b.nonce);
  });

  it('refuses a forged, altered, foreign or mangled token', () => {
    const token = newCsatToken('t-1', secret, now, 60_000);
    const [payload, sig] = token.split('.') as [string, string];
    const other = Buffer.from(payload, 'base64url');
    other.write('2', other.length - 1);
    expectCode(() => verifyCsatToken(`${other.toString('base64url')}.${sig}`, secret, now), 'TRIAGE_CSAT_INVALID_TOKEN');
    expectCode(() => verifyCsatToken(`${payload}.${sig.slice(0, -2)}xx`, secret, now), 'TRIAGE_CSAT_INVALID_TOKEN');
    expectCode(() => verifyCsatToken(token, Buffer.from('another secret'), now), 'TRIAGE_CSAT_INVALID_TOKEN');
    for (const bad of ['', 'abc', 'a.b.c', `.${sig}`]) expectCode(() => verifyCsatToken(bad, secret, now), 'TRIAGE_CSAT_INVALID_TOKEN');
  });

  it('refuses an expired token with its expiry in the message', () => {
    const token = newCsatToken('t-1', secret, now, 60_000);
    expect(verifyCsatToken(token, secret, now + 60_000).ticketId).toBe('t-1');
    expectCode(() => verifyCsatToken(token, secret, now + 61_000), 'TRIAGE_CSAT_EXPIRED', /2026-03-01T10:01:00.000Z/);
  });
});
