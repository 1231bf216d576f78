import { describe, expect, it } from 'vitest';
import type { ConnectorInstance, OrderRecord } from '../../connectors/lib/connector.js';
import { expectCode } from '../../test/helpers/expect-code.js';
import { OrderEnricher } from './order-enricher.js';

const ORDER: OrderRecord = { number: '12345', date: '2026-11-01T00:00:00.000Z', items: [], customerEmail: 'jan@example.pl' };

/** A shop connection whose answers the test controls (fault injection: hangs that ignore the signal, throws). */
function shop(answer: (number: string) => Promise<OrderRecord | undefined>): ConnectorInstance & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    test: () => Promise.resolve({ ok: true, detail: 'test shop' }),
    lookupOrder: (number) => {
      calls.push(number);
      return answer(number);
    },
  };
}

const request = (text: string) => ({ ticketId: 't-1', subject: 'Pytanie', text, data: {}, hints: { email: 'jan@example.pl' }, now: '2026-11-29T00:00:00.000Z' });

describe('OrderEnricher', () => {
  it('refuses a connection that cannot look up orders', async () => {
    await expectCode(Promise.resolve().then(() => new OrderEnricher({ connection: { test: () => Promise.resolve({ ok: true, detail: '' }) }, connectionName: 'crm' })), 'TRIAGE_ORDER_CONNECTION');
  });

  it('builds the fact, caches found and not-found answers for their TTL, and shares one call per number', async () => {
    const clock = { t: Date.parse('2026-11-29T00:00:00Z') };
    const connection = shop((n) => Promise.resolve(n === '12345' ? ORDER : undefined));
    const enricher = new OrderEnricher({ connection, connectionName: 'shop', ttlMs: 1000, negativeTtlMs: 500, now: () => new Date(clock.t) });
    const [a, b] = await Promise.all([enricher.provide(request('zamówienie nr 12345')), enricher.provide(request('order 12345'))]);
    expect(a).toMatchObject({ lookup: 'found', number: '12345', ageDays: 28, senderMatches: true });
    expect(b).toEqual(a);
    expect(await enricher.provide(request('zamówienie 99999'))).toEqual({ lookup: 'not-found', number: '99999' });
    expect(await enricher.provide(request('bez numeru'))).toEqual({ lookup: 'none' });
    await enricher.provide(request('zamówienie 99999'));
    expect(connection.calls).toEqual(['12345', '99999']);
    clock.t += 600;
    await enricher.provide(request('zamówienie 99999'));
    await enricher.provide(request('zamówienie 12345'));
    expect(connection.calls).toEqual(['12345', '99999', '99999']);
    clock.t += 1000;
    await enricher.provide(request('zamówienie 12345'));
    expect(connection.calls).toEqual(['12345', '99999', '99999', '12345']);
  });

  it('gives up after timeoutMs even when the connection ignores its signal, and does not cache failures', async () => {
    const connection = shop(() => new Promise<never>(() => undefined));
    const enricher = new OrderEnricher({ connection, connectionName: 'shop', timeoutMs: 50 });
    expect(await enricher.provide(request('zamówienie 12345'))).toEqual({ lookup: 'unavailable', number: '12345' });
    expect(await enricher.lookup('12345')).toMatchObject({ status: 'unavailable', code: 'TRIAGE_ORDER_TIMEOUT' });
    expect(connection.calls).toEqual(['12345', '12345']);
  });

  it('turns anything a connection throws into "unavailable"', async () => {
    const enricher = new OrderEnricher({ connection: shop(() => Promise.reject(new Error('boom'))), connectionName: 'shop' });
    expect(await enricher.lookup('1')).toEqual({ status: 'unavailable', code: 'TRIAGE_ORDER_BAD_RESPONSE', message: 'boom' });
  });
});
