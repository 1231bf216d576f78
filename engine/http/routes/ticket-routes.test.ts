import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowCounts } from '../../../test/helpers/row-counts.js';
import { createTestApp } from '../../../test/helpers/test-app.js';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
let writeKey: string;
let writeKeyName: string;
let readKey: string;

beforeAll(async () => {
  t = await createTestApp();
  writeKey = await t.keyWith(['tickets:write']);
  writeKeyName = (await t.deps.keys.verify(writeKey))?.name ?? 'unknown';
  readKey = await t.keyWith(['tickets:read']);
});
afterAll(() => t.close());

function call(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers: Record<string, string> = {}, key: string | null = writeKey): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
    headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...headers },
  });
}

const invoice = { subject: 'Faktura 03/2025', message: { from: 'Jan Kowalski <jan@acme.pl>', to: ['support@firma.pl'], text: 'Proszę o korektę faktury.' } };

/** Run `request`, expect the coded error, and that no store table gained or lost a row. */
async function expectRefusedWithoutWrites(request: () => Promise<LightMyRequestResponse>, status: number, code: string): Promise<LightMyRequestResponse> {
  const before = await rowCounts(t.deps.db);
  const res = await request();
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json()).toMatchObject({ code, message: expect.any(String), hint: expect.any(String) });
  expect(await rowCounts(t.deps.db)).toEqual(before);
  return res;
}

