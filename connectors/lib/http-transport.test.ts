import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { packageVersion } from '../../engine/runtime/package-root.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/fakes/webhook-receiver.js';
import { ConnectorError } from './connector-error.js';
import { createHttpTransport, parseRetryAfter, resolveUrl, type HttpRequest, type HttpTransport, type HttpTransportOptions } from './http-transport.js';

async function failure(transport: HttpTransport, req: HttpRequest): Promise<ConnectorError> {
  try {
    await transport.request(req);
  } catch (e) {
    if (e instanceof ConnectorError) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}

describe('http transport against a loopback receiver', () => {
  let receiver: WebhookReceiver;
  const transports: HttpTransport[] = [];
  const make = (options: Partial<HttpTransportOptions> = {}): HttpTransport => {
    const t = createHttpTransport({ label: 'webhook "test"', baseUrl: receiver.url, ssrf: { allowHosts: ['127.0.0.1'] }, ...options });
    transports.push(t);
    return t;
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterEach(() => {
    receiver.reset();
    for (const t of transports.splice(0)) t.close();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('sends JSON with our user agent and parses the JSON answer', async () => {
    const res = await make({ headers: { 'X-Tenant': 'acme' } }).request({ method: 'POST', url: 'hooks/orders', json: { a: 1 }, query: { v: 2 } });
    expect(res).toMatchObject({ status: 200, data: { ok: true }, url: `${receiver.url}/hooks/orders?v=2` });
    const got = receiver.requests[0];
    expect(got).toMatchObject({ method: 'POST', url: '/hooks/orders?v=2', json: { a: 1 } });
    expect(got?.headers['user-agent']).toBe(`triage/${packageVersion()}`);
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.headers['x-tenant']).toBe('acme');
  });

  it('refuses the loopback receiver unless 127.0.0.1 is allow-listed, by IP and by name', async () => {
    for (const baseUrl of [receiver.url, `http://localhost:${receiver.port}`]) {
      const err = await failure(make({ baseUrl, ssrf: {} }), { method: 'POST', json: {} });
      expect(err).toMatchObject({ code: 'TRIAGE_CONNECTOR_BLOCKED_TARGET', retryable: false });
      expect(err.hint).toMatch(/allowHosts/);
    }
    expect(receiver.requests).toHaveLength(0);
    await expect(make({ baseUrl: `http://localhost:${receiver.port}`, ssrf: { allowHosts: ['127.0.0.1', '::1'] } }).request({ method: 'GET' })).resolves.toMatchObject({ status: 200 });
  });

  it('maps 429 to retryable with Retry-After in ms (seconds or HTTP date)', async () => {
    receiver.enqueue({ kind: 'rateLimit', retryAfter: 7 });
    const err = await failure(make(), { method: 'POST', json: {} });
    expect(err).toMatchObject({ code: 'TRIAGE_CONNECTOR_RATE_LIMITED', retryable: true, retryAfterMs: 7000, status: 429 });
    receiver.enqueue({ kind: 'rateLimit' });
    expect(await failure(make(), { method: 'POST', json: {} })).toMatchObject({ code: 'TRIAGE_CONNECTOR_RATE_LIMITED', retryable: true, retryAfterMs: undefined });
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:29:00 GMT'))).toBe(0);
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('maps 5xx and 408 to retryable, other 4xx to not retryable with the answer quoted', async () => {
    receiver.enqueue({ kind: 'status', status: 500 }, { kind: 'status', status: 503, headers: { 'retry-after': '2' } }, { kind: 'status', status: 408 });
    expect(await failure(make(), { method: 'POST', json: {} })).toMatchObject({ code: 'TRIAGE_CONNECTOR_UNAVAILABLE', retryable: true, status: 500 });
    expect(await failure(make(), { method: 'POST', json: {} })).toMatchObject({ code: 'TRIAGE_CONNECTOR_UNAVAILABLE', retryable: true, retryAfterMs: 2000 });
    expect(await failure(make(), { method: 'POST', json: {} })).toMatchObject({ code: 'TRIAGE_CONNECTOR_UNAVAILABLE', retryable: true, status: 408 });
    receiver.enqueue({ kind: 'status', status: 422, body: '{"error":"field \\"project\\" is required"}' }, { kind: 'status', status: 404 });
    const rejected = await failure(make(), { method: 'POST', json: {} });
    expect(rejected).toMatchObject({ code: 'TRIAGE_CONNECTOR_REJECTED', retryable: false, status: 422 });
    expect(rejected.message).toBe(`webhook "test" (POST ${receiver.url}) rejected the request with 422: {"error":"field \\"project\\" is required"}`);
    expect(await failure(make(), { method: 'POST', json: {} })).toMatchObject({ code: 'TRIAGE_CONNECTOR_REJECTED', retryable: false, status: 404 });
  });

  it('maps 401/403 to not retryable with the connector hint, and never quotes secrets', async () => {
    const token = 'xoxb-very-secret-token';
    receiver.enqueue({ kind: 'status', status: 401, body: `{"error":"invalid token ${token}"}` }, { kind: 'status', status: 403 });
    const t = make({ headers: { authorization: `Bearer ${token}` }, secrets: [token], authHint: 'Check SLACK_TOKEN in the environment.' });
    const err = await failure(t, { method: 'POST', url: `hooks?token=${token}`, json: {} });
    expect(err).toMatchObject({ code: 'TRIAGE_CONNECTOR_AUTH', retryable: false, status: 401, hint: 'Check SLACK_TOKEN in the environment.' });
    expect(err.message).toContain('invalid token ***');
    expect(`${err.message} ${err.hint} ${JSON.stringify(err)} ${String(err.cause)}`).not.toContain(token);
    expect(receiver.requests[0]?.headers.authorization).toBe(`Bearer ${token}`);
    expect(await failure(t, { method: 'POST', json: {} })).toMatchObject({ code: 'TRIAGE_CONNECTOR_AUTH', status: 403 });
  });

  it('times out a receiver that does not answer (retryable)', async () => {
    receiver.enqueue({ kind: 'hang' });
    expect(await failure(make({ timeoutMs: 100 }), { method: 'POST', json: {} })).toMatchObject({ code: 'TRIAGE_CONNECTOR_TIMEOUT', retryable: true, message: expect.stringContaining('within 100 ms') });
  });

  it('maps connection resets and refusals to retryable network errors', async () => {
    receiver.enqueue({ kind: 'reset' }, { kind: 'acceptThenReset' });
    const reset = await failure(make(), { method: 'POST', json: {} });
    expect(reset).toMatchObject({ code: 'TRIAGE_CONNECTOR_NETWORK', retryable: true });
    expect(reset.message).toMatch(/ECONNRESET|socket hang up/);
    expect(await failure(make(), { method: 'POST', json: {} })).toMatchObject({ code: 'TRIAGE_CONNECTOR_NETWORK', retryable: true });
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const refused = await failure(make({ baseUrl: `http://127.0.0.1:${closedPort}` }), { method: 'POST', json: {} });
    expect(refused).toMatchObject({ code: 'TRIAGE_CONNECTOR_NETWORK', retryable: true, message: expect.stringContaining('ECONNREFUSED') });
  });

  it('reports a call cancelled by the caller as retryable', async () => {
    receiver.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const pending = failure(make(), { method: 'POST', json: {}, signal: controller.signal });
    await receiver.waitForRequests(1);
    controller.abort();
    expect(await pending).toMatchObject({ code: 'TRIAGE_CONNECTOR_NETWORK', retryable: true, message: expect.stringContaining('cancelled') });
  });

  it('follows same-origin redirects that keep the method, refuses the rest', async () => {
    receiver.enqueue({ kind: 'status', status: 307, headers: { location: '/moved' } });
    await expect(make().request({ method: 'POST', url: 'old', json: { a: 1 } })).resolves.toMatchObject({ status: 200, url: `${receiver.url}/moved` });
    expect(receiver.requests.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual(['POST /old {"a":1}', 'POST /moved {"a":1}']);

    receiver.enqueue({ kind: 'status', status: 302, headers: { location: `http://localhost:${receiver.port}/elsewhere` } });
    expect(await failure(make(), { method: 'GET' })).toMatchObject({ code: 'TRIAGE_CONNECTOR_REDIRECT', retryable: false, message: expect.stringContaining('another host') });
    receiver.enqueue({ kind: 'status', status: 302, headers: { location: '/x' } });
    expect(await failure(make(), { method: 'POST', json: {} })).toMatchObject({ code: 'TRIAGE_CONNECTOR_REDIRECT', message: expect.stringContaining('into GET') });
    receiver.enqueue(...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 308, headers: { location: '/loop' } })));
    expect(await failure(make(), { method: 'POST', json: {} })).toMatchObject({ code: 'TRIAGE_CONNECTOR_REDIRECT', message: expect.stringContaining('more than 3 times') });
  });

  it('caps the response size', async () => {
    receiver.enqueue({ kind: 'status', status: 200, body: 'x'.repeat(5000) });
    expect(await failure(make({ maxResponseBytes: 1000 }), { method: 'GET' })).toMatchObject({ code: 'TRIAGE_CONNECTOR_RESPONSE_TOO_LARGE', retryable: false });
  });

  it('returns accepted non-2xx statuses instead of throwing', async () => {
    receiver.enqueue({ kind: 'status', status: 404, body: '{"found":false}' });
    await expect(make().request({ method: 'GET', url: 'customers/x', acceptStatus: [404] })).resolves.toMatchObject({ status: 404, data: { found: false } });
  });
});

describe('resolveUrl', () => {
  it('joins paths under the base and keeps its query', () => {
    expect(resolveUrl('x', 'https://h.example/hooks/', 'orders').href).toBe('https://h.example/hooks/orders');
    expect(resolveUrl('x', 'https://h.example/hooks', '/orders/1').href).toBe('https://h.example/hooks/orders/1');
    expect(resolveUrl('x', 'https://h.example/hooks?code=abc', undefined).href).toBe('https://h.example/hooks?code=abc');
    expect(resolveUrl('x', 'https://h.example/hooks?code=abc', 'a?b=1', { c: 'd' }).href).toBe('https://h.example/hooks/a?b=1&code=abc&c=d');
    expect(resolveUrl('x', undefined, 'http://h.example/p').href).toBe('http://h.example/p');
    expect(resolveUrl('x', 'https://h.example/api/', 'https://h.example/api/v2/x').href).toBe('https://h.example/api/v2/x');
    // a protocol-relative path is still a path under the base, not another host
    expect(resolveUrl('x', 'https://h.example/hooks', '//evil.example/x').href).toBe('https://h.example/hooks/evil.example/x');
  });

  it.each([
    ['https://h.example/hooks', '../admin', /leaves the base URL/],
    ['https://h.example/hooks', '%2e%2e/admin', /leaves the base URL/],
    ['https://h.example/hooks', 'x/../../admin', /leaves the base URL/],
    ['https://h.example/hooks', 'https://evil.example/hooks', /leaves the base URL/],
    ['https://h.example/hooks', 'https://h.example/admin', /leaves the base URL/],
    ['https://h.example/hooks', 'file:///etc/passwd', /only http and https/],
    [undefined, 'relative/path', /needs an absolute URL/],
    ['ftp://h.example/', undefined, /only http and https/],
    ['https://user:pw@h.example/', undefined, /credentials in the URL/],
    ['not a url', undefined, /not valid/],
  ])('refuses base %s with path %s', (base: string | undefined, path: string | undefined, message: RegExp) => {
    expect(() => resolveUrl('x', base, path)).toThrow(message);
  });
});
