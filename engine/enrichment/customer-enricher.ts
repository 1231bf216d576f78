import type { ConnectorInstance, CustomerLookup } from '../../connectors/lib/connector.js';
import { isConnectorError } from '../../connectors/lib/connector-error.js';
import { isForbiddenKey } from '../../rules/lib/dotted-path.js';
import type { FactObject } from '../../rules/lib/rule-types.js';
import { TriageError, isTriageError } from '../errors/triage-error.js';
import type { CustomerFactsProvider } from '../tickets/customer-facts-provider.js';
import { lookupFor, lookupKey } from './customer-lookup.js';
import type { EnrichmentJobStore } from './enrichment-job-store.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { TtlCache } from './ttl-cache.js';
import { callWithTimeLimit } from './call-with-time-limit.js';
import { recordLookupRetry } from './record-lookup-retry.js';

/** `customer.enrichment`: whether the CRM answered (rules can test it). */
export type EnrichmentStatus = 'ok' | 'not-found' | 'unavailable';

export type LookupOutcome =
  | { status: 'ok'; facts: FactObject; cached: boolean }
  | { status: 'not-found'; cached: boolean }
  | { status: 'unavailable'; code: string; message: string };

export type EnrichmentLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

export interface CustomerEnricherOptions {
  /** A `facts` connector instance (it has lookupCustomer). */
  connection: ConnectorInstance;
  /** Its name in connections.yaml, for messages. */
  connectionName: string;
  /** Where unanswered lookups are recorded for retry; without it they are not retried. */
  jobs?: EnrichmentJobStore;
  /** How long a found customer is cached (default 5 min). */
  ttlMs?: number;
  /** How long "the CRM does not know them" is cached (default 1 min). */
  negativeTtlMs?: number;
  /** How long ticket creation waits for the CRM (default 2 s). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  maxCacheEntries?: number;
  now?: () => Date;
  random?: () => number;
  log?: EnrichmentLog;
}

export const DEFAULT_ENRICHMENT_TIMEOUT_MS = 2000;
export const DEFAULT_ENRICHMENT_TTL_MS = 300_000;
export const DEFAULT_ENRICHMENT_NEGATIVE_TTL_MS = 60_000;

type Answer = { status: 'ok'; facts: FactObject } | { status: 'not-found' };

/**
 * The `customer` fact from the CRM (R8): cache with TTL in front, one call per
 * question at a time (single flight), and a hard time limit. The CRM stays the
 * source of truth: answers live in memory for their TTL, never in the
 * database. A slow, down or garbled CRM never blocks ticket creation: after
 * `timeoutMs` the ticket gets `customer.enrichment = "unavailable"`, a job is
 * recorded, and the EnrichmentRetrier asks again later and raises
 * `ticket.enriched` when the CRM answers.
 */
export class CustomerEnricher {
  readonly connectionName: string;
  readonly timeoutMs: number;
  readonly retryPolicy: RetryPolicy;
  private readonly connection: ConnectorInstance;
  private readonly jobs: EnrichmentJobStore | undefined;
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly cache: TtlCache<Answer>;
  private readonly inFlight = new Map<string, Promise<LookupOutcome>>();
  private readonly clock: () => Date;
  private readonly random: () => number;
  private readonly log: EnrichmentLog;

  constructor(options: CustomerEnricherOptions) {
    if (typeof options.connection.lookupCustomer !== 'function') {
      throw new TriageError('TRIAGE_ENRICHMENT_CONNECTION', [options.connectionName, 'is not a facts connector (it has no customer lookup)']);
    }
    this.connection = options.connection;
    this.connectionName = options.connectionName;
    this.jobs = options.jobs;
    this.ttlMs = options.ttlMs ?? DEFAULT_ENRICHMENT_TTL_MS;
    this.negativeTtlMs = options.negativeTtlMs ?? DEFAULT_ENRICHMENT_NEGATIVE_TTL_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ENRICHMENT_TIMEOUT_MS;
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.cache = new TtlCache(options.maxCacheEntries);
    this.clock = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.log = options.log ?? (() => undefined);
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
    if (outcome.status === 'unavailable') {
      this.log('warn', 'CRM lookup failed; the ticket is created without it and the lookup is retried', {
        connection: this.connectionName,
        ticketId: request.ticketId,
        code: outcome.code,
        error: outcome.message,
      });
      await this.recordRetry(request.ticketId, query, request.now, `${outcome.code}: ${outcome.message}`);
    }
    return factsFor(outcome);
  };

  /**
   * Ask the CRM (or the cache). Concurrent calls with the same question share
   * one CRM call. Failures are not cached: the next ticket asks again.
   */
  lookup(query: CustomerLookup): Promise<LookupOutcome> {
    const key = this.connection.lookupKey?.(query) ?? lookupKey(query);
    const cached = this.cache.get(key, this.clock().getTime());
    if (cached !== undefined) return Promise.resolve({ ...cached, cached: true });
    let flight = this.inFlight.get(key);
    if (flight === undefined) {
      flight = this.ask(query, key).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, flight);
    }
    return flight;
  }

  /** Forget cached answers (e.g. after the CRM data was corrected). */
  clearCache(): void {
    this.cache.clear();
  }

  private async ask(query: CustomerLookup, key: string): Promise<LookupOutcome> {
    try {
      const fact = await callWithTimeLimit((signal) => this.connection.lookupCustomer?.(query, signal), this.timeoutMs, () => new TriageError('TRIAGE_CRM_TIMEOUT', [this.connectionName, this.timeoutMs]));
      const now = this.clock().getTime();
      if (fact === undefined || fact === null) {
        this.cache.set(key, { status: 'not-found' }, this.negativeTtlMs, now);
        return { status: 'not-found', cached: false };
      }
      if (typeof fact !== 'object' || Array.isArray(fact)) {
        throw new TriageError('TRIAGE_CRM_BAD_RESPONSE', [this.connectionName, 'the connector returned no customer object']);
      }
      const facts = ownFacts(fact);
      this.cache.set(key, { status: 'ok', facts }, this.ttlMs, now);
      return { status: 'ok', facts, cached: false };
    } catch (error) {
      return unavailable(error);
    }
  }

  private recordRetry(ticketId: string, query: CustomerLookup, now: string, error: string): Promise<void> {
    return recordLookupRetry({
      jobs: this.jobs,
      ticketId,
      payload: query,
      now,
      error,
      retryPolicy: this.retryPolicy,
      random: this.random,
      log: this.log,
      connectionName: this.connectionName,
      failure: 'could not record the CRM lookup for retry; the ticket stays unenriched',
    });
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

function unavailable(error: unknown): LookupOutcome {
  if (isConnectorError(error) || isTriageError(error)) return { status: 'unavailable', code: error.code, message: error.message };
  return { status: 'unavailable', code: 'TRIAGE_CRM_BAD_RESPONSE', message: error instanceof Error ? error.message : String(error) };
}
