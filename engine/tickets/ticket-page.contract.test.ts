/**
 * Listing and paging tickets, and a customer's history: the same contract on
 * SQLite and PostgreSQL (each test gets a fresh database).
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode } from '../../test/helpers/expect-code.js';
import { createFakeDecide } from '../../test/helpers/fake-decide.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import type { Actor } from './audit-event.js';
import type { Ticket, TicketFilter } from './ticket.js';
import { decodeTicketCursor, encodeTicketCursor } from './ticket-cursor.js';
import type { CreateTicketInput } from './ticket-input.js';
import { TicketService } from './ticket-service.js';

const AGENT: Actor = { type: 'user', id: 'agent-anna' };

function ticket(externalId: string, subject: string, createdAt: string, extra: Partial<CreateTicketInput> = {}): CreateTicketInput {
  return { source: 'api', externalId, subject, channel: 'api', createdAt, message: { from: 'jan@acme.pl', text: subject }, ...extra };
}

/** Every page of `filter`, following `next` until the end. */
async function allPages(service: TicketService, filter: TicketFilter): Promise<{ pages: Ticket[][] }> {
  const pages: Ticket[][] = [];
  let after: TicketFilter['after'];
  for (let i = 0; i < 100; i++) {
    const page = await service.listTicketPage({ ...filter, ...(after === undefined ? {} : { after }) });
    pages.push(page.tickets);
    if (page.next === null) return { pages };
    after = page.next;
  }
  throw new Error('paging did not end');
}

