import type { ConnectorDefinition } from '../lib/connector.js';
import { HTTP_SETTINGS_PROPERTIES, httpSettingsProblems, httpTransportOptions, type HttpSettings } from '../lib/http-settings.js';
import { createHttpTransport } from '../lib/http-transport.js';
import { TriageError } from '../../engine/errors/triage-error.js';
import { compileCustomerMapping, identityMapping, type CompiledCustomerMapping } from '../../engine/enrichment/customer-mapping.js';
import { CUSTOMER_MAPPING_SCHEMA } from '../../engine/enrichment/customer-mapping-schema.js';
import { HttpCrm } from './http-crm.js';
import { compileUrlTemplate, URL_PLACEHOLDERS, type CompiledUrlTemplate } from './url-template.js';

/**
 * `http-crm`: the `customer` fact from a CRM's HTTP API, e.g. HubSpot
 * (docs/enrichment.md):
 *
 *   connections:
 *     crm:
 *       connector: http-crm
 *       baseUrl: https://api.hubapi.com
 *       urlTemplate: /crm/v3/objects/companies/search?domain={{domain}}
 *       token: ${env:CRM_TOKEN}            # sent as Authorization: Bearer <token>
 *       resultPath: results.0
 *       mapping: { name: properties.name, vip: { path: properties.vip, type: boolean } }
 */
export const httpCrmConnector: ConnectorDefinition = {
  name: 'http-crm',
  kind: 'facts',
  summary: 'Customer facts from a CRM HTTP API (URL template + JSON field mapping), e.g. HubSpot',
  credentials: {
    type: 'object',
    additionalProperties: false,
    required: ['baseUrl', 'urlTemplate'],
    properties: {
      baseUrl: { type: 'string', pattern: '^https?://', description: 'The CRM API root; lookups may not leave it.' },
      urlTemplate: {
        description: `Lookup path and query relative to baseUrl with ${URL_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}; a list is tried in order and the first one the ticket has every value for is used.`,
        oneOf: [
          { type: 'string', minLength: 1 },
          { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        ],
      },
      token: { type: 'string', minLength: 1, 'x-sensitive': true, description: 'API token as ${env:NAME}; sent as `<authHeader>: <authScheme> <token>` (Authorization: Bearer … by default).' },
      authHeader: { type: 'string', minLength: 1, default: 'Authorization', description: 'Header that carries the token.' },
      authScheme: { type: 'string', default: 'Bearer', description: 'Put before the token; "" sends the token alone (e.g. with authHeader: X-Api-Key).' },
      headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra request headers that are not secret (e.g. a tenant id).' },
      secretHeaders: {
        type: 'object',
        additionalProperties: { type: 'string', minLength: 1, 'x-sensitive': true },
        description: 'Request headers whose values are secrets, each a ${env:NAME} reference; never logged.',
      },
      resultPath: { type: 'string', default: '', description: 'Dotted path from the JSON answer to the customer record, e.g. results.0; empty: the answer itself.' },
      mapping: CUSTOMER_MAPPING_SCHEMA,
      notFoundStatuses: { type: 'array', items: { type: 'integer', minimum: 400, maximum: 499 }, default: [404], description: 'Statuses meaning "no such customer".' },
      testUrl: { type: 'string', minLength: 1, description: 'Request for `triage connectors test` (default: a lookup of a customer that cannot exist).' },
      ...HTTP_SETTINGS_PROPERTIES,
    },
  },
  operations: [],
  validateSettings(settings) {
    const problems = httpSettingsProblems(settings);
    try {
      compileSettings(settings);
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
    return problems;
  },
  create(settings, context) {
    let compiled: { templates: CompiledUrlTemplate[]; mapping: CompiledCustomerMapping };
    try {
      compiled = compileSettings(settings);
    } catch (e) {
      throw new TriageError('TRIAGE_CRM_SETTINGS_INVALID', [context.connection, e instanceof Error ? e.message : String(e)]);
    }
    const headers: Record<string, string> = { ...stringMap(settings.headers) };
    const secretHeaders = stringMap(settings.secretHeaders);
    Object.assign(headers, secretHeaders);
    const secrets = Object.values(secretHeaders);
    if (typeof settings.token === 'string' && settings.token !== '') {
      const header = typeof settings.authHeader === 'string' && settings.authHeader !== '' ? settings.authHeader : 'Authorization';
      const scheme = typeof settings.authScheme === 'string' ? settings.authScheme : 'Bearer';
      headers[header] = scheme === '' ? settings.token : `${scheme} ${settings.token}`;
      secrets.push(settings.token);
    }
    const label = `CRM "${context.connection}"`;
    const transport = createHttpTransport({
      ...httpTransportOptions(settings as HttpSettings, context, label),
      baseUrl: settings.baseUrl as string,
      headers,
      secrets,
      authHint: `Check the token of connection "${context.connection}" in connections.yaml and the environment variable it references; the ticket stays unenriched until the CRM accepts it.`,
    });
    const notFound = Array.isArray(settings.notFoundStatuses) ? settings.notFoundStatuses.filter((s): s is number => typeof s === 'number') : [404];
    return new HttpCrm(
      {
        transport,
        templates: compiled.templates,
        resultPath: typeof settings.resultPath === 'string' ? settings.resultPath : '',
        mapping: compiled.mapping,
        notFoundStatuses: notFound,
        testUrl: typeof settings.testUrl === 'string' ? settings.testUrl : undefined,
      },
      context,
    );
  },
};

/** URL templates and the field mapping, checked; throws an Error naming the problem. */
function compileSettings(settings: Record<string, unknown>): { templates: CompiledUrlTemplate[]; mapping: CompiledCustomerMapping } {
  if (typeof settings.baseUrl !== 'string' || !/^https?:\/\//.test(settings.baseUrl)) throw new Error('baseUrl must be an http(s) URL');
  const raw = Array.isArray(settings.urlTemplate) ? settings.urlTemplate : [settings.urlTemplate];
  const templates = raw.map((t) => {
    if (typeof t !== 'string' || t === '') throw new Error('urlTemplate must be a path (or a list of paths)');
    return compileUrlTemplate(t);
  });
  try {
    return { templates, mapping: settings.mapping === undefined ? identityMapping() : compileCustomerMapping(settings.mapping) };
  } catch (e) {
    throw new Error(`mapping: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}
