import type { ConnectorDefinition } from '../lib/connector.js';
import { TriageError } from '../../engine/errors/triage-error.js';
import { compileCustomerMapping, identityMapping } from '../../engine/enrichment/customer-mapping.js';
import { CUSTOMER_MAPPING_SCHEMA } from '../../engine/enrichment/customer-mapping-schema.js';
import type { CustomerFileFormat } from './customer-file.js';
import { FileCrm } from './file-crm.js';

/**
 * `file-crm`: the `customer` fact from a CSV or JSON file (docs/enrichment.md).
 *
 *   connections:
 *     crm:
 *       connector: file-crm
 *       path: ./data/customers.csv
 */
export const fileCrmConnector: ConnectorDefinition = {
  name: 'file-crm',
  kind: 'facts',
  summary: 'Customer facts from a CSV or JSON file keyed by e-mail, phone or domain, reloaded when it changes',
  credentials: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: {
      path: { type: 'string', minLength: 1, description: 'The customer file (relative paths start at the working directory).' },
      format: { enum: ['csv', 'json'], description: 'Default: csv for *.csv, json otherwise.' },
      delimiter: { type: 'string', minLength: 1, maxLength: 1, default: ',', description: 'CSV field delimiter.' },
      keys: {
        type: 'object',
        additionalProperties: false,
        description: 'Fields of a record that identify the customer (several values: an array, or "a;b" in a CSV cell).',
        properties: {
          email: { type: 'string', default: 'email' },
          phone: { type: 'string', default: 'phone' },
          domain: { type: 'string', default: 'domain' },
        },
      },
      mapping: CUSTOMER_MAPPING_SCHEMA,
      defaultCountryCode: { type: 'string', pattern: '^\\+?\\d{1,4}$', description: 'For phone numbers written without a country code, as in triage.config.yaml.' },
      watch: { type: 'boolean', default: true, description: 'Reload when the file changes.' },
      debounceMs: { type: 'integer', minimum: 0, maximum: 60000, default: 200 },
    },
  },
  operations: [],
  validateSettings(settings) {
    if (settings.mapping === undefined) return [];
    try {
      compileCustomerMapping(settings.mapping);
      return [];
    } catch (e) {
      return [`mapping: ${e instanceof Error ? e.message : String(e)}`];
    }
  },
  create(settings, context) {
    const invalid = (problem: string): TriageError => new TriageError('TRIAGE_CRM_SETTINGS_INVALID', [context.connection, problem]);
    const path = settings.path;
    if (typeof path !== 'string' || path === '') throw invalid('path must name the customer file');
    const keys = (settings.keys ?? {}) as Record<string, unknown>;
    const key = (name: 'email' | 'phone' | 'domain'): string => {
      const v = keys[name] ?? name;
      if (typeof v !== 'string' || v === '') throw invalid(`keys.${name} must be a field name`);
      return v;
    };
    let mapping;
    try {
      mapping = settings.mapping === undefined ? identityMapping() : compileCustomerMapping(settings.mapping);
    } catch (e) {
      throw invalid(`mapping: ${e instanceof Error ? e.message : String(e)}`);
    }
    return new FileCrm(
      {
        path,
        format: settings.format as CustomerFileFormat | undefined,
        delimiter: typeof settings.delimiter === 'string' ? settings.delimiter : undefined,
        keys: { email: key('email'), phone: key('phone'), domain: key('domain') },
        mapping,
        defaultCountryCode: typeof settings.defaultCountryCode === 'string' ? settings.defaultCountryCode : undefined,
        watch: settings.watch !== false,
        debounceMs: typeof settings.debounceMs === 'number' ? settings.debounceMs : undefined,
      },
      context,
    );
  },
};
