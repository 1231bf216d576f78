import { Ajv } from 'ajv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorInstance, OrderRecord } from '../lib/connector.js';
import { ConnectorError } from '../lib/connector-error.js';
import { startBaseLinkerServer, type BaseLinkerServer } from '../../test/fakes/baselinker-server.js';
import { baselinkerConnector } from './baselinker-connector.js';

const TOKEN = '3001234-3005678-ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const ORDER = {
  order_id: 12345,
  shop_order_id: 0,
  order_status_id: 1052,
  date_add: 1_793_000_000,
  currency: 'PLN',
  payment_done: 215.99,
  delivery_method: 'InPost Paczkomaty 24/7',
  delivery_price: 15.99,
  delivery_package_module: 'inpost',
  delivery_package_nr: '520000011395200025754311',
  email: 'jan.kowalski@example.pl',
  phone: '+48 600 100 200',
  products: [
    { sku: 'KUB-01', name: 'Kubek termiczny', price_brutto: 50, quantity: 2 },
    { sku: 'CZJ-02', name: 'Czajnik', price_brutto: 100, quantity: 1 },
  ],
};

describe('baselinker connector against a loopback BaseLinker', () => {
  let bl: BaseLinkerServer;
  const instances: ConnectorInstance[] = [];
  const create = (settings: Record<string, unknown> = {}): ConnectorInstance => {
    const instance = baselinkerConnector.create({ token: TOKEN, url: bl.endpoint, allowHosts: ['127.0.0.1'], ...settings }, { connection: 'shop', log: () => undefined });
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
    bl = await startBaseLinkerServer({ token: TOKEN, orders: [ORDER] });
  });
  afterEach(async () => {
    for (const i of instances.splice(0)) await i.close?.();
    bl.reset();
    bl.limitPerMinute = Number.POSITIVE_INFINITY;
    bl.garbage = false;
  });
  afterAll(async () => {
    await bl.close();
  });

  it('declares a facts connector whose settings schema compiles and marks the token sensitive', () => {
    expect(baselinkerConnector).toMatchObject({ name: 'baselinker', kind: 'facts', operations: [] });
    const validate = new Ajv({ strict: false, useDefaults: true }).compile(baselinkerConnector.credentials);
    const settings: Record<string, unknown> = { token: '${env:BASELINKER_TOKEN}' };
    expect(validate(settings), JSON.stringify(validate.errors)).toBe(true);
    expect(settings).toMatchObject({ url: 'https://api.baselinker.com/connector.php', statusListTtlSeconds: 3600 });
    expect(validate({})).toBe(false);
    expect(validate({ token: 'x', trackingUrlTemplate: 'https://track/without-placeholder' })).toBe(false);
    expect((baselinkerConnector.credentials.properties as Record<string, Record<string, unknown>>).token?.['x-sensitive']).toBe(true);
  });

  it('asks getOrders by order_id as a form POST with X-BLToken and maps the order', async () => {
    const order = await lookup(create(), '12345');
    expect(order).toEqual({
      number: '12345',
      status: 'Wysłane',
      date: new Date(1_793_000_000 * 1000).toISOString(),
      total: 215.99,
      currency: 'PLN',
      items: [
        { sku: 'KUB-01', name: 'Kubek termiczny', quantity: 2 },
        { sku: 'CZJ-02', name: 'Czajnik', quantity: 1 },
      ],
      shippingMethod: 'InPost Paczkomaty 24/7',
      trackingNumber: '520000011395200025754311',
      trackingUrl: 'https://inpost.pl/sledzenie-przesylek?number=520000011395200025754311',
      paymentStatus: 'paid',
      customerEmail: 'jan.kowalski@example.pl',
      customerPhone: '+48 600 100 200',
    });
    const calls = bl.requests.map((r) => ({ method: r.method, parameters: r.parameters, token: r.headers['x-bltoken'], type: r.contentType, path: r.path }));
    expect(calls).toEqual([
      { method: 'getOrders', parameters: { order_id: 12345, get_unconfirmed_orders: true }, token: TOKEN, type: 'application/x-www-form-urlencoded', path: '/connector.php' },
      { method: 'getOrderStatusList', parameters: {}, token: TOKEN, type: 'application/x-www-form-urlencoded', path: '/connector.php' },
    ]);
  });

  it('keeps the status names: a second lookup asks getOrders only', async () => {
    const instance = create();
    await lookup(instance, '12345');
    await lookup(instance, '12345');
    expect(bl.requests.map((r) => r.method)).toEqual(['getOrders', 'getOrderStatusList', 'getOrders']);
  });

  it('answers undefined for an order BaseLinker does not have, and for a number that cannot be one of its ids', async () => {
    const instance = create();
    expect(await lookup(instance, '99999')).toBeUndefined();
    expect(await lookup(instance, 'ABC-12')).toBeUndefined();
    expect(bl.requests.map((r) => r.method)).toEqual(['getOrders']);
  });

  it('uses the connection\'s tracking link template and reports a partial payment', async () => {
    bl.orders = [{ ...ORDER, order_id: 777, payment_done: 100, delivery_package_module: 'unknown-courier' }, ORDER];
    const order = await lookup(create({ trackingUrlTemplate: 'https://sklep.example.pl/sledz/{{number}}' }), '777');
    expect(order).toMatchObject({ paymentStatus: 'partially-paid', trackingUrl: 'https://sklep.example.pl/sledz/520000011395200025754311' });
    bl.orders = [ORDER];
  });

  it('turns BaseLinker\'s ERROR_AUTH_TOKEN (HTTP 200) into a non-retryable auth error, and test() reports it', async () => {
    const e = await failure(lookup(create({ token: 'wrong-token-000' }), '12345'));
    expect(e).toMatchObject({ code: 'TRIAGE_CONNECTOR_AUTH', retryable: false });
    expect(e.message).toContain('ERROR_AUTH_TOKEN');
    const result = await create({ token: 'wrong-token-000' }).test();
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('TRIAGE_CONNECTOR_AUTH');
    expect(await create().test()).toEqual({ ok: true, detail: 'getOrderStatusList answered SUCCESS (2 order statuses)' });
  });

  it('turns BaseLinker\'s own rate-limit error into a retryable error that waits a minute', async () => {
    bl.limitPerMinute = 1;
    const instance = create();
    await lookup(instance, '99999');
    const e = await failure(lookup(instance, '12345'));
    expect(e).toMatchObject({ code: 'TRIAGE_ORDER_API_ERROR', retryable: true, retryAfterMs: 60_000 });
    expect(e.message).toContain('ERROR_RATE_LIMIT');
    bl.now += 60_000;
    expect(await lookup(instance, '12345')).toMatchObject({ number: '12345' });
  });

  it('maps HTTP 429 with Retry-After, 5xx and a body that is not JSON', async () => {
    const instance = create();
    bl.enqueue({ kind: 'rateLimit', retryAfter: 7 });
    expect(await failure(lookup(instance, '12345'))).toMatchObject({ code: 'TRIAGE_CONNECTOR_RATE_LIMITED', retryable: true, retryAfterMs: 7000 });
    bl.enqueue({ kind: 'status', status: 502 });
    expect(await failure(lookup(instance, '12345'))).toMatchObject({ code: 'TRIAGE_CONNECTOR_UNAVAILABLE', retryable: true });
    bl.garbage = true;
    expect(await failure(lookup(instance, '12345'))).toMatchObject({ code: 'TRIAGE_ORDER_BAD_RESPONSE', retryable: true });
  });

  it('gives up on a BaseLinker that does not answer within the connection timeout', async () => {
    bl.enqueue({ kind: 'hang' });
    expect(await failure(lookup(create({ timeoutMs: 200 }), '12345'))).toMatchObject({ code: 'TRIAGE_CONNECTOR_TIMEOUT', retryable: true });
  });

  it('refuses a loopback endpoint that is not allow-listed (SSRF guard), and never quotes the token', async () => {
    const e = await failure(lookup(create({ allowHosts: [] }), '12345'));
    expect(e.code).toBe('TRIAGE_CONNECTOR_BLOCKED_TARGET');
    expect(JSON.stringify({ m: e.message, h: e.hint })).not.toContain(TOKEN);
  });
});
