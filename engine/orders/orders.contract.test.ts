/**
 * Order facts end to end over the real store, on SQLite and PostgreSQL: the
 * shipped rule set (rules/default/orders.yaml), the ticket service, the
 * baselinker connector against a loopback BaseLinker, the durable retry table
 * `order_jobs`. Retries are driven with runDueJobs() and a fake clock; no
 * assertion is about how long anything took.
 */
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { baselinkerConnector } from '../../connectors/baselinker/baselinker-connector.js';
import type { ConnectorInstance } from '../../connectors/lib/connector.js';
import { loadRuleSet } from '../../rules/lib/load-rule-set.js';
import type { RuleSet } from '../../rules/lib/rule-set.js';
import { startBaseLinkerServer, type BaseLinkerServer } from '../../test/fakes/baselinker-server.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import { packageRoot } from '../runtime/package-root.js';
import { ruleSetDecide } from '../tickets/rule-set-decide.js';
import { TicketService } from '../tickets/ticket-service.js';
import type { CreateTicketInput } from '../tickets/ticket-input.js';
import { OrderEnricher } from './order-enricher.js';
import type { OrderFactsRequest } from './order-facts-provider.js';
import { OrderJobStore } from './order-job-store.js';
import { OrderRetrier } from './order-retrier.js';

const TOKEN = 'bl-token-contract-1234';
const START = Date.parse('2026-11-29T08:00:00.000Z');
const MINUTE = 60_000;
const DAY = 86_400_000;

/** Ordered 40 days before START: outside the 14-day return window; shipped with InPost. */
const OLD_ORDER = {
  order_id: 12345,
  order_status_id: 1052,
  date_add: Math.floor((START - 40 * DAY) / 1000),
  currency: 'PLN',
  payment_done: 50,
  delivery_method: 'InPost Paczkomaty',
  delivery_price: 0,
  delivery_package_module: 'inpost',
  delivery_package_nr: '520000011395200025754311',
  email: 'jan.kowalski@example.pl',
  phone: '600100200',
  products: [{ sku: 'KUB-01', name: 'Kubek', price_brutto: 50, quantity: 1 }],
};

let ruleSet: RuleSet;
let seq = 0;

function mail(subject: string, from: string, text = 'Dzień dobry.'): CreateTicketInput {
  seq += 1;
  return { source: 'imap:support', externalId: `o-${seq}`, subject, channel: 'email', message: { from, to: ['sklep@example.pl'], text } };
}

