import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpCrmConnector } from '../../connectors/http-crm/http-crm-connector.js';
import type { ConnectorInstance } from '../../connectors/lib/connector.js';
import { startCrmServer, type CrmServer } from '../../test/fakes/crm-server.js';
import { expectCode } from '../../test/helpers/expect-code.js';
import type { CustomerFactsRequest } from '../tickets/customer-facts-provider.js';
import { CustomerEnricher, type CustomerEnricherOptions } from './customer-enricher.js';

const ACME = {
  id: '901',
  domains: ['acme.pl'],
  properties: { name: 'Acme', segment: 'enterprise', sla_active: 'true' },
};

const MAPPING = { name: 'properties.name', segment: 'properties.segment', contract: { active: { path: 'properties.sla_active', type: 'boolean' } } };

function request(domain: string, extra: Partial<CustomerFactsRequest> = {}): CustomerFactsRequest {
  return {
    ticketId: 't-1',
    customer: { id: 'c-1', name: null, segment: null, data: {}, createdAt: '2025-03-03T08:00:00.000Z', identities: [] },
    identities: [{ kind: 'email', value: `jan@${domain}` }, { kind: 'domain', value: domain }],
    now: '2025-03-03T08:00:00.000Z',
    ...extra,
  };
}

describe('CustomerEnricher', () => {
  let crm: CrmServer;
  let clock: number;
  const instances: ConnectorInstance[] = [];

  const enricher = (options: Partial<CustomerEnricherOptions> = {}): CustomerEnricher => {
    const connection = httpCrmConnector.create(
      { baseUrl: crm.url, urlTemplate: '/crm/v3/objects/companies/search?domain={{domain}}', resultPath: 'results.0', mapping: MAPPING, allowHosts: ['127.0.0.1'] },
      { connection: 'crm', log: () => undefined },
    );
    instances.push(connection);
    // A long timeout unless the test is about it: a loaded machine must not turn "ok" into "unavailable".
    return new CustomerEnricher({ connection, connectionName: 'crm', timeoutMs: 10_000, now: () => new Date(clock), ...options });
  };
  const requestsSince = (before: number): number => crm.requests.length - before;

  beforeAll(async () => {
    crm = await startCrmServer({ companies: [ACME] });
  });
  afterEach(async () => {
    crm.release();
    await crm.setMode('ok');
    for (const i of instances.splice(0)) await i.close?.();
  });
  afterAll(async () => {
    await crm.close();
  });
  clock = Date.parse('2025-03-03T08:00:00.000Z');

  it('adds the CRM facts and enrichment "ok" for a known customer, "not-found" for an unknown one', async () => {
    const e = enricher();
    expect(await e.provide(request('acme.pl'))).toEqual({ name: 'Acme', segment: 'enterprise', contract: { active: true }, enrichment: 'ok' });
    expect(await e.provide(request('nobody.pl'))).toEqual({ enrichment: 'not-found' });
  });

  it('does not ask without an e-mail, phone or domain', async () => {
    const before = crm.requests.length;
    expect(await enricher().provide(request('acme.pl', { identities: [] }))).toBeUndefined();
    expect(requestsSince(before)).toBe(0);
  });

  it('answers from the cache within the TTL (a second ticket costs no CRM call), and asks again after it', async () => {
    const e = enricher({ ttlMs: 60_000 });
    const before = crm.requests.length;
    await e.provide(request('acme.pl'));
    const second = await e.lookup({ email: 'jan@acme.pl', domain: 'acme.pl', customerId: 'c-1' });
    expect(second).toMatchObject({ status: 'ok', cached: true });
    expect(requestsSince(before)).toBe(1);
    clock += 60_000;
    expect(await e.lookup({ email: 'jan@acme.pl', domain: 'acme.pl', customerId: 'c-1' })).toMatchObject({ status: 'ok', cached: false });
    expect(requestsSince(before)).toBe(2);
  });

  it('caches "not found" for the negative TTL, and never caches a failure', async () => {
    const e = enricher({ negativeTtlMs: 10_000 });
    const before = crm.requests.length;
    await e.provide(request('nobody.pl'));
    expect(await e.lookup({ email: 'jan@nobody.pl', domain: 'nobody.pl', customerId: 'c-1' })).toMatchObject({ status: 'not-found', cached: true });
    clock += 10_000;
    await e.provide(request('nobody.pl'));
    expect(requestsSince(before)).toBe(2);

    await crm.setMode('error');
    expect(await e.provide(request('acme.pl'))).toEqual({ enrichment: 'unavailable' });
    await crm.setMode('ok');
    expect(await e.provide(request('acme.pl'))).toMatchObject({ enrichment: 'ok' });
  });

  it('hands every caller its own copy of a cached answer', async () => {
    const e = enricher();
    const first = (await e.provide(request('acme.pl'))) as { contract: { active: boolean } };
    first.contract.active = false;
    expect(await e.provide(request('acme.pl'))).toMatchObject({ contract: { active: true } });
  });

  it('asks the CRM once for concurrent lookups of the same customer (single flight)', async () => {
    const e = enricher();
    await crm.setMode('slow');
    const before = crm.requests.length;
    const answers = Promise.all([e.provide(request('acme.pl')), e.provide(request('acme.pl')), e.provide(request('acme.pl'))]);
    await crm.waitForRequests(before + 1);
    crm.release();
    expect(await answers).toEqual([1, 2, 3].map(() => expect.objectContaining({ enrichment: 'ok', name: 'Acme' })));
    expect(requestsSince(before)).toBe(1);
  });

  it.each(['slow', 'down', 'garbage', 'error'] as const)('marks the customer unavailable when the CRM is %s', async (mode) => {
    const logs: unknown[] = [];
    const e = enricher({ timeoutMs: mode === 'slow' ? 50 : 10_000, log: (level, message, data) => logs.push({ level, message, data }) });
    await crm.setMode(mode);
    expect(await e.provide(request('acme.pl'))).toEqual({ enrichment: 'unavailable' });
    const code = { slow: 'TRIAGE_CRM_TIMEOUT', down: 'TRIAGE_CONNECTOR_NETWORK', garbage: 'TRIAGE_CRM_BAD_RESPONSE', error: 'TRIAGE_CONNECTOR_UNAVAILABLE' }[mode];
    expect(logs).toEqual([{ level: 'warn', message: 'CRM lookup failed; the ticket is created without it and the lookup is retried', data: expect.objectContaining({ code, ticketId: 't-1' }) as unknown }]);
  });

  it('bounds the wait even for a connector that ignores its abort signal', async () => {
    const hanging: ConnectorInstance = { test: () => Promise.resolve({ ok: true, detail: '' }), lookupCustomer: () => new Promise(() => undefined) };
    const e = new CustomerEnricher({ connection: hanging, connectionName: 'stuck', timeoutMs: 20 });
    expect(await e.lookup({ domain: 'acme.pl' })).toEqual({ status: 'unavailable', code: 'TRIAGE_CRM_TIMEOUT', message: 'CRM connection "stuck" did not answer within 20 ms' });
  });

  it('strips the enrichment field and object internals a connector might return, and treats a non-object as a bad response', async () => {
    const answers: unknown[] = [JSON.parse('{"name": "X", "enrichment": "fake", "__proto__": {"p": 1}}'), 'garbage'];
    const odd: ConnectorInstance = { test: () => Promise.resolve({ ok: true, detail: '' }), lookupCustomer: () => Promise.resolve(answers.shift() as Record<string, unknown>) };
    const e = new CustomerEnricher({ connection: odd, connectionName: 'odd' });
    expect(await e.provide(request('a.pl'))).toEqual({ name: 'X', enrichment: 'ok' });
    expect(await e.lookup({ domain: 'b.pl' })).toMatchObject({ status: 'unavailable', code: 'TRIAGE_CRM_BAD_RESPONSE' });
  });

  it('refuses a connection that is not a facts connector', async () => {
    await expectCode(
      Promise.resolve().then(() => new CustomerEnricher({ connection: { test: () => Promise.resolve({ ok: true, detail: '' }) }, connectionName: 'slack' })),
      'TRIAGE_ENRICHMENT_CONNECTION',
    );
  });
});
