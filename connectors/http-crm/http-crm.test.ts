import { Ajv } from 'ajv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorContext, ConnectorInstance, CustomerLookup } from '../lib/connector.js';
import { ConnectorError } from '../lib/connector-error.js';
import { expectCode } from '../../test/helpers/expect-code.js';
import { startCrmServer, type CrmServer, HUBSPOT_LIKE_MAPPING } from '../../test/fakes/crm-server.js';
import { httpCrmConnector } from './http-crm-connector.js';

const TOKEN = 'crm-test-token-1234';

const MAPPING = HUBSPOT_LIKE_MAPPING;

const ACME = {
  id: '901',
  domains: ['acme.pl'],
  emails: ['ceo@acme.pl'],
  properties: { name: 'Acme', segment: 'enterprise', vip: 'true', arr_share: '0.12', owner: { name: 'Anna Nowak' }, sla_active: 'true', sla_level: 'gold', products: 'erp;crm' },
};

describe('http-crm connector against a loopback CRM', () => {
  let crm: CrmServer;
  let logs: { level: string; message: string; data?: Record<string, unknown> }[];
  const instances: ConnectorInstance[] = [];
  const context = (): ConnectorContext => ({ connection: 'crm', log: (level, message, data) => logs.push({ level, message, ...(data === undefined ? {} : { data }) }) });
  const create = (settings: Record<string, unknown> = {}): ConnectorInstance => {
    const instance = httpCrmConnector.create(
      { baseUrl: crm.url, urlTemplate: '/crm/v3/objects/companies/search?domain={{domain}}', token: TOKEN, resultPath: 'results.0', mapping: MAPPING, allowHosts: ['127.0.0.1'], ...settings },
      context(),
    );
    instances.push(instance);
    return instance;
  };
  const lookup = (instance: ConnectorInstance, query: CustomerLookup): Promise<unknown> => {
    if (instance.lookupCustomer === undefined) throw new Error('not a facts connector');
    return instance.lookupCustomer(query, new AbortController().signal);
  };
  const failure = async (promise: Promise<unknown>): Promise<ConnectorError> => {
    try {
      await promise;
    } catch (e) {
      if (e instanceof ConnectorError) return e;
      throw e;
    }
    throw new Error('expected the lookup to fail');
  };

  beforeAll(async () => {
    crm = await startCrmServer({ companies: [ACME], token: TOKEN });
  });
  afterEach(async () => {
    for (const i of instances.splice(0)) await i.close?.();
    await crm.setMode('ok');
    logs = [];
  });
  afterAll(async () => {
    await crm.close();
  });
  logs = [];

  it('declares a facts connector whose settings schema compiles and marks the token sensitive', () => {
    expect(httpCrmConnector).toMatchObject({ name: 'http-crm', kind: 'facts', operations: [] });
    const validate = new Ajv({ strict: false, useDefaults: true }).compile(httpCrmConnector.credentials);
    const settings: Record<string, unknown> = { baseUrl: 'https://api.hubapi.com', urlTemplate: ['/a?email={{email}}', '/b?domain={{domain}}'], mapping: MAPPING, token: '${env:CRM_TOKEN}' };
    expect(validate(settings), JSON.stringify(validate.errors)).toBe(true);
    expect(settings).toMatchObject({ resultPath: '', notFoundStatuses: [404], authScheme: 'Bearer' });
    expect(validate({ baseUrl: 'ftp://x', urlTemplate: '/x?d={{domain}}' })).toBe(false);
    expect(validate({ baseUrl: 'https://x', urlTemplate: '/x', mapping: { vip: 3 } })).toBe(false);
    expect((httpCrmConnector.credentials.properties as Record<string, Record<string, unknown>>).token?.['x-sensitive']).toBe(true);
  });

  it('looks the customer up with the bearer token and maps the answer to a typed customer fact', async () => {
    const before = crm.requests.length;
    expect(await lookup(create(), { email: 'jan@acme.pl', domain: 'acme.pl', customerId: 'c-1' })).toEqual({
      name: 'Acme',
      segment: 'enterprise',
      vip: true,
      arrShare: 0.12,
      accountManager: 'Anna Nowak',
      contract: { active: true, level: 'gold' },
      products: ['erp', 'crm'],
    });
    const request = crm.requests[before];
    expect(request?.url).toBe('/crm/v3/objects/companies/search?domain=acme.pl');
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('is "unknown customer" for an empty result, a not-found status, or a lookup no template fits', async () => {
    expect(await lookup(create(), { domain: 'nobody.pl' })).toBeUndefined();
    const byPath = create({ urlTemplate: '/crm/v3/objects/companies/by-domain/{{domain}}', resultPath: '' });
    expect(await lookup(byPath, { domain: 'nobody.pl' })).toBeUndefined();
    expect(await lookup(byPath, { domain: 'acme.pl' })).toMatchObject({ name: 'Acme' });
    const before = crm.requests.length;
    expect(await lookup(create(), { email: 'jan@gmail.com' })).toBeUndefined();
    expect(crm.requests.length).toBe(before);
  });

  it('uses the first template the lookup has every value for, URL-encoding the values', async () => {
    const instance = create({ urlTemplate: ['/crm/v3/objects/companies/search?email={{email}}', '/crm/v3/objects/companies/search?domain={{domain}}'] });
    const before = crm.requests.length;
    expect(await lookup(instance, { email: 'CEO@acme.pl' })).toMatchObject({ name: 'Acme' });
    expect(await lookup(instance, { domain: 'acme.pl' })).toMatchObject({ name: 'Acme' });
    await lookup(instance, { email: 'a+b&c=d@x.pl' });
    expect(crm.requests.slice(before).map((r) => r.url)).toEqual([
      '/crm/v3/objects/companies/search?email=CEO%40acme.pl',
      '/crm/v3/objects/companies/search?domain=acme.pl',
      '/crm/v3/objects/companies/search?email=a%2Bb%26c%3Dd%40x.pl',
    ]);
  });

  it('leaves out fields that do not fit their type and reports them', async () => {
    crm.upsert({ id: '902', domains: ['odd.pl'], properties: { name: 'Odd', vip: 'maybe', arr_share: 'n/a' } });
    expect(await lookup(create(), { domain: 'odd.pl' })).toEqual({ name: 'Odd' });
    expect(logs).toContainEqual({ level: 'warn', message: 'CRM fields did not fit their declared type and were left out', data: { connection: 'crm', problems: ['vip: "maybe" is not a boolean', 'arrShare: "n/a" is not a number'] } });
  });

  it('maps garbage, 500, a refused connection, a wrong token and a record that is no object to coded errors', async () => {
    await crm.setMode('garbage');
    expect(await failure(lookup(create(), { domain: 'acme.pl' }))).toMatchObject({ code: 'TRIAGE_CRM_BAD_RESPONSE', retryable: true, message: 'CRM connection "crm" returned an unusable response: 200 with a body that is not JSON' });
    await crm.setMode('error');
    expect(await failure(lookup(create(), { domain: 'acme.pl' }))).toMatchObject({ code: 'TRIAGE_CONNECTOR_UNAVAILABLE', retryable: true, status: 500 });
    await crm.setMode('down');
    expect(await failure(lookup(create(), { domain: 'acme.pl' }))).toMatchObject({ code: 'TRIAGE_CONNECTOR_NETWORK', retryable: true, message: expect.stringContaining('ECONNREFUSED') as unknown });
    await crm.setMode('ok');
    const wrongToken = await failure(lookup(create({ token: 'not-the-token' }), { domain: 'acme.pl' }));
    expect(wrongToken).toMatchObject({ code: 'TRIAGE_CONNECTOR_AUTH', retryable: false });
    expect(wrongToken.hint).toMatch(/token of connection "crm"/);
    expect(await failure(lookup(create({ resultPath: 'results' }), { domain: 'acme.pl' }))).toMatchObject({ code: 'TRIAGE_CRM_BAD_RESPONSE', message: expect.stringContaining('results is a list') as unknown });
  });

  it('gives up when the caller aborts (the enrichment timeout), even while the CRM holds the request', async () => {
    await crm.setMode('slow');
    const instance = create();
    const controller = new AbortController();
    const before = crm.requests.length;
    const pending = instance.lookupCustomer?.({ domain: 'acme.pl' }, controller.signal);
    await crm.waitForRequests(before + 1);
    controller.abort();
    expect(await failure(pending ?? Promise.resolve())).toMatchObject({ code: 'TRIAGE_CONNECTOR_NETWORK', message: expect.stringContaining('cancelled') as unknown });
  });

  it('sends the token and secret headers as configured, and refuses the loopback CRM unless allow-listed', async () => {
    const before = crm.requests.length;
    await lookup(create({ token: TOKEN, authHeader: 'X-Api-Key', authScheme: '', secretHeaders: { 'X-Signature': 's3cr3t-value' }, headers: { 'X-Tenant': 'acme' } }), { domain: 'acme.pl' }).catch(() => undefined);
    expect(crm.requests[before]?.headers).toMatchObject({ 'x-api-key': TOKEN, 'x-signature': 's3cr3t-value', 'x-tenant': 'acme' });
    expect(await failure(lookup(create({ allowHosts: undefined }), { domain: 'acme.pl' }))).toMatchObject({ code: 'TRIAGE_CONNECTOR_BLOCKED_TARGET' });
  });

  it('test() checks reachability and credentials with a lookup of a customer that cannot exist', async () => {
    expect(await create().test()).toEqual({ ok: true, detail: 'GET answered 200 (a lookup of an unknown customer)' });
    expect(await create({ urlTemplate: '/crm/v3/objects/companies/by-domain/{{domain}}' }).test()).toMatchObject({ ok: true, detail: expect.stringContaining('404') as unknown });
    const refused = await create({ token: 'wrong-token-123' }).test();
    expect(refused.ok).toBe(false);
    expect(refused.detail).toMatch(/refused the credentials/);
    expect(refused.detail).not.toContain('wrong-token-123');
    await crm.setMode('garbage');
    expect(await create().test()).toMatchObject({ ok: false, detail: 'GET answered 200 with a body that is not JSON' });
  });

  it('refuses settings it cannot use, at load (validateSettings) and at create', async () => {
    expect(httpCrmConnector.validateSettings?.({ baseUrl: 'https://x', urlTemplate: '/x?d={{domian}}' })).toEqual([expect.stringContaining('uses {{domian}}')]);
    expect(httpCrmConnector.validateSettings?.({ baseUrl: 'https://x', urlTemplate: '/x' })).toEqual([expect.stringContaining('has no placeholder')]);
    expect(httpCrmConnector.validateSettings?.({ baseUrl: 'https://x', urlTemplate: '/x?d={{domain}' })).toEqual([expect.stringContaining('unclosed placeholder')]);
    expect(httpCrmConnector.validateSettings?.({ baseUrl: 'https://x', urlTemplate: '/x?d={{domain}}', mapping: {} })).toEqual(['mapping: is empty; leave it out to take the record as it is']);
    expect(httpCrmConnector.validateSettings?.({ baseUrl: 'https://x', urlTemplate: '/x?d={{domain}}', mapping: { enrichment: 'a' } })).toEqual([expect.stringMatching(/^mapping: "enrichment" is set by triage itself/)]);
    expect(httpCrmConnector.validateSettings?.({ baseUrl: 'https://x', urlTemplate: '/x?d={{domain}}', allowHosts: ['not a host!'] })).toHaveLength(1);
    expect(httpCrmConnector.validateSettings?.({ baseUrl: 'https://x', urlTemplate: '/x?d={{domain}}' })).toEqual([]);
    await expectCode(Promise.resolve().then(() => create({ urlTemplate: '/x' })), 'TRIAGE_CRM_SETTINGS_INVALID');
    await expectCode(Promise.resolve().then(() => create({ baseUrl: 'crm.local' })), 'TRIAGE_CRM_SETTINGS_INVALID');
  });
});
