import { Ajv } from 'ajv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorInstance, OrderRecord } from '../lib/connector.js';
import { ConnectorError } from '../lib/connector-error.js';
import { startShoperServer, type ShoperServer } from '../../test/fakes/shoper-server.js';
import { shoperConnector } from './shoper-connector.js';

const CLIENT = 'triage-api';
const SECRET = 'shoper-secret-5678';

const ORDER = {
  order_id: 12345,
  user_id: 0,
  date: '2026-11-02 10:15:00',
  status_id: 4,
  sum: '189.50',
  paid: '0.00',
  currency_name: 'PLN',
  shipping_id: 2,
  email: 'anna@example.pl',
  delivery_code: 'DPD0001234',
  billingAddress: { firstname: 'Anna', lastname: 'Nowak', phone: '600200300' },
  deliveryAddress: { phone: '600200399' },
};

/** 53 items: with 25 a page, three pages, so paging is exercised. */
const PRODUCTS = Array.from({ length: 53 }, (_, i) => ({ id: i + 1, order_id: 12345, product_id: 100 + i, name: `Produkt ${i + 1}`, code: `SKU-${i + 1}`, quantity: '1', price: '3.50' }));

describe('shoper connector against a loopback Shoper WebAPI', () => {
  let shop: ShoperServer;
  const instances: ConnectorInstance[] = [];
  const create = (settings: Record<string, unknown> = {}): ConnectorInstance => {
    const instance = shoperConnector.create(
      { shopUrl: shop.url, clientId: CLIENT, clientSecret: SECRET, statusNames: { '4': 'wysłane' }, shippingNames: { '2': 'Kurier DPD' }, timezone: 'Europe/Warsaw', pageLimit: 50, numberField: 'order_id', allowHosts: ['127.0.0.1'], ...settings },
      { connection: 'shop', log: () => undefined },
    );
    instances.push(instance);
    return instance;
  };
  const lookup = (instance: ConnectorInstance, number: string): Promise<OrderRecord | undefined> => {
    if (instance.lookupOrder === undefined) throw new Error('not an orders connector');
    return instance.lookupOrder(number, new AbortController().signal);
  };
  const failure = async (promise: Promise<unknown>): Promise<ConnectorError> => {
    try {
      await promise;
    } catch (e) {
      if (e instanceof ConnectorError) return e;
      throw e;
    }
    throw new Error('expected the lookup to fail');
  };

  beforeAll(async () => {
    shop = await startShoperServer({ clientId: CLIENT, clientSecret: SECRET, orders: [ORDER], products: PRODUCTS });
  });
  afterEach(async () => {
    for (const i of instances.splice(0)) await i.close?.();
    shop.reset();
    shop.bucket = Number.POSITIVE_INFINITY;
    shop.leak();
  });
  afterAll(async () => {
    await shop.close();
  });

  it('declares a facts connector whose settings schema compiles and marks the secret sensitive', () => {
    expect(shoperConnector).toMatchObject({ name: 'shoper', kind: 'facts', operations: [] });
    const validate = new Ajv({ strict: false, useDefaults: true }).compile(shoperConnector.credentials);
    const settings: Record<string, unknown> = { shopUrl: 'https://sklep.example.pl', clientId: 'api', clientSecret: '${env:SHOPER_SECRET}' };
    expect(validate(settings), JSON.stringify(validate.errors)).toBe(true);
    expect(settings).toMatchObject({ numberField: 'order_id', timezone: 'Europe/Warsaw', pageLimit: 50 });
    expect(validate({ shopUrl: 'https://x', clientId: 'a' })).toBe(false);
    expect((shoperConnector.credentials.properties as Record<string, Record<string, unknown>>).clientSecret?.['x-sensitive']).toBe(true);
  });

  it('authenticates, filters orders by number, reads every page of items and maps the order', async () => {
    const order = await lookup(create({ pageLimit: 25, trackingUrlTemplate: 'https://tracktrace.dpd.com.pl/parcelDetails?p1={{number}}' }), '12345');
    expect(order).toMatchObject({
      number: '12345',
      status: 'wysłane',
      date: '2026-11-02T09:15:00.000Z',
      total: 189.5,
      currency: 'PLN',
      shippingMethod: 'Kurier DPD',
      trackingNumber: 'DPD0001234',
      trackingUrl: 'https://tracktrace.dpd.com.pl/parcelDetails?p1=DPD0001234',
      paymentStatus: 'unpaid',
      customerEmail: 'anna@example.pl',
      customerPhone: '600200300',
    });
    expect(order?.items).toHaveLength(53);
    expect(order?.items[52]).toEqual({ sku: 'SKU-53', name: 'Produkt 53', quantity: 1 });
    const calls = shop.requests.map((r) => `${r.method} ${r.path} ${r.query.get('filters') ?? ''} ${r.query.get('page') ?? ''}`.trim());
    expect(calls).toEqual([
      'POST /webapi/rest/auth',
      'GET /webapi/rest/orders {"order_id":12345} 1',
      'GET /webapi/rest/order-products {"order_id":12345} 1',
      'GET /webapi/rest/order-products {"order_id":12345} 2',
      'GET /webapi/rest/order-products {"order_id":12345} 3',
    ]);
    expect(shop.requests[1]?.headers.authorization).toMatch(/^Bearer tok-/);
  });

  it('reuses the token, and fetches a new one once when Shoper says it is no longer valid', async () => {
    const instance = create();
    expect(await lookup(instance, '99999')).toBeUndefined();
    expect(await lookup(instance, '99998')).toBeUndefined();
    const issued = shop.issued;
    shop.revoke();
    expect(await lookup(instance, '99997')).toBeUndefined();
    expect(shop.issued).toBe(issued + 1);
    expect(shop.requests.filter((r) => r.path === '/webapi/rest/auth')).toHaveLength(2);
  });

  it('refuses wrong credentials with a non-retryable auth error that never quotes the secret; test() reports it', async () => {
    const e = await failure(lookup(create({ clientSecret: 'wrong-secret-1' }), '12345'));
    expect(e).toMatchObject({ code: 'TRIAGE_CONNECTOR_AUTH', retryable: false, status: 401 });
    expect(JSON.stringify({ m: e.message, h: e.hint })).not.toContain('wrong-secret-1');
    expect((await create({ clientSecret: 'wrong-secret-1' }).test()).ok).toBe(false);
    expect(await create().test()).toEqual({ ok: true, detail: 'auth and GET /webapi/rest/orders answered (1 orders)' });
  });

  it('turns the leaky bucket\'s 429 into a retryable error with its Retry-After', async () => {
    shop.bucket = 1;
    const e = await failure(lookup(create(), '12345'));
    expect(e).toMatchObject({ code: 'TRIAGE_CONNECTOR_RATE_LIMITED', retryable: true, retryAfterMs: 1000 });
  });

  it('maps malformed answers, 5xx and a Shoper that hangs', async () => {
    const instance = create({ timeoutMs: 200 });
    shop.enqueue({ kind: 'status', status: 200, body: '<html>maintenance</html>', headers: { 'content-type': 'text/html' } });
    expect(await failure(lookup(instance, '12345'))).toMatchObject({ code: 'TRIAGE_ORDER_BAD_RESPONSE', retryable: true });
    expect(await lookup(instance, '12345')).toMatchObject({ number: '12345' });
    shop.enqueue({ kind: 'status', status: 200, body: '{"count":1,"pages":1,"page":1}' });
    expect(await failure(lookup(instance, '12345'))).toMatchObject({ code: 'TRIAGE_ORDER_BAD_RESPONSE' });
    shop.enqueue({ kind: 'status', status: 503 });
    expect(await failure(lookup(instance, '12345'))).toMatchObject({ code: 'TRIAGE_CONNECTOR_UNAVAILABLE', retryable: true });
    shop.enqueue({ kind: 'hang' });
    expect(await failure(lookup(instance, '12345'))).toMatchObject({ code: 'TRIAGE_CONNECTOR_TIMEOUT', retryable: true });
  });

  it('refuses a loopback shop that is not allow-listed (SSRF guard)', async () => {
    expect((await failure(lookup(create({ allowHosts: [] }), '12345'))).code).toBe('TRIAGE_CONNECTOR_BLOCKED_TARGET');
  });
});