describe('POST /v1/tickets', () => {
  it('creates the ticket with its decision: 201, Location, audit actor = the API key name', async () => {
    const res = await call('POST', '/v1/tickets', { ...invoice, tags: ['api'], data: { orderId: 'ZAM-1' } });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.ticket).toMatchObject({ number: expect.stringMatching(/^T-\d{6}$/), source: 'api', channel: 'api', status: 'new', category: 'invoice', team: 'finance', priority: 'P3', tags: ['api', 'finance'], data: { orderId: 'ZAM-1' } });
    expect(body.decision).toMatchObject({ event: 'ticket.created', firedRules: expect.arrayContaining(['categorize-invoice', 'route-invoice']), ruleSetVersion: t.deps.rules.current().version });
    expect(res.headers.location).toBe(`/v1/tickets/${body.ticket.id}`);
    expect(res.headers['idempotent-replayed']).toBeUndefined();

    const details = await t.deps.tickets.getTicket(body.ticket.id);
    expect(details.audit.find((a) => a.action === 'ticket.create')).toMatchObject({ actorType: 'user', actorId: writeKeyName });
    expect(details.messages[0]).toMatchObject({ direction: 'inbound', kind: 'public', text: 'Proszę o korektę faktury.', from: { address: 'jan@acme.pl', name: 'Jan Kowalski' } });
    expect(details.customer?.identities).toContainEqual({ kind: 'email', value: 'jan@acme.pl' });
  });

  it('honours Idempotency-Key: same body → 200 + Idempotent-Replayed, different body → 409, nothing written twice', async () => {
    const key = `idem-${Date.now()}`;
    const first = await call('POST', '/v1/tickets', invoice, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    expect(first.json().ticket.externalId).toBe(key);

    const before = await rowCounts(t.deps.db);
    // the same content serialized with another key order is the same request
    const reordered = { message: { text: invoice.message.text, to: invoice.message.to, from: invoice.message.from }, subject: invoice.subject };
    const replay = await call('POST', '/v1/tickets', reordered, { 'idempotency-key': key });
    expect(replay.statusCode).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers.location).toBe(first.headers.location);
    expect(replay.json()).toEqual(first.json());
    expect(await rowCounts(t.deps.db)).toEqual(before);

    const conflict = await expectRefusedWithoutWrites(() => call('POST', '/v1/tickets', { ...invoice, subject: 'Something else' }, { 'idempotency-key': key }), 409, 'TRIAGE_TICKET_IDEMPOTENCY_CONFLICT');
    expect(conflict.json().details).toMatchObject({ ticket: first.json().ticket.number, externalId: key });

    // an externalId in the body works the same way; it may not contradict the header
    const byBody = await call('POST', '/v1/tickets', { ...invoice, source: 'crm', externalId: 'case-77' });
    expect(byBody.statusCode).toBe(201);
    expect((await call('POST', '/v1/tickets', { ...invoice, source: 'crm', externalId: 'case-77' })).statusCode).toBe(200);
    await expectRefusedWithoutWrites(() => call('POST', '/v1/tickets', { ...invoice, externalId: 'a' }, { 'idempotency-key': 'b' }), 400, 'TRIAGE_HTTP_VALIDATION');

    // without either, each call is a new ticket
    const a = await call('POST', '/v1/tickets', invoice);
    const b = await call('POST', '/v1/tickets', invoice);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(a.json().ticket.id).not.toBe(b.json().ticket.id);
  });

  it('creates one ticket when the same Idempotency-Key arrives 5 times at once', async () => {
    const key = `race-${Date.now()}`;
    const results = await Promise.all(Array.from({ length: 5 }, () => call('POST', '/v1/tickets', invoice, { 'idempotency-key': key })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.json().ticket.id)).size).toBe(1);
    expect(await t.deps.db('tickets').where({ source: 'api', external_id: key })).toHaveLength(1);
  });

  const huge = JSON.stringify({ subject: 'big', message: { text: 'x'.repeat(1_100_000) } });
  it.each<[string, unknown, number, string, Record<string, string>?]>([
    ['a missing subject', { message: { text: 'hi' } }, 400, 'TRIAGE_HTTP_VALIDATION'],
    ['a subject of the wrong type', { subject: 123 }, 400, 'TRIAGE_HTTP_VALIDATION'],
    ['a blank subject', { subject: '   ' }, 400, 'TRIAGE_HTTP_VALIDATION'],
    ['tags that are not a list', { subject: 'x', tags: 'vip' }, 400, 'TRIAGE_HTTP_VALIDATION'],
    ['an unknown field', { subject: 'x', priority: 'P1' }, 400, 'TRIAGE_HTTP_VALIDATION'],
    ['an unknown message field', { subject: 'x', message: { text: 'x', bcc: ['a@b.pl'] } }, 400, 'TRIAGE_HTTP_VALIDATION'],
    ['status among the fields', { subject: 'x', fields: { status: 'open' } }, 400, 'TRIAGE_HTTP_VALIDATION'],
    ['a field of the wrong type', { subject: 'x', fields: { priority: 1 } }, 400, 'TRIAGE_HTTP_VALIDATION'],
    ['an arrival time without a zone', { subject: 'x', createdAt: '2025-03-01T10:00:00' }, 400, 'TRIAGE_HTTP_VALIDATION'],
    ['data that is not an object', { subject: 'x', data: [1] }, 400, 'TRIAGE_HTTP_VALIDATION'],
    ['a body that is not an object', [{ subject: 'x' }], 400, 'TRIAGE_HTTP_VALIDATION'],
    ['invalid JSON', '{"subject": "x",', 400, 'TRIAGE_HTTP_INVALID_JSON'],
    ['an empty body', '', 400, 'TRIAGE_HTTP_INVALID_JSON'],
    ['an oversized body', huge, 413, 'TRIAGE_HTTP_BODY_TOO_LARGE'],
    ['another content type', 'subject=x', 415, 'TRIAGE_HTTP_UNSUPPORTED_MEDIA_TYPE', { 'content-type': 'application/x-www-form-urlencoded' }],
  ])('refuses %s with a coded error and stores nothing', async (_name, payload, status, code, headers) => {
    const res = await expectRefusedWithoutWrites(() => call('POST', '/v1/tickets', payload, headers), status, code);
    if (code === 'TRIAGE_HTTP_VALIDATION') expect(res.json().details).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringMatching(/^(body|headers)/) })]));
  });

  it('names the unknown property', async () => {
    const res = await call('POST', '/v1/tickets', { subject: 'x', colour: 'red' });
    expect(res.json().details).toContainEqual(expect.objectContaining({ path: 'body', property: 'colour' }));
  });
});

