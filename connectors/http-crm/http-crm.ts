import type { ConnectorContext, ConnectorInstance, ConnectorTestResult, CustomerLookup } from '../lib/connector.js';
import { createConnectorError, isConnectorError } from '../lib/connector-error.js';
import type { HttpTransport } from '../lib/http-transport.js';
import { resolvePath } from '../../rules/lib/dotted-path.js';
import type { FactObject } from '../../rules/lib/rule-types.js';
import type { CompiledCustomerMapping } from '../../engine/enrichment/customer-mapping.js';
import { renderFirst, type CompiledUrlTemplate } from './url-template.js';

export interface HttpCrmOptions {
  transport: HttpTransport;
  templates: readonly CompiledUrlTemplate[];
  /** Dotted path from the response body to the customer record, e.g. `results.0`; '' = the body. */
  resultPath: string;
  mapping: CompiledCustomerMapping;
  /** Statuses that mean "the CRM does not know this customer" (default 404). */
  notFoundStatuses: readonly number[];
  /** Request for test(); default: a lookup of a customer that cannot exist. */
  testUrl: string | undefined;
}

/** A query no CRM can match, for test(): reachable and authorized is what it checks. */
const TEST_QUERY: CustomerLookup = {
  email: 'triage-connection-test@example.invalid',
  phone: '+00000000000',
  domain: 'example.invalid',
  customerId: 'triage-connection-test',
  externalId: 'triage-connection-test',
};

/**
 * A CRM over HTTP (R8): one GET per lookup, built from a URL template, the
 * customer record picked from the JSON answer and mapped to our `customer`
 * fact. HTTP policy (deadline, SSRF guard, error mapping) is the shared
 * transport's; this class only adds what a CRM answer means: a not-found
 * status or an empty result is "unknown customer", anything not JSON is a
 * retryable bad response (a proxy's error page, a truncated body).
 */
export class HttpCrm implements ConnectorInstance {
  constructor(
    private readonly options: HttpCrmOptions,
    private readonly context: ConnectorContext,
  ) {}

  async lookupCustomer(query: CustomerLookup, signal: AbortSignal): Promise<FactObject | undefined> {
    const url = renderFirst(this.options.templates, query);
    if (url === undefined) {
      this.context.log('debug', 'no urlTemplate fits the lookup; the CRM is not asked', { connection: this.context.connection, has: Object.keys(query) });
      return undefined;
    }
    const res = await this.options.transport.request({ method: 'GET', url, signal, acceptStatus: this.options.notFoundStatuses });
    if (this.options.notFoundStatuses.includes(res.status)) return undefined;
    if (typeof res.data !== 'object' || res.data === null) throw this.badResponse(`${res.status} with a body that is not JSON`);
    const record = resolvePath(res.data, this.options.resultPath || undefined);
    if (record === undefined || record === null) return undefined;
    if (typeof record !== 'object' || Array.isArray(record)) {
      throw this.badResponse(`${this.options.resultPath || 'the body'} is ${Array.isArray(record) ? 'a list' : typeof record}, not a customer object`);
    }
    const mapped = this.options.mapping.apply(record);
    if (mapped.problems.length > 0) {
      // One odd field must not cost the whole customer: it is left out and reported.
      this.context.log('warn', 'CRM fields did not fit their declared type and were left out', { connection: this.context.connection, problems: mapped.problems });
    }
    return mapped.fact;
  }

  /** The request a lookup sends: senders of one company searched by domain share one answer. */
  lookupKey(query: CustomerLookup): string {
    return renderFirst(this.options.templates, query) ?? '(no template fits)';
  }

  async test(): Promise<ConnectorTestResult> {
    const url = this.options.testUrl ?? renderFirst(this.options.templates, TEST_QUERY);
    try {
      const res = await this.options.transport.request({ method: 'GET', url, acceptStatus: this.options.notFoundStatuses });
      if (typeof res.data !== 'object' || res.data === null) return { ok: false, detail: `GET answered ${res.status} with a body that is not JSON` };
      return { ok: true, detail: `GET answered ${res.status} (a lookup of an unknown customer)` };
    } catch (e) {
      if (isConnectorError(e)) return { ok: false, detail: `${e.message}. ${e.hint}` };
      throw e;
    }
  }

  close(): Promise<void> {
    this.options.transport.close();
    return Promise.resolve();
  }

  private badResponse(why: string): Error {
    return createConnectorError('TRIAGE_CRM_BAD_RESPONSE', [this.context.connection, why], { retryable: true });
  }
}
