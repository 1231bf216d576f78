import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signPayload } from '../../engine/http/auth/verify-signature.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/fakes/webhook-receiver.js';
import { connectorFailure } from '../../test/helpers/connector-failure.js';
import type { ConnectorError } from '../lib/connector-error.js';
import type { ActionCall, ConnectorInstance } from '../lib/connector.js';
import { webhookConnector } from './webhook-connector.js';

const SECRET = 'whsec-0123456789';
const logs: unknown[] = [];
const context = { connection: 'orders', log: (level: string, message: string, data?: Record<string, unknown>) => logs.push({ level, message, data }) };

function call(overrides: Partial<ActionCall> = {}): ActionCall {
  return {
    operation: 'post',
    params: { connection: 'orders', path: 'tickets', body: { priority: 'P1' } },
    idempotencyKey: 't1:rule-a:ticket.created:0',
    ticket: { id: 't1', number: 'T-000001', subject: 'Awaria' },
    signal: AbortSignal.timeout(5000),
    event: 'ticket.created',
    rule: 'rule-a',
    ...overrides,
  };
}

const failure = (promise: Promise<unknown> | undefined): Promise<ConnectorError> => connectorFailure(promise);

describe('webhook connector', () => {
  let receiver: WebhookReceiver;
  const instances: ConnectorInstance[] = [];
  const connect = (settings: Record<string, unknown> = {}): ConnectorInstance => {
    const i = webhookConnector.create({ url: `${receiver.url}/hooks`, secret: SECRET, allowHosts: ['127.0.0.1'], timeoutMs: 2000, ...settings }, context);
    instances.push(i);
    return i;
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver({ secret: SECRET });
  });
  afterEach(async () => {
    receiver.reset();
    logs.length = 0;
    for (const i of instances.splice(0)) await i.close?.();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('POSTs the documented envelope with Idempotency-Key and a signature our inbound verifier accepts', async () => {
    const result = await connect({ headers: { 'X-Tenant': 'acme' } }).execute?.(call());
    expect(result).toEqual({ detail: `200 from ${receiver.url}` });
    const got = receiver.requests[0];
    expect(got).toMatchObject({ method: 'POST', url: '/hooks/tickets', idempotencyKey: 't1:rule-a:ticket.created:0', signatureValid: true });
    expect(got?.json).toEqual({
      id: 't1:rule-a:ticket.created:0',
      event: 'ticket.created',
      rule: 'rule-a',
      ticket: { id: 't1', number: 'T-000001', subject: 'Awaria' },
      body: { priority: 'P1' },
    });
    expect(got?.headers).toMatchObject({ 'content-type': 'application/json', 'x-triage-event': 'ticket.created', 'x-tenant': 'acme' });
    const ts = Number(got?.headers['x-triage-timestamp']);
    expect(got?.headers['x-triage-signature']).toBe(signPayload(SECRET, ts, got?.body ?? ''));
  });

  it('sends the same key on every attempt, so the receiver can deduplicate a repeated delivery', async () => {
    const hook = connect();
    await hook.execute?.(call());
    await hook.execute?.(call());
    expect(receiver.deliveryCount('t1:rule-a:ticket.created:0')).toBe(2);
    expect(receiver.requests.map((r) => r.duplicate)).toEqual([false, true]);
  });

  it('uses defaults for a minimal action: base URL, empty body, null event and rule', async () => {
    await connect().execute?.(call({ params: { connection: 'orders' }, event: undefined, rule: undefined }));
    expect(receiver.requests[0]).toMatchObject({ url: '/hooks', json: { event: null, rule: null, body: {} } });
    expect(receiver.requests[0]?.headers['x-triage-event']).toBe('action');
  });

  it('without a secret sends no signature; secretHeaders are sent but never quoted in errors', async () => {
    receiver.enqueue({ kind: 'status', status: 401, body: 'bad token Bearer tok-987654' });
    const err = await failure(connect({ secret: undefined, secretHeaders: { Authorization: 'Bearer tok-987654' } }).execute?.(call()));
    const got = receiver.requests[0];
    expect(got?.headers.authorization).toBe('Bearer tok-987654');
    expect(got?.headers['x-triage-signature']).toBeUndefined();
    expect(got?.signatureValid).toBe(false);
    expect(err).toMatchObject({ code: 'TRIAGE_CONNECTOR_AUTH', retryable: false, hint: expect.stringContaining('connection "orders"') });
    expect(`${err.message} ${err.hint}`).not.toContain('tok-987654');
    expect(JSON.stringify(logs)).not.toContain('tok-987654');
  });

  it('classifies receiver faults for the outbox', async () => {
    const hook = connect({ timeoutMs: 150 });
    receiver.enqueue(
      { kind: 'rateLimit', retryAfter: 30 },
      { kind: 'status', status: 502 },
      { kind: 'status', status: 400, body: '{"error":"unknown field"}' },
      { kind: 'hang' },
      { kind: 'reset' },
      { kind: 'status', status: 301, headers: { location: '/new' } },
    );
    expect(await failure(hook.execute?.(call()))).toMatchObject({ code: 'TRIAGE_CONNECTOR_RATE_LIMITED', retryable: true, retryAfterMs: 30_000 });
    expect(await failure(hook.execute?.(call()))).toMatchObject({ code: 'TRIAGE_CONNECTOR_UNAVAILABLE', retryable: true });
    expect(await failure(hook.execute?.(call()))).toMatchObject({ code: 'TRIAGE_CONNECTOR_REJECTED', retryable: false, message: expect.stringContaining('unknown field') });
    expect(await failure(hook.execute?.(call()))).toMatchObject({ code: 'TRIAGE_CONNECTOR_TIMEOUT', retryable: true });
    expect(await failure(hook.execute?.(call()))).toMatchObject({ code: 'TRIAGE_CONNECTOR_NETWORK', retryable: true });
    expect(await failure(hook.execute?.(call()))).toMatchObject({ code: 'TRIAGE_CONNECTOR_REDIRECT', retryable: false });
    expect(receiver.deliveries()).toHaveLength(0);
  });

  it('refuses the loopback receiver when it is not allow-listed (SSRF guard)', async () => {
    const err = await failure(connect({ allowHosts: [] }).execute?.(call()));
    expect(err).toMatchObject({ code: 'TRIAGE_CONNECTOR_BLOCKED_TARGET', retryable: false });
    expect(receiver.requests).toHaveLength(0);
    await connect({ allowHosts: [], allowPrivate: true }).execute?.(call());
    expect(receiver.requests).toHaveLength(1);
  });

  it('refuses paths that leave the connection URL and unknown operations, before any request', async () => {
    expect(await failure(connect().execute?.(call({ params: { connection: 'orders', path: '../admin' } })))).toMatchObject({ code: 'TRIAGE_CONNECTOR_INVALID_CALL', retryable: false });
    // An absolute URL in `path` would send the signature and secretHeaders to any host.
    expect(await failure(connect().execute?.(call({ params: { connection: 'orders', path: 'https://evil.example/collect' } })))).toMatchObject({ code: 'TRIAGE_CONNECTOR_INVALID_CALL', message: expect.stringContaining('leaves the base URL') });
    expect(await failure(connect().execute?.(call({ params: { connection: 'orders', body: [1] } })))).toMatchObject({ code: 'TRIAGE_CONNECTOR_INVALID_CALL' });
    expect(await failure(connect().execute?.(call({ operation: 'put' })))).toMatchObject({ code: 'TRIAGE_CONNECTOR_INVALID_CALL', message: expect.stringContaining('unknown operation "put"') });
    expect(receiver.requests).toHaveLength(0);
  });

  it('test() sends a signed ping and reports the answer', async () => {
    await expect(connect().test()).resolves.toEqual({ ok: true, detail: `signed ping (POST ${receiver.url}) answered 200` });
    expect(receiver.requests[0]).toMatchObject({ url: '/hooks', signatureValid: true, json: { event: 'ping', rule: null, ticket: null, body: {} } });
    expect(receiver.requests[0]?.idempotencyKey).toMatch(/^ping-/);
    await expect(connect({ secret: undefined }).test()).resolves.toMatchObject({ ok: true, detail: expect.stringContaining('no secret set') });
  });

  it('test() reports failures with code and hint, without secrets', async () => {
    receiver.enqueue({ kind: 'status', status: 403, body: `denied ${SECRET}` });
    const result = await connect().test();
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/^TRIAGE_CONNECTOR_AUTH .*403.*\n {2}hint: /);
    expect(result.detail).not.toContain(SECRET);
    const blocked = await connect({ allowHosts: [] }).test();
    expect(blocked).toMatchObject({ ok: false, detail: expect.stringContaining('allowHosts') });
  });

  it('validateSettings refuses credentials and reserved names in plain headers, and bad allowHosts', () => {
    expect(webhookConnector.validateSettings?.({ url: 'https://x', headers: { 'X-Ok': '1', authorization: 'x', 'Idempotency-Key': 'y' }, allowHosts: ['nope/1'] })).toEqual([
      'allowHosts: "nope/1" is neither a host name, an IP address nor a CIDR',
      'headers: "authorization" cannot be set here (credentials go in secretHeaders, as ${env:NAME} references)',
      'headers: "Idempotency-Key" cannot be set here (triage sets it)',
    ]);
  });
});
