import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxTicketService, ticketWithActions, VirtualClock } from '../../../test/helpers/outbox-fixture.js';
import { createTestApp } from '../../../test/helpers/test-app.js';
import { OutboxStore } from '../../outbox/outbox-store.js';
import { OutboxWorker } from '../../outbox/outbox-worker.js';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

describe('outbox API', () => {
  let t: TestApp;
  let readKey: string;
  const auth = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });
  const get = (url: string, key?: string) => t.app.inject({ method: 'GET', url, headers: auth(key ?? t.adminKey) });
  const post = (url: string, key?: string) => t.app.inject({ method: 'POST', url, headers: auth(key ?? t.adminKey) });

  beforeAll(async () => {
    t = await createTestApp();
    readKey = await t.keyWith(['tickets:read', 'tickets:write']);
  });
  afterAll(() => t.close());

  it('a ticket created through the API writes its decided actions to the outbox (the worker is off in inject tests)', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/tickets',
      headers: auth(t.adminKey),
      payload: { source: 'imap:support', externalId: '<ack-1@example.com>', channel: 'email', subject: 'Question about my order', message: { from: 'Ann Smith <ann@example.com>', text: 'Hello, where is my order?' } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const ticketId = created.json().ticket.id as string;
    const res = await get(`/v1/outbox?ticket=${ticketId}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.entries).toEqual([
      expect.objectContaining({ ticketId, ruleId: 'acknowledge-email', actionType: 'acknowledge', connection: null, status: 'pending', attempts: 0, event: 'ticket.created', lastError: null }),
    ]);
    expect(body.entries[0].params.text).toMatch(/^We received your request T-\d+/);
    expect(body.entries[0].idempotencyKey).toBe(`${ticketId}:acknowledge-email:ticket.created:${body.entries[0].decisionId}:0`);
  });

  it('needs the admin scope', async () => {
    const res = await get('/v1/outbox', readKey);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('TRIAGE_AUTH_FORBIDDEN');
    expect((await post('/v1/outbox/x/retry', readKey)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/outbox' })).statusCode).toBe(401);
  });

  it('lists by status with counts and a cursor, masks secret-looking params, shows attempts, retries and drops (audited)', async () => {
    const service = outboxTicketService(t.deps.db, new VirtualClock(new Date().toISOString()));
    for (let i = 0; i < 3; i++) {
      await ticketWithActions(service, [{ type: 'webhook.post', params: { connection: 'nowhere', body: { n: i, apiToken: 'tok-123', nested: { password: 'pw' } } } }]);
    }
    // no connections are configured: the worker dead-letters them (and the acknowledgement above: no handler yet)
    await new OutboxWorker({ db: t.deps.db, workerId: 'api-test' }).runOnce();

    const dead = (await get('/v1/outbox?status=dead&limit=3')).json();
    expect(dead.entries).toHaveLength(3);
    expect(dead.counts).toMatchObject({ pending: 0, dead: 4 });
    expect(dead.entries[0]).toMatchObject({ status: 'dead', actionType: 'webhook.post', connection: 'nowhere', lastError: { code: 'TRIAGE_OUTBOX_NO_CONNECTION' } });
    expect(dead.entries[0].params.body).toMatchObject({ apiToken: '***', nested: { password: '***' } });
    expect(JSON.stringify(dead)).not.toContain('tok-123');
    const rest = (await get(`/v1/outbox?status=dead&limit=3&cursor=${dead.nextCursor as string}`)).json();
    expect(rest.entries.map((e: { actionType: string }) => e.actionType)).toEqual(['acknowledge']);
    expect(rest.nextCursor).toBeNull();
    expect((await get('/v1/outbox?cursor=garbage!')).statusCode).toBe(400);
    expect((await get('/v1/outbox?status=lost')).statusCode).toBe(400);

    const id = dead.entries[0].id as string;
    const details = (await get(`/v1/outbox/${id}`)).json();
    expect(details.attempts).toEqual([expect.objectContaining({ attempt: 1, workerId: 'api-test', outcome: 'dead', error: expect.objectContaining({ code: 'TRIAGE_OUTBOX_NO_CONNECTION' }) })]);
    expect(details.events).toEqual([]);

    const retried = await post(`/v1/outbox/${id}/retry`);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({ id, status: 'pending' });
    const again = await post(`/v1/outbox/${id}/retry`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('TRIAGE_OUTBOX_ILLEGAL_STATE');
    expect((await post(`/v1/outbox/${id}/drop`)).json()).toMatchObject({ status: 'dropped' });
    expect((await post(`/v1/outbox/${id}/drop`)).statusCode).toBe(409);
    const audited = (await get(`/v1/outbox/${id}`)).json().events;
    expect(audited.map((e: { action: string; actor: string; fromStatus: string }) => [e.action, e.actor, e.fromStatus])).toEqual([
      ['retry', 'api:bootstrap', 'dead'],
      ['drop', 'api:bootstrap', 'pending'],
    ]);
    expect(await new OutboxStore(t.deps.db).get(id)).toMatchObject({ status: 'dropped' });

    const missing = await get('/v1/outbox/no-such-row');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('TRIAGE_OUTBOX_NOT_FOUND');
    expect((await post('/v1/outbox/no-such-row/retry')).statusCode).toBe(404);
  });

  it('exports triage_outbox_rows by status', async () => {
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^triage_outbox_rows\{status="dead"\} 3$/m);
    expect(metrics).toMatch(/^triage_outbox_rows\{status="dropped"\} 1$/m);
    expect(metrics).toContain('# TYPE triage_outbox_attempts_total counter');
  });
});

describe('outbox worker in the server', () => {
  it('runs when asked (TRIAGE_OUTBOX_WORKER=1), dead-letters actions it cannot carry out (no email connection) and counts attempts', async () => {
    const t = await createTestApp({ env: { TRIAGE_OUTBOX_WORKER: '1' } });
    try {
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/tickets',
        headers: { authorization: `Bearer ${t.adminKey}` },
        payload: { source: 'imap:support', externalId: '<ack-2@example.com>', channel: 'email', subject: 'Order', message: { from: 'ann@example.com', text: 'Where is it?' } },
      });
      expect(created.statusCode, created.body).toBe(201);
      const store = new OutboxStore(t.deps.db);
      // The row is written with the decision; the worker is woken after the commit. Wait for the outcome, not for a time.
      let entry = (await store.list()).entries[0];
      for (let i = 0; i < 500 && entry?.status !== 'dead'; i++) {
        await new Promise((r) => setTimeout(r, 10));
        entry = (await store.list()).entries[0];
      }
      expect(entry).toMatchObject({ actionType: 'acknowledge', status: 'dead', lastError: { code: 'TRIAGE_OUTBOX_NO_CONNECTION', message: expect.stringContaining('set email.connection in triage.config.yaml') } });
      // Counted once the outcome is durable: its group's flush may still be running when the row reads dead.
      await expect
        .poll(async () => (await t.app.inject({ url: '/metrics' })).body, { timeout: 5_000 })
        .toMatch(/^triage_outbox_attempts_total\{action="acknowledge",outcome="dead"\} 1$/m);
    } finally {
      await t.close();
    }
  });
});
