import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { signPayload } from '../../engine/http/auth/verify-signature.js';
import { seededFaults, startWebhookReceiver, type ReceiverFault, type WebhookReceiver } from './webhook-receiver.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A bare node:http POST, so the fake is tested without the transport it is meant to test. */
function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('webhook receiver fake', () => {
  let receiver: WebhookReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('accepts by default and counts deliveries per Idempotency-Key, marking duplicates', async () => {
    receiver = await startWebhookReceiver();
    expect((await post(`${receiver.url}/a`, '{"x":1}', { 'idempotency-key': 'k1' })).status).toBe(200);
    await post(`${receiver.url}/a`, '{"x":1}', { 'idempotency-key': 'k1' });
    await post(`${receiver.url}/a`, '{"x":2}', { 'idempotency-key': 'k2' });
    expect(receiver.deliveryCount('k1')).toBe(2);
    expect(receiver.deliveryCount('k2')).toBe(1);
    expect(receiver.deliveryCount('k3')).toBe(0);
    expect([...receiver.deliveriesByKey()]).toEqual([['k1', 2], ['k2', 1]]);
    expect(receiver.requests.map((r) => r.duplicate)).toEqual([false, true, false]);
    expect(receiver.requests[0]).toMatchObject({ seq: 1, method: 'POST', url: '/a', json: { x: 1 }, outcome: 'accepted' });
  });

  it('applies queued faults in order, then the policy, and does not count faulted requests as deliveries', async () => {
    receiver = await startWebhookReceiver({ faults: (_r, n) => (n === 4 ? { kind: 'status', status: 503 } : undefined) });
    receiver.enqueue({ kind: 'status', status: 500 }, { kind: 'rateLimit', retryAfter: 7 });
    const first = await post(receiver.url, '{}', { 'idempotency-key': 'k' });
    const second = await post(receiver.url, '{}', { 'idempotency-key': 'k' });
    const third = await post(receiver.url, '{}', { 'idempotency-key': 'k' });
    const fourth = await post(receiver.url, '{}', { 'idempotency-key': 'k' });
    expect([first.status, second.status, third.status, fourth.status]).toEqual([500, 429, 200, 503]);
    expect(second.headers['retry-after']).toBe('7');
    expect(receiver.deliveryCount('k')).toBe(1);
    expect(receiver.requests.map((r) => r.outcome)).toEqual(['status', 'rateLimit', 'accepted', 'status']);
  });

  it('resets connections, with or without accepting first', async () => {
    receiver = await startWebhookReceiver();
    receiver.enqueue({ kind: 'reset' }, { kind: 'acceptThenReset' });
    await expect(post(receiver.url, '{}', { 'idempotency-key': 'a' })).rejects.toThrow(/ECONNRESET|socket hang up/);
    await expect(post(receiver.url, '{}', { 'idempotency-key': 'b' })).rejects.toThrow(/ECONNRESET|socket hang up/);
    expect(receiver.deliveryCount('a')).toBe(0);
    expect(receiver.deliveryCount('b')).toBe(1);
  });

  it('delays, then applies the follow-up fault; waitForRequests sees requests that have not been answered yet', async () => {
    receiver = await startWebhookReceiver();
    receiver.enqueue({ kind: 'delay', ms: 20, then: { kind: 'status', status: 502 } });
    const pending = post(receiver.url, '{}');
    await receiver.waitForRequests(1);
    expect((await pending).status).toBe(502);
    expect(receiver.requests[0]?.outcome).toBe('status');
  });

  it('verifies signatures when given a secret', async () => {
    receiver = await startWebhookReceiver({ secret: 's3cret', nowSeconds: () => 1_700_000_000 });
    const body = '{"a":1}';
    await post(receiver.url, body, { 'x-triage-timestamp': '1700000000', 'x-triage-signature': signPayload('s3cret', 1_700_000_000, body) });
    await post(receiver.url, body, { 'x-triage-timestamp': '1700000000', 'x-triage-signature': signPayload('other', 1_700_000_000, body) });
    expect(receiver.requests.map((r) => r.signatureValid)).toEqual([true, false]);
  });

  it('reset() forgets everything; close() ends hanging requests', async () => {
    receiver = await startWebhookReceiver();
    await post(receiver.url, '{}', { 'idempotency-key': 'k' });
    receiver.reset();
    expect(receiver.requests).toHaveLength(0);
    expect(receiver.deliveryCount('k')).toBe(0);
    receiver.enqueue({ kind: 'hang' });
    const hanging = post(receiver.url, '{}');
    await receiver.waitForRequests(1);
    await receiver.close();
    receiver = undefined;
    await expect(hanging).rejects.toThrow();
  });

  it('seededFaults fails about the given share of requests, the same way for the same seed', () => {
    const faults: ReceiverFault[] = [{ kind: 'status', status: 500 }, { kind: 'reset' }];
    const draw = (seed: number): (ReceiverFault | undefined)[] => {
      const policy = seededFaults(0.3, seed, faults);
      return Array.from({ length: 1000 }, (_, i) => policy({} as never, i + 1));
    };
    const a = draw(42);
    expect(draw(42)).toEqual(a);
    expect(draw(7)).not.toEqual(a);
    const failed = a.filter((f) => f !== undefined).length;
    expect(failed).toBeGreaterThan(200);
    expect(failed).toBeLessThan(400);
    expect(new Set(a.filter((f) => f !== undefined).map((f) => f?.kind))).toEqual(new Set(['status', 'reset']));
  });
});
