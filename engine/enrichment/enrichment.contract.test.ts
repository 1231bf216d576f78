/**
 * CRM enrichment end to end over the real store, on SQLite and PostgreSQL:
 * the shipped rule set, the ticket service, the http-crm connector against a
 * loopback CRM in each of its modes, the durable retry table. Retries are
 * driven with runDueJobs() and a fake clock: nothing waits on wall time
 * except the enrichment timeout itself (kept short), and no assertion is
 * about how long anything took.
 */
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpCrmConnector } from '../../connectors/http-crm/http-crm-connector.js';
import type { ConnectorInstance } from '../../connectors/lib/connector.js';
import { loadRuleSet } from '../../rules/lib/load-rule-set.js';
import type { RuleSet } from '../../rules/lib/rule-set.js';
import { startCrmServer, type CrmMode, type CrmServer } from '../../test/fakes/crm-server.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import { packageRoot } from '../runtime/package-root.js';
import { ruleSetDecide } from '../tickets/rule-set-decide.js';
import { TicketService } from '../tickets/ticket-service.js';
import type { CustomerFactsRequest } from '../tickets/customer-facts-provider.js';
import type { CreateTicketInput } from '../tickets/ticket-input.js';
import { CustomerEnricher } from './customer-enricher.js';
import { EnrichmentJobStore } from './enrichment-job-store.js';
import { EnrichmentRetrier, type EnrichmentRetrierOptions } from './enrichment-retrier.js';

const MAPPING = {
  name: 'properties.name',
  segment: 'properties.segment',
  accountManager: 'properties.owner.name',
  contract: { active: { path: 'properties.sla_active', type: 'boolean' }, level: 'properties.sla_level' },
};

const ALFA = { id: '1', domains: ['alfa.pl'], properties: { name: 'Alfa', segment: 'standard', sla_active: 'true', sla_level: 'gold' } };
const START = Date.parse('2025-03-03T08:00:00.000Z');
const MINUTE = 60_000;
let ruleSet: RuleSet;
let seq = 0;

function invoice(from: string): CreateTicketInput {
  seq += 1;
  return { source: 'imap:support', externalId: `m-${seq}`, subject: `Faktura ${seq}/2026`, channel: 'email', message: { from, to: ['support@triage.example'], text: 'W załączeniu faktura.' } };
}