describe('POST /v1/tickets/batch', () => {
  it('creates each ticket as POST /v1/tickets would, one result per ticket in order; a failing one fails alone', async () => {
    const run = `batch-${Date.now()}`;
    const stored = await call('POST', '/v1/tickets', { ...invoice, externalId: `${run}-old` });
    expect(stored.statusCode).toBe(201);
    const before = await rowCounts(t.deps.db);
    const res = await call('POST', '/v1/tickets/batch', {
      tickets: [
        { ...invoice, externalId: `${run}-new`, tags: ['import'] },
        { ...invoice, externalId: `${run}-old` }, // already stored, same body: a replay
        { subject: 'Something else entirely', externalId: `${run}-old` }, // same id, other body: the 409 of POST /v1/tickets
        { subject: 'Pytanie o dostawę', externalId: `${run}-twice` },
        { subject: 'Pytanie o dostawę', externalId: `${run}-twice` }, // twice in one batch: one ticket
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.results.map((r: { index: number; status: number; externalId: string }) => [r.index, r.externalId, r.status])).toEqual([
      [0, `${run}-new`, 201],
      [1, `${run}-old`, 200],
      [2, `${run}-old`, 409],
      [3, `${run}-twice`, expect.any(Number)],
      [4, `${run}-twice`, expect.any(Number)],
    ]);
    expect([body.results[3].status, body.results[4].status].sort()).toEqual([200, 201]);
    expect(body.results[3].ticket.id).toBe(body.results[4].ticket.id);
    expect(body.results[0]).toMatchObject({ ticket: { category: 'invoice', tags: ['finance', 'import'] }, decision: { event: 'ticket.created' } });
    expect(body.results[1].ticket.id).toBe(stored.json().ticket.id);
    expect(body.results[2]).toMatchObject({ error: { code: 'TRIAGE_TICKET_IDEMPOTENCY_CONFLICT', message: expect.any(String) } });
    expect(body.results[2].ticket).toBeUndefined();
    expect(body).toMatchObject({ created: 2, replayed: 2, failed: 1 });
    const after = await rowCounts(t.deps.db);
    expect(after.tickets).toBe((before.tickets ?? 0) + 2);
    // Audited like a single create: the key's name is the actor.
    const details = await t.deps.tickets.getTicket(body.results[0].ticket.id);
    expect(details.audit.find((a) => a.action === 'ticket.create')).toMatchObject({ actorType: 'user', actorId: writeKeyName });
    // Sent again after a lost answer: nothing is created twice.
    const again = await call('POST', '/v1/tickets/batch', { tickets: [{ ...invoice, externalId: `${run}-new`, tags: ['import'] }] });
    expect(again.json()).toMatchObject({ created: 0, replayed: 1, failed: 0, results: [{ status: 200, ticket: { id: body.results[0].ticket.id } }] });
  });

  it('refuses a batch that breaks the schema as a whole, writing nothing (no externalId, empty, over 100, unknown property)', async () => {
    const ok = (i: number): Record<string, unknown> => ({ subject: `s${i}`, externalId: `bad-batch-${Date.now()}-${i}` });
    for (const payload of [
      { tickets: [ok(1), { subject: 'no id' }] },
      { tickets: [] },
      { tickets: Array.from({ length: 101 }, (_, i) => ok(i)) },
      { tickets: [{ ...ok(2), colour: 'red' }] },
      { ticket: [ok(3)] },
    ]) {
      await expectRefusedWithoutWrites(() => call('POST', '/v1/tickets/batch', payload), 400, 'TRIAGE_HTTP_VALIDATION');
    }
  });
});

describe('scopes', () => {
  it('needs a key (401) and the right scope (403) for every ticket route', async () => {
    const ticket = (await call('POST', '/v1/tickets', invoice)).json().ticket;
    const evaluateKey = await t.keyWith(['evaluate']);
    const cases: Array<[string, 'GET' | 'POST' | 'PATCH', string, unknown]> = [
      ['create', 'POST', '/v1/tickets', invoice],
      ['batch', 'POST', '/v1/tickets/batch', { tickets: [{ ...invoice, externalId: 'scope-batch' }] }],
      ['update', 'PATCH', `/v1/tickets/${ticket.id}`, { priority: 'P1' }],
      ['reply', 'POST', `/v1/tickets/${ticket.id}/messages`, { kind: 'public', text: 'hi' }],
    ];
    for (const [name, method, url, payload] of cases) {
      await expectRefusedWithoutWrites(() => call(method, url, payload, {}, null), 401, 'TRIAGE_AUTH_MISSING_KEY');
      const forbidden = await expectRefusedWithoutWrites(() => call(method, url, payload, {}, readKey), 403, 'TRIAGE_AUTH_FORBIDDEN');
      expect(forbidden.json().message, name).toContain('tickets:write');
    }
    for (const url of ['/v1/tickets', `/v1/tickets/${ticket.id}`]) {
      expect((await call('GET', url, undefined, {}, null)).statusCode).toBe(401);
      expect((await call('GET', url, undefined, {}, 'trg_not-a-key')).json().code).toBe('TRIAGE_AUTH_INVALID_KEY');
      expect((await call('GET', url, undefined, {}, evaluateKey)).statusCode).toBe(403);
      expect((await call('GET', url, undefined, {}, readKey)).statusCode).toBe(200);
    }
  });
});

describe('GET /v1/tickets', () => {
  it('filters and pages with an opaque cursor', async () => {
    const tag = `batch-${Date.now()}`;
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call('POST', '/v1/tickets', { subject: i % 2 === 0 ? `Faktura ${i}` : `Pytanie ${i}`, tags: [tag], createdAt: `2025-01-0${i + 1}T10:00:00+01:00` });
      created.push(res.json().ticket.number);
    }
    const newestFirst = [...created].reverse();

    const seen: string[] = [];
    let url = `/v1/tickets?tag=${tag}&limit=2`;
    for (let i = 0; i < 10; i++) {
      const res = await call('GET', url, undefined, {}, readKey);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json();
      expect(page.tickets.length).toBeLessThanOrEqual(2);
      seen.push(...page.tickets.map((x: { number: string }) => x.number));
      if (page.nextCursor === null) break;
      expect(page.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      url = `/v1/tickets?tag=${tag}&limit=2&cursor=${page.nextCursor}`;
    }
    expect(seen).toEqual(newestFirst);

    const list = async (query: string): Promise<string[]> => {
      const res = await call('GET', `/v1/tickets?tag=${tag}&${query}`, undefined, {}, readKey);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().tickets.map((x: { number: string }) => x.number);
    };
    expect(await list('category=invoice')).toEqual([created[4], created[2], created[0]]);
    expect(await list('team=finance&priority=P3')).toEqual([created[4], created[2], created[0]]);
    expect(await list('createdFrom=2025-01-02T09:00:00Z&createdTo=2025-01-04T09:00:00Z')).toEqual([created[2], created[1]]);

    await call('PATCH', `/v1/tickets/${created[1]}`, { status: 'open' });
    await call('PATCH', `/v1/tickets/${created[3]}`, { status: 'pending' });
    expect(await list('status=open')).toEqual([created[1]]);
    expect(await list('status=open&status=pending')).toEqual([created[3], created[1]]);
  });

  it.each([
    ['a cursor it did not make', 'cursor=abc'],
    ['a limit of 0', 'limit=0'],
    ['a limit over 200', 'limit=201'],
    ['a limit that is not a number', 'limit=ten'],
    ['an unknown status', 'status=archived'],
    ['a time without a zone', 'createdFrom=2025-01-01T10:00:00'],
    ['an unknown parameter', 'colour=red'],
  ])('refuses %s with TRIAGE_HTTP_VALIDATION', async (_name, query) => {
    const res = await call('GET', `/v1/tickets?${query}`, undefined, {}, readKey);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'TRIAGE_HTTP_VALIDATION', details: [expect.objectContaining({ path: expect.stringMatching(/^querystring/) })] });
  });
});

