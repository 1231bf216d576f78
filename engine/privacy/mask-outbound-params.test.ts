import { afterEach, describe, expect, it } from 'vitest';
import { maskOutboundParams } from './mask-outbound-params.js';
import { configurePrivacy, privacySettings } from './privacy-settings.js';

afterEach(() => configurePrivacy());

describe('maskOutboundParams', () => {
  const params = {
    channel: '#incidents',
    text: 'Klient podał kartę 4111 1111 1111 1111 i PESEL 44051401359',
    body: { customer: { iban: 'PL61109010140000071219812874', ids: ['44051401359', 7, null, true] }, order: '2026/01/12345' },
    labels: ['vip', 'PL61 1090 1014 0000 0712 1981 2874'],
    count: 3,
  };

  it('masks every string at any depth and leaves keys, numbers and the input alone', () => {
    const before = structuredClone(params);
    expect(maskOutboundParams(params)).toEqual({
      channel: '#incidents',
      text: 'Klient podał kartę **** **** **** 1111 i PESEL *******1359',
      body: { customer: { iban: 'PL**********************2874', ids: ['*******1359', 7, null, true] }, order: '2026/01/12345' },
      labels: ['vip', 'PL** **** **** **** **** **** 2874'],
      count: 3,
    });
    expect(params).toEqual(before);
  });

  it('applies the configured extra patterns', () => {
    configurePrivacy({ extraPatterns: ['KL-\\d{8}'] });
    expect(maskOutboundParams({ text: 'KL-12345678' })).toEqual({ text: '**-****5678' });
  });

  it('passes params through unchanged when privacy.maskOutbound is false', () => {
    configurePrivacy({ maskOutbound: false });
    expect(privacySettings().maskOutbound).toBe(false);
    expect(maskOutboundParams(params)).toBe(params);
  });

  it('keeps non-plain objects as they are', () => {
    const when = new Date('2026-01-05T09:00:00Z');
    expect(maskOutboundParams({ when }).when).toBe(when);
  });
});
