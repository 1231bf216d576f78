import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { startFaultServer, type FaultPolicy, type FaultServer } from './fault-server.js';

/**
 * A real HTTP server on 127.0.0.1 speaking Shoper's REST WebAPI
 * (https://developers.shoper.pl/developers/api):
 *
 *   POST /webapi/rest/auth  (HTTP Basic client:secret) → { access_token, expires_in, token_type: "bearer" }
 *                            wrong credentials → 401 { error: "unauthorized_client", error_description }
 *   GET  /webapi/rest/orders?filters={"order_id":12345}&page=1&limit=1
 *   GET  /webapi/rest/order-products?filters={"order_id":12345}&page=N&limit=L
 *        → { count, pages, page, list: [...] }  (Authorization: Bearer <token>, else 401 invalid_token)
 *
 * Its leaky bucket answers 429 with Retry-After once more than `bucket`
 * calls arrive without `leak()`; `revoke()` invalidates issued tokens (a 401
 * on the next call, as after expiry). Faults come from the shared fault layer.
 */
export interface ShoperRequest {
  seq: number;
  outcome: string;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export interface ShoperServer extends FaultServer<ShoperRequest> {
  orders: Record<string, unknown>[];
  products: Record<string, unknown>[];
  /** Calls allowed before 429 (default unlimited); `leak()` empties the bucket. */
  bucket: number;
  leak(): void;
  revoke(): void;
  /** Tokens issued so far. */
  readonly issued: number;
}

export async function startShoperServer(options: { clientId: string; clientSecret: string; orders?: Record<string, unknown>[]; products?: Record<string, unknown>[]; faults?: FaultPolicy<ShoperRequest> }): Promise<ShoperServer> {
  const state = { orders: options.orders ?? [], products: options.products ?? [], bucket: Number.POSITIVE_INFINITY, calls: 0, valid: new Set<string>(), issued: 0 };
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const page = (rows: Record<string, unknown>[], query: URLSearchParams) => {
    const filters = JSON.parse(query.get('filters') ?? '{}') as Record<string, unknown>;
    const matching = rows.filter((r) => Object.entries(filters).every(([k, v]) => String(r[k]) === String(v)));
    const limit = Math.min(50, Number(query.get('limit') ?? '10'));
    const n = Number(query.get('page') ?? '1');
    return { count: String(matching.length), pages: Math.max(1, Math.ceil(matching.length / limit)), page: n, list: matching.slice((n - 1) * limit, n * limit) };
  };
  const server = await startFaultServer<ShoperRequest>({
    faults: options.faults,
    contentType: 'application/json',
    statusBody: (status) => JSON.stringify({ error: 'server_error', error_description: `status ${status}` }),
    rateLimitBody: JSON.stringify({ error: 'temporarily_unavailable', error_description: 'Too many requests' }),
    record(req, _body, seq) {
      const url = new URL(req.url ?? '/', 'http://x');
      return { seq, outcome: 'accepted', method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers };
    },
    accept(rec) {
      state.calls++;
      if (state.calls > state.bucket) {
        return json(429, { error: 'temporarily_unavailable', error_description: 'Too many requests' }, { 'retry-after': '1', 'x-shop-api-calls': String(state.calls), 'x-shop-api-limit': String(state.bucket) });
      }
      if (rec.method === 'POST' && rec.path === '/webapi/rest/auth') {
        const expected = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;
        if (rec.headers.authorization !== expected) return json(401, { error: 'unauthorized_client', error_description: 'Invalid client credentials' });
        state.issued++;
        const token = `tok-${state.issued}-${Math.random().toString(36).slice(2)}`;
        state.valid.add(token);
        return json(200, { access_token: token, expires_in: 2592000, token_type: 'bearer' });
      }
      const bearer = /^Bearer (.+)$/.exec(rec.headers.authorization ?? '')?.[1];
      if (bearer === undefined || !state.valid.has(bearer)) return json(401, { error: 'invalid_token', error_description: 'The access token provided is invalid' });
      if (rec.method === 'GET' && rec.path === '/webapi/rest/orders') return json(200, page(state.orders, rec.query));
      if (rec.method === 'GET' && rec.path === '/webapi/rest/order-products') return json(200, page(state.products, rec.query));
      return json(404, { error: 'not_found', error_description: 'Resource not found' });
    },
  });
  // Accessors (not Object.assign, which would copy values): tests change the fake's state while it runs.
  return Object.defineProperties(server, Object.getOwnPropertyDescriptors({
    get orders() {
      return state.orders;
    },
    set orders(v: Record<string, unknown>[]) {
      state.orders = v;
    },
    get products() {
      return state.products;
    },
    set products(v: Record<string, unknown>[]) {
      state.products = v;
    },
    get bucket() {
      return state.bucket;
    },
    set bucket(v: number) {
      state.bucket = v;
    },
    leak: () => {
      state.calls = 0;
    },
    revoke: () => {
      state.valid.clear();
    },
    get issued() {
      return state.issued;
    },
  })) as ShoperServer;
}