describe.each<StoreKind>(['sqlite', 'postgres'])('order facts over the ticket store (%s)', (kind) => {
  let harness: StoreHarness;
  let bl: BaseLinkerServer;
  const connections: ConnectorInstance[] = [];

  beforeAll(async () => {
    harness = createStoreHarness(kind);
    bl = await startBaseLinkerServer({ token: TOKEN, orders: [OLD_ORDER] });
    const loaded = await loadRuleSet(join(packageRoot(), 'rules', 'default'));
    if (!loaded.ok) throw new Error('the shipped rule set does not load');
    ruleSet = loaded.ruleSet;
  });
  afterEach(async () => {
    bl.setFaults(undefined);
    bl.reset();
    for (const c of connections.splice(0)) await c.close?.();
  });
  afterAll(async () => {
    await bl.close();
    await harness.close();
  });

  function processOver(db: Knex, clock: { t: number }, timeoutMs = 10_000) {
    const connection = baselinkerConnector.create({ token: TOKEN, url: bl.endpoint, allowHosts: ['127.0.0.1'] }, { connection: 'shop', log: () => undefined });
    connections.push(connection);
    const now = (): Date => new Date((clock.t += 1));
    const jobs = new OrderJobStore(db);
    const enricher = new OrderEnricher({ connection, connectionName: 'shop', jobs, timeoutMs, now, random: () => 0.5, retry: { baseDelayMs: MINUTE, maxDelayMs: 8 * MINUTE, maxAttempts: 3 } });
    const tickets = new TicketService({ db, decide: ruleSetDecide(() => ruleSet), now, orderFacts: enricher.provide });
    const retrier = new OrderRetrier({ db, enricher, jobs, tickets, now, random: () => 0.5, orphanGraceMs: 10 * MINUTE });
    return { tickets, enricher, jobs, retrier };
  }

  async function setup(timeoutMs?: number) {
    const db = await harness.open();
    const clock = { t: START };
    return { db, clock, ...processOver(db, clock, timeoutMs) };
  }

  const getOrdersCalls = (): number => bl.requests.filter((r) => r.method === 'getOrders').length;

  it('looks the order up before the transaction: an old order makes a complaint out-of-return-window', async () => {
    const { tickets, jobs } = await setup();
    const { ticket, decision } = await tickets.createTicket(mail('Reklamacja – zamówienie nr 12345', 'jan.kowalski@example.pl'));
    expect(ticket.category).toBe('complaint');
    expect(ticket.tags).toContain('out-of-return-window');
    expect(decision?.firedRules).toContain('order-complaint-out-of-return-window');
    expect(bl.requests[0]).toMatchObject({ method: 'getOrders', parameters: { order_id: 12345, get_unconfirmed_orders: true } });
    expect(await jobs.list()).toEqual([]);
    // The shop's answer is not stored: only what the rules decided.
    const details = await tickets.getTicket(ticket.id);
    expect(JSON.stringify(details.ticket)).not.toContain('520000011395200025754311');
  });

  it('answers "where is my parcel" from the order\'s customer with the tracking link, and only to them', async () => {
    const { tickets } = await setup();
    const own = await tickets.createTicket(mail('Gdzie jest moja paczka?', 'Jan <jan.kowalski@example.pl>', 'Czekam na zamówienie 12345.'));
    const reply = own.decision?.actions.find((a) => a.type === 'reply');
    expect(reply?.params.text).toContain('https://inpost.pl/sledzenie-przesylek?number=520000011395200025754311');
    expect(own.ticket.tags).toContain('tracking-sent');
    const stranger = await tickets.createTicket(mail('Gdzie jest moja paczka?', 'obcy@example.com', 'Czekam na zamówienie 12345.'));
    expect(stranger.decision?.firedRules).not.toContain('order-where-is-my-parcel');
    // The second ticket's lookup came from the cache.
    expect(getOrdersCalls()).toBe(1);
  });

  it('asks a complaint without an order number for it; asks the shop nothing', async () => {
    const { tickets } = await setup();
    const { ticket, decision } = await tickets.createTicket(mail('Reklamacja uszkodzonego kubka', 'ola@example.pl'));
    expect(ticket.tags).toContain('order-number-requested');
    expect(decision?.actions.map((a) => a.type)).toContain('reply');
    expect(getOrdersCalls()).toBe(0);
  });

  it('links a ticket that names nobody to the order\'s customer', async () => {
    const { tickets } = await setup();
    const { ticket } = await tickets.createTicket({ source: 'chat', externalId: `chat-${++seq}`, subject: 'Pytanie o zamówienie 12345', channel: 'chat' });
    expect(ticket.customerId).not.toBeNull();
    const details = await tickets.getTicket(ticket.id);
    expect(details.customer?.identities).toContainEqual({ kind: 'email', value: 'jan.kowalski@example.pl' });
  });

  it('passes the request to a provider before the ticket exists, and asks nothing for a re-delivery', async () => {
    const db = await harness.open();
    const requests: OrderFactsRequest[] = [];
    const tickets = new TicketService({
      db,
      decide: ruleSetDecide(() => ruleSet),
      orderFacts: async (request) => {
        requests.push(request);
        expect(await db('tickets').where({ id: request.ticketId }).first()).toBeUndefined();
        return { lookup: 'none' };
      },
    });
    const input = mail('Zamówienie 12345', 'jan@example.pl');
    await tickets.createTicket(input);
    expect((await tickets.createTicket(input)).created).toBe(false);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ subject: 'Zamówienie 12345', text: 'Dzień dobry.', hints: { email: 'jan@example.pl' } });
  });

  it.each(['hang', 'error', 'auth'] as const)('creates the ticket when the shop fails (%s), then applies the late answer through ticket.enriched', async (fault) => {
    const { db, tickets, jobs, retrier, clock } = await setup(fault === 'hang' ? 100 : undefined);
    if (fault === 'hang') bl.enqueue({ kind: 'hang' });
    if (fault === 'error') bl.setFaults(() => ({ kind: 'status', status: 503 }));
    const connection = fault === 'auth' ? baselinkerConnector.create({ token: 'wrong-token-xyz', url: bl.endpoint, allowHosts: ['127.0.0.1'] }, { connection: 'shop', log: () => undefined }) : undefined;
    // A wrong token: this ticket is created by a process whose connection BaseLinker refuses; the retrier's connection is fixed.
    if (connection !== undefined) connections.push(connection);
    const creator =
      connection === undefined
        ? tickets
        : new TicketService({
            db,
            decide: ruleSetDecide(() => ruleSet),
            now: () => new Date((clock.t += 1)),
            orderFacts: new OrderEnricher({ connection, connectionName: 'shop', jobs, now: () => new Date((clock.t += 1)), random: () => 0.5, retry: { baseDelayMs: MINUTE } }).provide,
          });
    const { ticket, created, decision } = await creator.createTicket(mail('Reklamacja zamówienia 12345', 'jan.kowalski@example.pl'));
    expect(created).toBe(true);
    expect(ticket.tags).not.toContain('out-of-return-window');
    expect(decision?.firedRules).not.toContain('order-complaint-ask-for-number');
    const [job] = await jobs.list();
    const expected = { hang: /^TRIAGE_ORDER_TIMEOUT/, error: /^TRIAGE_CONNECTOR_UNAVAILABLE/, auth: /^TRIAGE_CONNECTOR_AUTH.*ERROR_AUTH_TOKEN/ };
    expect(job).toMatchObject({ ticketId: ticket.id, state: 'pending', attempts: 1, query: { number: '12345', sender: { email: 'jan.kowalski@example.pl' } } });
    expect(job?.lastError).toMatch(expected[fault]);

    bl.setFaults(undefined);
    expect(await retrier.runDueJobs()).toMatchObject({ claimed: 0 });
    clock.t += 2 * MINUTE;
    expect(await retrier.runDueJobs()).toEqual({ claimed: 1, enriched: 1, rescheduled: 0, failed: 0, dropped: 0 });
    const details = await tickets.getTicket(ticket.id);
    expect(details.ticket.tags).toContain('out-of-return-window');
    expect(details.decisions.find((d) => d.event === 'ticket.enriched')?.decision.firedRules).toEqual(['order-complaint-out-of-return-window']);
    expect(await jobs.list()).toEqual([]);
  });

  it('evaluates ticket.enriched with "not-found" when the shop answers late that it has no such order', async () => {
    const { tickets, jobs, retrier, clock } = await setup();
    bl.enqueue({ kind: 'status', status: 502 });
    const { ticket } = await tickets.createTicket(mail('Reklamacja zamówienia 99999', 'jan@example.pl'));
    expect(ticket.tags).not.toContain('order-number-requested');
    clock.t += 2 * MINUTE;
    expect(await retrier.runDueJobs()).toMatchObject({ enriched: 1 });
    expect((await tickets.getTicket(ticket.id)).ticket.tags).toContain('order-number-requested');
    expect(await jobs.list()).toEqual([]);
  });

  it('backs off while the shop stays down and gives up after the last attempt', async () => {
    const { tickets, jobs, retrier, clock } = await setup();
    bl.setFaults(() => ({ kind: 'status', status: 503 }));
    const { ticket } = await tickets.createTicket(mail('Reklamacja zamówienia 12345', 'jan@example.pl'));
    clock.t += 2 * MINUTE;
    expect(await retrier.runDueJobs()).toMatchObject({ claimed: 1, rescheduled: 1 });
    clock.t += 4 * MINUTE;
    expect(await retrier.runDueJobs()).toMatchObject({ claimed: 1, failed: 1 });
    expect(await jobs.get(ticket.id)).toMatchObject({ state: 'failed', attempts: 3, lastError: expect.stringMatching(/TRIAGE_CONNECTOR_UNAVAILABLE/) as unknown });
    clock.t += 60 * MINUTE;
    expect(await retrier.runDueJobs()).toMatchObject({ claimed: 0 });
  });

  it('claims each job once when two processes run at the same time, and drops a job whose ticket never appeared', async () => {
    const { db, clock, tickets, jobs, retrier } = await setup();
    bl.setFaults(() => ({ kind: 'status', status: 503 }));
    await tickets.createTicket(mail('Reklamacja zamówienia 12345', 'a@example.pl'));
    await tickets.createTicket(mail('Reklamacja zamówienia 12345', 'b@example.pl'));
    await jobs.enqueue('no-such-ticket', { number: '12345', sender: {} }, new Date(clock.t).toISOString(), new Date(clock.t - 20 * MINUTE).toISOString(), 'test');
    bl.setFaults(undefined);
    clock.t += 2 * MINUTE;
    const other = processOver(db, clock);
    const [a, b] = await Promise.all([retrier.runDueJobs(), other.retrier.runDueJobs()]);
    expect(a.claimed + b.claimed).toBe(3);
    expect(a.enriched + b.enriched).toBe(2);
    expect(a.dropped + b.dropped).toBe(1);
    expect(await jobs.list()).toEqual([]);
  });
});
