import { describe, expect, it } from 'vitest';
import { ageDays, completeOrderFact, orderFact, senderMatches } from './order-fact.js';
import { paymentStatusOf, trackingUrlOf } from './order-record.js';

const RECORD = { number: '12345', date: '2026-11-01T10:00:00.000Z', items: [{ sku: 'A', quantity: 1 }], customerEmail: 'Jan@Example.pl', customerPhone: '+48 600 100 200' };

describe('the order fact', () => {
  it('adds lookup, ageDays and senderMatches to a found order, and copies it', () => {
    const fact = orderFact('found', '12345', RECORD, '2026-11-29T09:00:00.000Z', { email: 'jan@example.pl' });
    expect(fact).toEqual({ ...RECORD, lookup: 'found', ageDays: 27, senderMatches: true });
    (fact.items as { sku: string }[])[0]!.sku = 'changed';
    expect(RECORD.items[0]?.sku).toBe('A');
  });

  it('keeps only lookup and number when the order was not found or the shop did not answer; none has no number', () => {
    expect(orderFact('not-found', '9', undefined, '2026-11-29T09:00:00.000Z', {})).toEqual({ lookup: 'not-found', number: '9' });
    expect(orderFact('unavailable', '9', undefined, '2026-11-29T09:00:00.000Z', {})).toEqual({ lookup: 'unavailable', number: '9' });
    expect(orderFact('none', undefined, undefined, '2026-11-29T09:00:00.000Z', {})).toEqual({ lookup: 'none' });
  });

  it('compares the sender by e-mail (any case) or by the last nine phone digits; no sender, no answer', () => {
    expect(senderMatches({ phone: '600-100-200' }, RECORD)).toBe(true);
    expect(senderMatches({ email: 'other@example.pl' }, RECORD)).toBe(false);
    expect(senderMatches({}, RECORD)).toBeUndefined();
  });

  it('counts whole days and never less than zero', () => {
    expect(ageDays('2026-11-28T10:00:00Z', '2026-11-29T09:59:59Z')).toBe(0);
    expect(ageDays('2026-11-28T10:00:00Z', '2026-11-29T10:00:00Z')).toBe(1);
    expect(ageDays('2026-12-28T10:00:00Z', '2026-11-29T10:00:00Z')).toBe(0);
    expect(ageDays('not a date', '2026-11-29T10:00:00Z')).toBeUndefined();
  });

  it('completes an order passed to /v1/evaluate: lookup and ageDays', () => {
    expect(completeOrderFact({ number: '1', date: '2026-11-01T00:00:00Z' }, '2026-11-21T00:00:00Z')).toEqual({ number: '1', date: '2026-11-01T00:00:00Z', lookup: 'found', ageDays: 20 });
    expect(completeOrderFact({ lookup: 'unavailable', number: '1', ageDays: 3 }, undefined)).toEqual({ lookup: 'unavailable', number: '1', ageDays: 3 });
    expect(completeOrderFact({}, undefined)).toEqual({ lookup: 'none' });
    expect(completeOrderFact(undefined, undefined)).toBeUndefined();
  });

  it('derives payment status and tracking links', () => {
    expect(paymentStatusOf(100, 100)).toBe('paid');
    expect(paymentStatusOf(100, 40)).toBe('partially-paid');
    expect(paymentStatusOf(100, 0)).toBe('unpaid');
    expect(paymentStatusOf(100, undefined)).toBeUndefined();
    expect(trackingUrlOf('AB 1', 'DPD', undefined)).toBe('https://tracktrace.dpd.com.pl/parcelDetails?typ=1&p1=AB%201');
    expect(trackingUrlOf('AB1', 'nobody-knows', undefined)).toBeUndefined();
    expect(trackingUrlOf(undefined, 'dpd', 'https://x/{{number}}')).toBeUndefined();
  });
});
