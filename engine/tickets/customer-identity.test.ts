import { describe, expect, it } from 'vitest';
import { identitiesFromHints, normalizeDomain, normalizeEmail, normalizePhone } from './customer-identity.js';

describe('customer identity normalization', () => {
  it('lower-cases e-mail and unwraps display names', () => {
    expect(normalizeEmail('Jan Kowalski <Jan.Kowalski@ACME.pl>')).toBe('jan.kowalski@acme.pl');
    expect(normalizeEmail('  Anna@Example.COM ')).toBe('anna@example.com');
    expect(normalizeEmail('not an address')).toBeUndefined();
    expect(normalizeEmail(null)).toBeUndefined();
  });

  it('normalizes phone numbers written in different formats to one value', () => {
    const forms = ['+48 600 100 200', '0048600100200', '(+48) 600-100-200', '+48-600-100-200'];
    for (const f of forms) expect(normalizePhone(f), f).toBe('+48600100200');
    expect(normalizePhone('600 100 200', '48')).toBe('+48600100200');
    expect(normalizePhone('0 600 100 200', '+48')).toBe('+48600100200');
    expect(normalizePhone('600 100 200')).toBe('600100200');
    expect(normalizePhone('123')).toBeUndefined();
    expect(normalizePhone('anonymous')).toBeUndefined();
  });

  it('normalizes domains', () => {
    expect(normalizeDomain('WWW.Acme.PL.')).toBe('acme.pl');
    expect(normalizeDomain('@acme.com')).toBe('acme.com');
    expect(normalizeDomain('localhost')).toBeUndefined();
  });

  it('derives a company domain from the e-mail but never a free-mail one', () => {
    expect(identitiesFromHints({ email: 'ops@acme.pl', phone: '+48 600 100 200' })).toEqual([
      { kind: 'email', value: 'ops@acme.pl' },
      { kind: 'phone', value: '+48600100200' },
      { kind: 'domain', value: 'acme.pl' },
    ]);
    expect(identitiesFromHints({ email: 'someone@gmail.com' })).toEqual([{ kind: 'email', value: 'someone@gmail.com' }]);
    expect(identitiesFromHints({ email: 'x@wp.pl', domain: 'wp.pl' })).toEqual([{ kind: 'email', value: 'x@wp.pl' }]);
    expect(identitiesFromHints({ email: 'a@custom.io' }, { freeMailDomains: new Set(['custom.io']) })).toHaveLength(1);
    expect(identitiesFromHints({})).toEqual([]);
  });
});