describe('GET /v1/tickets/:idOrNumber', () => {
  it('returns the ticket with messages, audit, decisions and corrections, by id or number', async () => {
    const created = (await call('POST', '/v1/tickets', invoice)).json().ticket;
    for (const ref of [created.id, created.number, created.number.toLowerCase()]) {
      const res = await call('GET', `/v1/tickets/${ref}`, undefined, {}, readKey);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      // The read adds the SLA state now (docs/api.md); the rest is the ticket as created.
      const { sla, ...ticket } = body.ticket;
      expect(ticket).toEqual(created);
      expect(sla).toMatchObject({ state: 'due', metric: expect.any(String) });
      expect(body.messages).toHaveLength(1);
      expect(body.audit.map((a: { action: string }) => a.action)).toContain('decision');
      expect(body.decisions[0]).toMatchObject({ event: 'ticket.created', decision: { firedRules: expect.arrayContaining(['categorize-invoice']) } });
      expect(body.corrections).toEqual([]);
      expect(body.customer).toMatchObject({ identities: expect.arrayContaining([{ kind: 'email', value: 'jan@acme.pl' }]) });
    }
  });

  it('answers 404 TRIAGE_TICKET_NOT_FOUND for an unknown ticket', async () => {
    for (const ref of ['T-999999', 'no-such-id']) {
      const res = await call('GET', `/v1/tickets/${ref}`, undefined, {}, readKey);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('TRIAGE_TICKET_NOT_FOUND');
    }
  });
});

