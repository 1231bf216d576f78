import type { ConnectorInstance, CustomerLookup } from '../../connectors/lib/connector.js';
import { isForbiddenKey } from '../../rules/lib/dotted-path.js';
import type { FactObject } from '../../rules/lib/rule-types.js';
import { TriageError } from '../errors/triage-error.js';
import type { CustomerFactsProvider } from '../tickets/customer-facts-provider.js';
import { lookupFor, lookupKey } from './customer-lookup.js';
import type { EnrichmentJobStore } from './enrichment-job-store.js';
import {
  CachedLookup,
  DEFAULT_LOOKUP_NEGATIVE_TTL_MS,
  DEFAULT_LOOKUP_TIMEOUT_MS,
  DEFAULT_LOOKUP_TTL_MS,
  type CachedLookupOptions,
  type CachedLookupOutcome,
} from './cached-lookup.js';

/** `customer.enrichment`: whether the CRM answered (rules can test it). */
export type EnrichmentStatus = 'ok' | 'not-found' | 'unavailable';

export type LookupOutcome = CachedLookupOutcome<{ status: 'ok'; facts: FactObject }>;

export type EnrichmentLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

export interface CustomerEnricherOptions extends CachedLookupOptions<CustomerLookup> {
  /** A `facts` connector instance (it has lookupCustomer). */
  connection: ConnectorInstance;
  jobs?: EnrichmentJobStore;
  log?: EnrichmentLog;
}

export const DEFAULT_ENRICHMENT_TIMEOUT_MS = DEFAULT_LOOKUP_TIMEOUT_MS;
export const DEFAULT_ENRICHMENT_TTL_MS = DEFAULT_LOOKUP_TTL_MS;
export const DEFAULT_ENRICHMENT_NEGATIVE_TTL_MS = DEFAULT_LOOKUP_NEGATIVE_TTL_MS;

type Answer = { status: 'ok'; facts: FactObject };

/**
 * The `customer` fact from the CRM (R8), through CachedLookup: cache with TTL
 * in front, single flight, a hard time limit, and an unanswered lookup never
 * blocks ticket creation: the ticket gets `customer.enrichment =
 * "unavailable"`, a job is recorded, and the EnrichmentRetrier asks again
 * later and raises `ticket.enriched` when the CRM answers.
 */
export class CustomerEnricher extends CachedLookup<Answer, CustomerLookup> {
  private readonly connection: ConnectorInstance;

  constructor(options: CustomerEnricherOptions) {
    if (typeof options.connection.lookupCustomer !== 'function') {
      throw new TriageError('TRIAGE_ENRICHMENT_CONNECTION', [options.connectionName, 'is not a facts connector (it has no customer lookup)']);
    }
    super(options, { name: 'CRM', timeoutCode: 'TRIAGE_CRM_TIMEOUT', badResponseCode: 'TRIAGE_CRM_BAD_RESPONSE', retryNotRecorded: 'could not record the CRM lookup for retry; the ticket stays unenriched' });
    this.connection = options.connection;
  }

  /**
   * For TicketService's `customerFacts` option: the CRM's facts for a new
   * ticket, plus `enrichment`. Never throws; waits at most `timeoutMs` for the
   * CRM (plus one short insert when it has to record a retry).
   */
  readonly provide: CustomerFactsProvider = async (request) => {
    const query = lookupFor(request);
    if (query === undefined) return undefined;
    const outcome = await this.lookup(query);
    if (outcome.status === 'unavailable') await this.unavailableAtCreation(request.ticketId, query, request.now, outcome);
    return factsFor(outcome);
  };

  /**
   * Ask the CRM (or the cache). Concurrent calls with the same question share
   * one CRM call. Failures are not cached: the next ticket asks again.
   */
  lookup(query: CustomerLookup): Promise<LookupOutcome> {
    const key = this.connection.lookupKey?.(query) ?? lookupKey(query);
    return this.cachedLookup(
      key,
      (signal) => this.connection.lookupCustomer?.(query, signal),
      (fact) => {
        if (typeof fact !== 'object' || fact === null || Array.isArray(fact)) {
          throw new TriageError('TRIAGE_CRM_BAD_RESPONSE', [this.connectionName, 'the connector returned no customer object']);
        }
        return { status: 'ok', facts: ownFacts(fact) };
      },
    );
  }
}

/** The facts a lookup outcome adds to the `customer` fact. */
export function factsFor(outcome: LookupOutcome): FactObject {
  switch (outcome.status) {
    case 'ok':
      // A copy: the cached object is shared by every ticket of this customer.
      return { ...structuredClone(outcome.facts), enrichment: 'ok' };
    case 'not-found':
      return { enrichment: 'not-found' };
    case 'unavailable':
      return { enrichment: 'unavailable' };
  }
}

/** `enrichment` is ours; keys that reach object internals never become facts. */
function ownFacts(fact: object): FactObject {
  const out: FactObject = {};
  for (const [k, v] of Object.entries(fact)) if (k !== 'enrichment' && !isForbiddenKey(k)) out[k] = v;
  return out;
}