describe.each<StoreKind>(['sqlite', 'postgres'])('CRM enrichment over the ticket store (%s)', (kind) => {
  let harness: StoreHarness;
  let crm: CrmServer;
  const connections: ConnectorInstance[] = [];

  beforeAll(async () => {
    harness = createStoreHarness(kind);
    crm = await startCrmServer({ companies: [ALFA] });
    const loaded = await loadRuleSet(join(packageRoot(), 'rules', 'default'));
    if (!loaded.ok) throw new Error('the shipped rule set does not load');
    ruleSet = loaded.ruleSet;
  });
  afterEach(async () => {
    crm.release();
    await crm.setMode('ok');
    for (const c of connections.splice(0)) await c.close?.();
  });
  afterAll(async () => {
    await crm.close();
    await harness.close();
  });

  /** A process: ticket service, enricher and retrier over one database, all on one fake clock. */
  function processOver(db: Knex, clock: { t: number }, timeoutMs = 10_000) {
    const connection = httpCrmConnector.create(
      { baseUrl: crm.url, urlTemplate: '/crm/v3/objects/companies/search?domain={{domain}}', resultPath: 'results.0', mapping: MAPPING, allowHosts: ['127.0.0.1'] },
      { connection: 'crm', log: () => undefined },
    );
    connections.push(connection);
    const now = (): Date => new Date((clock.t += 1));
    const jobs = new EnrichmentJobStore(db);
    const enricher = new CustomerEnricher({ connection, connectionName: 'crm', jobs, timeoutMs, now, random: () => 0.5, retry: { baseDelayMs: MINUTE, maxDelayMs: 8 * MINUTE, maxAttempts: 4 } });
    const tickets = new TicketService({ db, decide: ruleSetDecide(() => ruleSet), now, customerFacts: enricher.provide });
    const retrierOptions: EnrichmentRetrierOptions = { db, enricher, jobs, tickets, now, random: () => 0.5, orphanGraceMs: 10 * MINUTE };
    return { tickets, enricher, jobs, retrier: new EnrichmentRetrier(retrierOptions), retrierOptions };
  }

  /** `timeoutMs` matters only against the slow CRM, which holds every request until released. */
  async function setup(timeoutMs?: number) {
    const db = await harness.open();
    const clock = { t: START };
    return { db, clock, ...processOver(db, clock, timeoutMs) };
  }

  it('asks the provider once per new ticket, sender first, before the transaction; never for a re-delivery or when the caller brings facts', async () => {
    const db = await harness.open();
    const requests: CustomerFactsRequest[] = [];
    const tickets = new TicketService({
      db,
      decide: ruleSetDecide(() => ruleSet),
      customerFacts: async (request) => {
        requests.push(request);
        // Outside the transaction: the ticket is not there yet, and the store is free to use.
        expect(await db('tickets').where({ id: request.ticketId }).first()).toBeUndefined();
        return { segment: 'enterprise', enrichment: 'ok' };
      },
    });
    await tickets.createTicket({ ...invoice('Ola <ola@alfa.pl>'), customer: { phone: '+48 600 100 200' } });
    const input = invoice('jan@alfa.pl');
    const { ticket } = await tickets.createTicket(input);
    expect(ticket.priority).toBe('P2');
    expect(requests[1]).toMatchObject({ ticketId: ticket.id, customer: { id: ticket.customerId } });
    // This sender's identities first, then the customer's others (known from the first ticket).
    expect(requests[1]?.identities).toEqual([
      { kind: 'email', value: 'jan@alfa.pl' },
      { kind: 'domain', value: 'alfa.pl' },
      { kind: 'email', value: 'ola@alfa.pl' },
      { kind: 'phone', value: '+48600100200' },
    ]);
    await tickets.createTicket(input);
    await tickets.createTicket({ ...invoice('jan@alfa.pl'), customerFacts: { segment: 'standard' } });
    await tickets.createTicket({ source: 'api', externalId: 'no-customer', subject: 'Faktura' });
    expect(requests).toHaveLength(2);
  });

  it('applies the CRM facts when the CRM answers: an active SLA contract makes the ticket P1', async () => {
    const { tickets, jobs } = await setup();
    const before = crm.requests.length;
    const { ticket, decision } = await tickets.createTicket(invoice('anna@alfa.pl'));
    expect(ticket).toMatchObject({ priority: 'P1', category: 'invoice' });
    expect(ticket.tags).toContain('sla-contract');
    expect(decision?.firedRules).toContain('priority-sla-contract');
    expect(crm.requests.slice(before).map((r) => r.url)).toEqual(['/crm/v3/objects/companies/search?domain=alfa.pl']);
    expect(await jobs.list()).toEqual([]);

    // Another sender of the same company: the same question (by domain), answered from the cache.
    const second = await tickets.createTicket(invoice('jan@alfa.pl'));
    expect(second.ticket.priority).toBe('P1');
    expect(crm.requests.length - before).toBe(1);
  });

  it('asks nothing for a free-mail sender without a domain, and marks a customer the CRM does not know', async () => {
    const { tickets, jobs } = await setup();
    const before = crm.requests.length;
    expect((await tickets.createTicket(invoice('someone@gmail.com'))).ticket.priority).toBe('P3');
    expect(crm.requests.length).toBe(before);
    const unknown = await tickets.createTicket(invoice('jan@nobody.pl'));
    expect(unknown.ticket.priority).toBe('P3');
    expect(crm.requests.length).toBe(before + 1);
    expect(await jobs.list()).toEqual([]);
  });

  it.each<Exclude<CrmMode, 'ok'>>(['slow', 'down', 'garbage', 'error'])(
    'creates the ticket when the CRM is %s, marks it unavailable, and applies the facts through ticket.enriched once the retry succeeds',
    async (mode) => {
      const { tickets, jobs, retrier, clock, db } = await setup(mode === 'slow' ? 100 : undefined);
      await crm.setMode(mode);
      const { ticket, created } = await tickets.createTicket(invoice('anna@alfa.pl'));
      expect(created).toBe(true);
      expect(ticket.priority).toBe('P3');
      expect(ticket.tags).not.toContain('sla-contract');
      const [job] = await jobs.list();
      expect(job).toMatchObject({ ticketId: ticket.id, state: 'pending', attempts: 1, lookup: { email: 'anna@alfa.pl', domain: 'alfa.pl' } });
      const expected: Record<typeof mode, RegExp> = { slow: /^TRIAGE_CRM_TIMEOUT/, down: /^TRIAGE_CONNECTOR_NETWORK.*ECONNREFUSED/, garbage: /^TRIAGE_CRM_BAD_RESPONSE/, error: /^TRIAGE_CONNECTOR_UNAVAILABLE/ };
      expect(job?.lastError).toMatch(expected[mode]);
      crm.release();

      // Not due yet: nothing runs.
      expect(await retrier.runDueJobs()).toMatchObject({ claimed: 0 });

      await crm.setMode('ok');
      clock.t += MINUTE;
      expect(await retrier.runDueJobs()).toEqual({ claimed: 1, enriched: 1, rescheduled: 0, failed: 0, dropped: 0 });
      const details = await tickets.getTicket(ticket.id);
      expect(details.ticket.priority).toBe('P1');
      expect(details.ticket.tags).toContain('sla-contract');
      const enriched = details.decisions.find((d) => d.event === 'ticket.enriched');
      expect(enriched?.decision.firedRules).toEqual(['priority-sla-contract']);
      expect(details.audit).toContainEqual(expect.objectContaining({ event: 'ticket.enriched', action: 'field.set', field: 'priority', oldValue: 'P3', newValue: 'P1', actorId: 'priority-sla-contract' }));
      expect(await jobs.list()).toEqual([]);
      // The CRM's answer is not stored: only what the rules decided.
      expect(JSON.stringify(await db('customers').select())).not.toContain('gold');
    },
  );

  it('survives a restart: a new process picks the job up from the table', async () => {
    const { db, clock, tickets, jobs } = await setup();
    await crm.setMode('down');
    const { ticket } = await tickets.createTicket(invoice('anna@alfa.pl'));
    await crm.setMode('ok');
    clock.t += MINUTE;
    const restarted = processOver(db, clock);
    expect(await restarted.retrier.runDueJobs()).toMatchObject({ claimed: 1, enriched: 1 });
    expect((await restarted.tickets.getTicket(ticket.id)).ticket.priority).toBe('P1');
    expect(await jobs.list()).toEqual([]);
  });

  it('backs off while the CRM stays down, gives up after the last attempt, and can be revived', async () => {
    const { tickets, jobs, retrier, clock } = await setup();
    await crm.setMode('down');
    const { ticket } = await tickets.createTicket(invoice('anna@alfa.pl'));
    const dueTimes: string[] = [];
    for (const wait of [1, 2, 4]) {
      clock.t += wait * MINUTE;
      const summary = await retrier.runDueJobs();
      const job = await jobs.get(ticket.id);
      dueTimes.push(job?.nextAttemptAt ?? '');
      expect(summary).toMatchObject(wait === 4 ? { claimed: 1, failed: 1 } : { claimed: 1, rescheduled: 1 });
    }
    // 1 min, then 2, then 4 between attempts (random fixed at the middle of the jitter).
    const gaps = dueTimes.slice(0, 2).map((t, i) => Date.parse(t) - (START + [1, 3][i]! * MINUTE));
    expect(gaps.map((g) => Math.round(g / MINUTE))).toEqual([2, 4]);
    expect(await jobs.get(ticket.id)).toMatchObject({ state: 'failed', attempts: 4, lastError: expect.stringMatching(/ECONNREFUSED/) as unknown });
    clock.t += 60 * MINUTE;
    expect(await retrier.runDueJobs()).toMatchObject({ claimed: 0 });

    await crm.setMode('ok');
    expect(await jobs.retry(ticket.id, new Date(clock.t).toISOString())).toBe(true);
    expect(await retrier.runDueJobs()).toMatchObject({ claimed: 1, enriched: 1 });
    expect((await tickets.getTicket(ticket.id)).ticket.priority).toBe('P1');
  });

  it('evaluates ticket.enriched with enrichment "not-found" when the CRM answers late that it does not know the customer', async () => {
    const { tickets, jobs, retrier, clock } = await setup();
    await crm.setMode('error');
    const { ticket } = await tickets.createTicket(invoice('jan@nobody.pl'));
    await crm.setMode('ok');
    clock.t += MINUTE;
    expect(await retrier.runDueJobs()).toMatchObject({ enriched: 1 });
    const details = await tickets.getTicket(ticket.id);
    expect(details.decisions.find((d) => d.event === 'ticket.enriched')?.decision.firedRules).toEqual([]);
    expect(details.ticket.priority).toBe('P3');
    expect(await jobs.list()).toEqual([]);
  });

  it('waits for a ticket that is not stored yet, and drops the job of one that never was', async () => {
    const { jobs, retrier, clock } = await setup();
    await jobs.enqueue('no-such-ticket', { domain: 'alfa.pl' }, new Date(clock.t).toISOString(), new Date(clock.t).toISOString(), 'test');
    clock.t += MINUTE;
    expect(await retrier.runDueJobs()).toMatchObject({ claimed: 1, rescheduled: 1 });
    expect(await jobs.get('no-such-ticket')).toMatchObject({ state: 'pending', lastError: 'the ticket is not stored (yet)' });
    clock.t += 10 * MINUTE;
    expect(await retrier.runDueJobs()).toMatchObject({ claimed: 1, dropped: 1 });
    expect(await jobs.list()).toEqual([]);
  });

  it('claims each job once when two processes run at the same time', async () => {
    const { db, clock, tickets, jobs, retrier } = await setup();
    await crm.setMode('down');
    await tickets.createTicket(invoice('anna@alfa.pl'));
    await tickets.createTicket(invoice('ola@alfa.pl'));
    await crm.setMode('ok');
    clock.t += MINUTE;
    const other = processOver(db, clock);
    const [a, b] = await Promise.all([retrier.runDueJobs(), other.retrier.runDueJobs()]);
    expect(a.claimed + b.claimed).toBe(2);
    expect(a.enriched + b.enriched).toBe(2);
    expect(await jobs.list()).toEqual([]);
  });

  it('runs in the background once started, and close() stops it', async () => {
    const { tickets, jobs, retrierOptions, clock } = await setup();
    await crm.setMode('down');
    const { ticket } = await tickets.createTicket(invoice('anna@alfa.pl'));
    await crm.setMode('ok');
    clock.t += MINUTE;
    const poller = new EnrichmentRetrier({ ...retrierOptions, pollMs: 10 });
    poller.start();
    while ((await jobs.list()).length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await poller.close();
    expect((await tickets.getTicket(ticket.id)).ticket.priority).toBe('P1');
  });
});