describe('PATCH /v1/tickets/:idOrNumber', () => {
  it("records corrections when an agent overrides the rules' values, and shows them on GET", async () => {
    const created = (await call('POST', '/v1/tickets', invoice)).json().ticket;
    const res = await call('PATCH', `/v1/tickets/${created.number}`, { priority: 'P1', team: 'sales', assignee: 'anna', status: 'open', tags: { add: ['vip'], remove: ['finance'] } });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.ticket).toMatchObject({ priority: 'P1', team: 'sales', assignee: 'anna', status: 'open', tags: ['vip'] });
    expect(body.decisions.map((d: { event: string }) => d.event)).toEqual(['status.changed', 'ticket.updated']);
    const version = t.deps.rules.current().version;
    const corrections = body.corrections.map((c: Record<string, unknown>) => [c.field, c.ruleId, c.oldValue, c.newValue]);
    expect(corrections).toEqual([
      ['priority', 'categorize-invoice', 'P3', 'P1'],
      ['team', 'route-invoice', 'finance', 'sales'],
      ['tags', 'categorize-invoice', 'finance', null],
    ]);
    for (const c of body.corrections) expect(c).toMatchObject({ ruleSetVersion: version, actor: writeKeyName, ticketId: created.id });

    const details = (await call('GET', `/v1/tickets/${created.id}`, undefined, {}, readKey)).json();
    expect(details.corrections).toEqual(body.corrections);
    expect(details.audit.filter((a: { actorType: string }) => a.actorType === 'user').every((a: { actorId: string }) => a.actorId === writeKeyName)).toBe(true);
    expect(await t.deps.db('corrections').where({ ticket_id: created.id })).toHaveLength(3);
  });

  it('refuses an illegal transition with 409 and changes nothing', async () => {
    const created = (await call('POST', '/v1/tickets', invoice)).json().ticket;
    const res = await expectRefusedWithoutWrites(() => call('PATCH', `/v1/tickets/${created.id}`, { status: 'closed', priority: 'P1' }), 409, 'TRIAGE_TICKET_ILLEGAL_TRANSITION');
    expect(res.json().details).toMatchObject({ from: 'new', to: 'closed', allowed: ['open', 'pending', 'solved'] });
    expect((await t.deps.tickets.getTicket(created.id)).ticket).toEqual(created);
  });

  it.each<[string, unknown, number, string]>([
    ['an empty change', {}, 400, 'TRIAGE_HTTP_VALIDATION'],
    ['an unknown status', { status: 'archived' }, 400, 'TRIAGE_HTTP_VALIDATION'],
    ['an unknown field', { subject: 'new subject' }, 400, 'TRIAGE_HTTP_VALIDATION'],
    ['a field of the wrong type', { priority: 1 }, 400, 'TRIAGE_HTTP_VALIDATION'],
    ['review that is not a boolean', { review: 'false' }, 400, 'TRIAGE_HTTP_VALIDATION'],
    ['tags as a list', { tags: ['vip'] }, 400, 'TRIAGE_HTTP_VALIDATION'],
    ['a tag both added and removed', { tags: { add: ['vip'], remove: ['vip'] } }, 400, 'TRIAGE_TICKET_INVALID'],
    ['invalid JSON', '{"priority":', 400, 'TRIAGE_HTTP_INVALID_JSON'],
  ])('refuses %s with a coded error and changes nothing', async (_name, payload, status, code) => {
    const created = (await call('POST', '/v1/tickets', invoice)).json().ticket;
    await expectRefusedWithoutWrites(() => call('PATCH', `/v1/tickets/${created.id}`, payload), status, code);
  });

  it('answers 404 for an unknown ticket', async () => {
    await expectRefusedWithoutWrites(() => call('PATCH', '/v1/tickets/T-999999', { priority: 'P1' }), 404, 'TRIAGE_TICKET_NOT_FOUND');
  });
});

