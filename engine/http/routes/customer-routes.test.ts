import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/helpers/test-app.js';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
let readKey: string;

beforeAll(async () => {
  t = await createTestApp();
  readKey = await t.keyWith(['tickets:read']);
});
afterAll(() => t.close());

const get = (url: string, key: string | null = readKey) => t.app.inject({ method: 'GET', url, headers: key === null ? {} : { authorization: `Bearer ${key}` } });

describe('GET /v1/customers/:id', () => {
  it('returns the customer with identities and ticket history across channels, newest first, paged', async () => {
    const mail = await t.deps.tickets.createTicket({ source: 'imap:support', externalId: '<m1@acme.pl>', channel: 'email', subject: 'Faktura', createdAt: '2025-03-01T10:00:00Z', message: { from: 'Jan Kowalski <jan@acme.pl>', text: 'Faktura' } });
    const customerId = mail.ticket.customerId ?? '';
    await t.deps.tickets.createTicket({ source: 'pbx', externalId: 'call-1', channel: 'phone', subject: 'Call', createdAt: '2025-03-02T10:00:00Z', customer: { phone: '+48 600 100 200', email: 'jan@acme.pl' } });
    // a colleague from the same company domain is the same customer (R7)
    await t.deps.tickets.createTicket({ source: 'chat', externalId: 'conv-1', channel: 'chat', subject: 'Chat', createdAt: '2025-03-03T10:00:00Z', customer: { email: 'anna@acme.pl' } });
    await t.deps.tickets.createTicket({ source: 'api', externalId: 'other', subject: 'Other', customer: { email: 'x@zeta.pl' } });

    const res = await get(`/v1/customers/${customerId}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.customer).toMatchObject({ id: customerId, name: 'Jan Kowalski' });
    expect(body.customer.identities).toEqual([
      { kind: 'domain', value: 'acme.pl' },
      { kind: 'email', value: 'anna@acme.pl' },
      { kind: 'email', value: 'jan@acme.pl' },
      { kind: 'phone', value: '+48600100200' },
    ]);
    expect(body.tickets.map((x: { channel: string }) => x.channel)).toEqual(['chat', 'phone', 'email']);
    expect(body).toMatchObject({ ticketCount: 3, nextCursor: null });

    const first = (await get(`/v1/customers/${customerId}?limit=2`)).json();
    expect(first.tickets.map((x: { channel: string }) => x.channel)).toEqual(['chat', 'phone']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const rest = (await get(`/v1/customers/${customerId}?limit=2&cursor=${first.nextCursor}`)).json();
    expect(rest.tickets.map((x: { channel: string }) => x.channel)).toEqual(['email']);
    // the same cursor continues the history on GET /v1/tickets
    const viaList = (await get(`/v1/tickets?customer=${customerId}&limit=2&cursor=${first.nextCursor}`)).json();
    expect(viaList.tickets.map((x: { id: string }) => x.id)).toEqual(rest.tickets.map((x: { id: string }) => x.id));
  });

  it('answers 404 TRIAGE_CUSTOMER_NOT_FOUND for an unknown customer', async () => {
    const res = await get('/v1/customers/no-such-customer');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'TRIAGE_CUSTOMER_NOT_FOUND', hint: expect.any(String) });
  });

  it('refuses bad paging parameters with TRIAGE_HTTP_VALIDATION', async () => {
    for (const query of ['limit=0', 'limit=500', 'cursor=abc', 'colour=red']) {
      const res = await get(`/v1/customers/any?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().code).toBe('TRIAGE_HTTP_VALIDATION');
    }
  });

  it('needs a key with tickets:read', async () => {
    expect((await get('/v1/customers/any', null)).json().code).toBe('TRIAGE_AUTH_MISSING_KEY');
    const res = await get('/v1/customers/any', await t.keyWith(['evaluate']));
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('TRIAGE_AUTH_FORBIDDEN');
  });
});