describe.each<StoreKind>(['sqlite', 'postgres'])('ticket listing and paging (%s)', (kind) => {
  let harness: StoreHarness;

  beforeAll(() => {
    harness = createStoreHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  async function setup(): Promise<{ db: Knex; service: TicketService }> {
    const db = await harness.open();
    let t = Date.parse('2025-03-10T08:00:00.000Z');
    return { db, service: new TicketService({ db, decide: createFakeDecide(), now: () => new Date((t += 1000)) }) };
  }

  it('filters by status, team, priority, category, customer, tag and arrival range, all combined with AND', async () => {
    const { service } = await setup();
    const invoice = await service.createTicket(ticket('f-1', 'Faktura 1', '2025-03-01T10:00:00Z'));
    const outage = await service.createTicket(ticket('f-2', 'Awaria krytyczna', '2025-03-02T10:00:00Z', { customer: { email: 'it@zeta.pl' }, message: { from: 'it@zeta.pl', text: 'awaria krytyczna' } }));
    const plain = await service.createTicket(ticket('f-3', 'Question', '2025-03-03T10:00:00Z', { tags: ['vip'] }));
    const invoice2 = await service.createTicket(ticket('f-4', 'Faktura 2', '2025-03-04T10:00:00Z', { tags: ['vip'] }));
    await service.changeStatus(plain.ticket.id, 'open', AGENT);
    await service.changeStatus(invoice2.ticket.id, 'pending', AGENT);

    const ids = async (filter: TicketFilter): Promise<string[]> => (await service.listTicketPage(filter)).tickets.map((t) => t.externalId);
    expect(await ids({})).toEqual(['f-4', 'f-3', 'f-2', 'f-1']);
    expect(await ids({ status: ['open', 'pending'] })).toEqual(['f-4', 'f-3']);
    expect(await ids({ status: 'new' })).toEqual(['f-2', 'f-1']);
    expect(await ids({ team: 'finance' })).toEqual(['f-4', 'f-1']);
    expect(await ids({ priority: 'P1' })).toEqual(['f-2']);
    expect(await ids({ category: 'invoice' })).toEqual(['f-4', 'f-1']);
    expect(await ids({ customerId: outage.ticket.customerId ?? '' })).toEqual(['f-2']);
    expect(await ids({ customerId: invoice.ticket.customerId ?? '' })).toEqual(['f-4', 'f-3', 'f-1']);
    expect(await ids({ tag: 'vip' })).toEqual(['f-4', 'f-3']);
    expect(await ids({ tag: 'finance', status: 'new' })).toEqual(['f-1']);
    expect(await ids({ tag: 'no-such-tag' })).toEqual([]);
    // from inclusive, to exclusive; any zone is accepted and normalized
    expect(await ids({ createdFrom: '2025-03-02T10:00:00Z', createdTo: '2025-03-04T10:00:00Z' })).toEqual(['f-3', 'f-2']);
    expect(await ids({ createdFrom: '2025-03-02T11:00:00+01:00' })).toEqual(['f-4', 'f-3', 'f-2']);
    expect(await ids({ createdTo: '2025-03-02T10:00:00.001Z', team: 'finance' })).toEqual(['f-1']);
    // tags come with each listed ticket
    expect((await service.listTicketPage({ tag: 'vip' })).tickets.map((t) => t.tags)).toEqual([['finance', 'vip'], ['vip']]);

    await expectCode(service.listTicketPage({ createdFrom: '2025-03-02T10:00:00' }), 'TRIAGE_TICKET_INVALID');
    await expectCode(service.listTicketPage({ createdTo: 'yesterday' }), 'TRIAGE_TICKET_INVALID');
  });

  it('pages newest first by (createdAt, id) without duplicates or gaps, ties included', async () => {
    const { service } = await setup();
    // 23 tickets over 8 distinct arrival times: many share a createdAt, so the id tie-break matters.
    for (let i = 0; i < 23; i++) {
      await service.createTicket(ticket(`p-${i}`, `Ticket ${i}`, `2025-03-0${1 + (i % 8)}T10:00:00.000Z`));
    }
    const everything = await service.listTicketPage({ limit: 500 });
    expect(everything.tickets).toHaveLength(23);
    expect(everything.next).toBeNull();
    const keys = everything.tickets.map((t) => [t.createdAt, t.id] as const);
    const sorted = [...keys].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? 1 : -1) : a[0] < b[0] ? 1 : -1));
    expect(keys).toEqual(sorted);

    for (const limit of [1, 5, 7, 23]) {
      const { pages } = await allPages(service, { limit });
      expect(pages.every((p) => p.length <= limit)).toBe(true);
      expect(pages.flat().map((t) => t.id), `limit ${limit}`).toEqual(everything.tickets.map((t) => t.id));
    }
    // an exact fit ends without an empty extra page
    expect((await allPages(service, { limit: 23 })).pages).toHaveLength(1);
    // paging with a filter
    const { pages } = await allPages(service, { limit: 2, createdFrom: '2025-03-07T00:00:00Z' });
    expect(pages.flat().map((t) => t.externalId).sort()).toEqual(['p-14', 'p-15', 'p-22', 'p-6', 'p-7'].sort());
  });

  it('stays stable while tickets are created during paging', async () => {
    const { service } = await setup();
    for (let i = 0; i < 12; i++) await service.createTicket(ticket(`s-${i}`, `Ticket ${i}`, `2025-03-01T10:00:${String(i).padStart(2, '0')}.000Z`));
    const before = (await service.listTicketPage({ limit: 500 })).tickets.map((t) => t.id);

    const seen: string[] = [];
    let after: TicketFilter['after'];
    for (let round = 0; ; round++) {
      const page = await service.listTicketPage({ limit: 4, ...(after === undefined ? {} : { after }) });
      seen.push(...page.tickets.map((t) => t.id));
      // newer arrivals (the usual case) and one at exactly the last seen position's time
      await Promise.all([
        service.createTicket(ticket(`new-${round}-a`, 'New', `2025-03-05T10:00:0${round}.000Z`)),
        service.createTicket(ticket(`new-${round}-b`, 'New', page.tickets.at(-1)?.createdAt ?? '2025-03-05T00:00:00Z')),
      ]);
      if (page.next === null) break;
      after = page.next;
    }
    // every ticket that existed when paging began is seen exactly once
    for (const id of before) expect(seen.filter((s) => s === id), id).toHaveLength(1);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('encodes the position as an opaque cursor and refuses what it did not make', () => {
    const cursor = encodeTicketCursor({ createdAt: '2025-03-01T10:00:00.000Z', id: 'abc' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeTicketCursor(cursor)).toEqual({ createdAt: '2025-03-01T10:00:00.000Z', id: 'abc' });
    for (const bad of ['', 'not a cursor', '!!!', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('["2025-03-01", "x"]').toString('base64url'), Buffer.from('["2025-03-01T10:00:00.000Z", 5]').toString('base64url'), 'a'.repeat(500)]) {
      expect(decodeTicketCursor(bad), bad).toBeUndefined();
    }
  });

  it("returns a customer with identities and their ticket history across channels, newest first", async () => {
    const { service } = await setup();
    const mail = await service.createTicket(ticket('c-1', 'Mail', '2025-03-01T10:00:00Z', { channel: 'email', customer: { email: 'jan@acme.pl', name: 'Jan' } }));
    const customerId = mail.ticket.customerId ?? '';
    await service.createTicket({ source: 'pbx', externalId: 'call-1', subject: 'Call', channel: 'phone', createdAt: '2025-03-02T10:00:00Z', customer: { phone: '+48 600 100 200', email: 'jan@acme.pl' } });
    await service.createTicket(ticket('c-3', 'Chat', '2025-03-03T10:00:00Z', { channel: 'chat', customer: { phone: '(+48) 600-100-200' }, message: { text: 'hi' } }));
    await service.createTicket(ticket('other', 'Someone else', '2025-03-04T10:00:00Z', { customer: { email: 'x@zeta.pl' }, message: { from: 'x@zeta.pl', text: 'x' } }));

    const details = await service.getCustomer(customerId);
    expect(details.customer).toMatchObject({ id: customerId, name: 'Jan' });
    expect(details.customer.identities).toEqual([
      { kind: 'domain', value: 'acme.pl' },
      { kind: 'email', value: 'jan@acme.pl' },
      { kind: 'phone', value: '+48600100200' },
    ]);
    expect(details.tickets.map((t) => t.channel)).toEqual(['chat', 'phone', 'email']);
    expect(details.ticketCount).toBe(3);
    expect(details.next).toBeNull();

    const first = await service.getCustomer(customerId, { limit: 2 });
    expect(first.tickets.map((t) => t.channel)).toEqual(['chat', 'phone']);
    expect(first.ticketCount).toBe(3);
    const rest = await service.getCustomer(customerId, { limit: 2, after: first.next ?? undefined });
    expect(rest.tickets.map((t) => t.channel)).toEqual(['email']);
    expect(rest.next).toBeNull();

    await expectCode(service.getCustomer('no-such-customer'), 'TRIAGE_CUSTOMER_NOT_FOUND');
  });
});