describe('POST /v1/tickets/:idOrNumber/messages', () => {
  it('stores a public reply (first response), an internal note, and a customer message that reopens the ticket', async () => {
    const created = (await call('POST', '/v1/tickets', invoice)).json().ticket;
    const note = await call('POST', `/v1/tickets/${created.id}/messages`, { kind: 'internal', text: 'Checking with accounting.' });
    expect(note.statusCode, note.body).toBe(201);
    expect(note.json()).toMatchObject({ message: { direction: 'outbound', kind: 'internal', text: 'Checking with accounting.' }, ticket: { firstResponseAt: null }, decision: null });

    const reply = await call('POST', `/v1/tickets/${created.number}/messages`, { kind: 'public', text: 'Korekta w załączniku.', html: '<p>Korekta w załączniku.</p>', from: 'Anna <anna@firma.pl>' });
    expect(reply.statusCode).toBe(201);
    const replied = reply.json();
    expect(replied.message).toMatchObject({ direction: 'outbound', kind: 'public', from: { address: 'anna@firma.pl', name: 'Anna' }, html: '<p>Korekta w załączniku.</p>' });
    expect(replied.ticket.firstResponseAt).toBe(replied.message.createdAt);

    await call('PATCH', `/v1/tickets/${created.id}`, { status: 'pending' });
    const inbound = await call('POST', `/v1/tickets/${created.id}/messages`, { kind: 'public', direction: 'inbound', text: 'Dziękuję, ale kwota się nie zgadza.', from: 'jan@acme.pl' });
    expect(inbound.statusCode).toBe(201);
    expect(inbound.json()).toMatchObject({ ticket: { status: 'open' }, message: { direction: 'inbound' }, decision: { event: 'message.received' } });

    const details = await t.deps.tickets.getTicket(created.id);
    expect(details.messages.map((m) => [m.direction, m.kind])).toEqual([['inbound', 'public'], ['outbound', 'internal'], ['outbound', 'public'], ['inbound', 'public']]);
    // every message, the customer's relayed one included, is audited with the key that sent it
    expect(details.audit.filter((a) => a.action === 'message.add').map((a) => a.actorId)).toEqual([writeKeyName, writeKeyName, writeKeyName, writeKeyName]);
  });

  it.each<[string, unknown]>([
    ['a missing kind', { text: 'hi' }],
    ['a missing text', { kind: 'public' }],
    ['an empty text', { kind: 'public', text: '' }],
    ['an inbound internal note', { kind: 'internal', direction: 'inbound', text: 'hi' }],
    ['an unknown kind', { kind: 'sms', text: 'hi' }],
    ['an unknown field', { kind: 'public', text: 'hi', attachments: [] }],
    ['a text of the wrong type', { kind: 'public', text: 42 }],
  ])('refuses %s with TRIAGE_HTTP_VALIDATION and stores nothing', async (_name, payload) => {
    const created = (await call('POST', '/v1/tickets', invoice)).json().ticket;
    await expectRefusedWithoutWrites(() => call('POST', `/v1/tickets/${created.id}/messages`, payload), 400, 'TRIAGE_HTTP_VALIDATION');
  });

  it('answers 404 for an unknown ticket', async () => {
    await expectRefusedWithoutWrites(() => call('POST', '/v1/tickets/T-999999/messages', { kind: 'public', text: 'hi' }), 404, 'TRIAGE_TICKET_NOT_FOUND');
  });
});

describe('OpenAPI', () => {
  it('documents the ticket routes with their schemas', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/v1/tickets', '/v1/tickets/batch', '/v1/tickets/{idOrNumber}', '/v1/tickets/{idOrNumber}/messages']) expect(doc.paths[path], path).toBeDefined();
    expect(doc.paths['/v1/tickets/batch'].post.responses['200'].content['application/json'].schema.properties.results.items.properties.ticket.properties.number).toBeDefined();
    const create = doc.paths['/v1/tickets'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(['subject']);
    expect(create.responses['201'].content['application/json'].schema.properties.ticket.properties.number).toBeDefined();
    expect(create.parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'idempotency-key' }));
    // file references are inlined: nothing in the document points at a schema file
    expect(JSON.stringify(doc)).not.toMatch(/"\$ref":"[^"]*\.schema\.json/);
  });
});
