import type { ConnectorInstance, OrderRecord } from '../../connectors/lib/connector.js';
import { isConnectorError } from '../../connectors/lib/connector-error.js';
import { TtlCache } from '../enrichment/ttl-cache.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../enrichment/retry-policy.js';
import { TriageError, isTriageError } from '../errors/triage-error.js';
import { orderFact, type OrderSender } from './order-fact.js';
import type { OrderFactsProvider } from './order-facts-provider.js';
import type { OrderJobStore, OrderQuery } from './order-job-store.js';
import { OrderNumberExtractor } from './order-number-extractor.js';
import { callWithTimeLimit } from '../enrichment/call-with-time-limit.js';
import { recordLookupRetry } from '../enrichment/record-lookup-retry.js';

export type OrderLookupOutcome =
  | { status: 'found'; order: OrderRecord; cached: boolean }
  | { status: 'not-found'; cached: boolean }
  | { status: 'unavailable'; code: string; message: string };

export type OrderLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

export interface OrderEnricherOptions {
  /** A shop connection (it has lookupOrder). */
  connection: ConnectorInstance;
  connectionName: string;
  extractor?: OrderNumberExtractor;
  /** Where unanswered lookups are recorded for retry; without it they are not retried. */
  jobs?: OrderJobStore;
  ttlMs?: number;
  negativeTtlMs?: number;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  maxCacheEntries?: number;
  now?: () => Date;
  random?: () => number;
  log?: OrderLog;
}

export const DEFAULT_ORDER_TIMEOUT_MS = 2000;
export const DEFAULT_ORDER_TTL_MS = 300_000;
export const DEFAULT_ORDER_NEGATIVE_TTL_MS = 60_000;

type Answer = { status: 'found'; order: OrderRecord } | { status: 'not-found' };

/**
 * The `order` fact of a new ticket (docs/orders.md), with the CRM's rules
 * (engine/enrichment): a TTL cache in front of the shop, one call per order
 * number at a time, a hard time limit, and an outage never blocks ticket
 * creation: `order.lookup = "unavailable"`, a durable job, and the
 * OrderRetrier raises `ticket.enriched` when the shop answers.
 */
export class OrderEnricher {
  readonly connectionName: string;
  readonly timeoutMs: number;
  readonly retryPolicy: RetryPolicy;
  readonly extractor: OrderNumberExtractor;
  private readonly connection: ConnectorInstance;
  private readonly jobs: OrderJobStore | undefined;
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly cache: TtlCache<Answer>;
  private readonly inFlight = new Map<string, Promise<OrderLookupOutcome>>();
  private readonly clock: () => Date;
  private readonly random: () => number;
  private readonly log: OrderLog;

  constructor(options: OrderEnricherOptions) {
    if (typeof options.connection.lookupOrder !== 'function') {
      throw new TriageError('TRIAGE_ORDER_CONNECTION', [options.connectionName, 'is not an orders connector (baselinker, shoper)']);
    }
    this.connection = options.connection;
    this.connectionName = options.connectionName;
    this.extractor = options.extractor ?? new OrderNumberExtractor();
    this.jobs = options.jobs;
    this.ttlMs = options.ttlMs ?? DEFAULT_ORDER_TTL_MS;
    this.negativeTtlMs = options.negativeTtlMs ?? DEFAULT_ORDER_NEGATIVE_TTL_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ORDER_TIMEOUT_MS;
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.cache = new TtlCache(options.maxCacheEntries);
    this.clock = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.log = options.log ?? (() => undefined);
  }

  /** For TicketService's `orderFacts` option. Never throws; waits at most `timeoutMs` (plus one insert on failure). */
  readonly provide: OrderFactsProvider = async (request) => {
    const found = this.extractor.find({ subject: request.subject, text: request.text, data: request.data });
    if (found === undefined) return orderFact('none', undefined, undefined, request.now, {});
    const sender: OrderSender = { email: request.hints.email ?? null, phone: request.hints.phone ?? null };
    const outcome = await this.lookup(found.number);
    if (outcome.status === 'unavailable') {
      this.log('warn', 'order lookup failed; the ticket is created without it and the lookup is retried', {
        connection: this.connectionName,
        ticketId: request.ticketId,
        code: outcome.code,
        error: outcome.message,
      });
      await this.recordRetry(request.ticketId, { number: found.number, sender }, request.now, `${outcome.code}: ${outcome.message}`);
    }
    return this.factFor(outcome, found.number, request.now, sender);
  };

  /** The `order` fact for a lookup outcome. */
  factFor(outcome: OrderLookupOutcome, number: string, now: string, sender: OrderSender): Record<string, unknown> {
    return orderFact(outcome.status, number, outcome.status === 'found' ? outcome.order : undefined, now, sender);
  }

  /** Ask the shop (or the cache); concurrent calls for one number share a call; failures are not cached. */
  lookup(number: string): Promise<OrderLookupOutcome> {
    const cached = this.cache.get(number, this.clock().getTime());
    if (cached !== undefined) return Promise.resolve({ ...cached, cached: true });
    let flight = this.inFlight.get(number);
    if (flight === undefined) {
      flight = this.ask(number).finally(() => this.inFlight.delete(number));
      this.inFlight.set(number, flight);
    }
    return flight;
  }

  clearCache(): void {
    this.cache.clear();
  }

  private async ask(number: string): Promise<OrderLookupOutcome> {
    try {
      const order = await callWithTimeLimit((signal) => this.connection.lookupOrder?.(number, signal), this.timeoutMs, () => new TriageError('TRIAGE_ORDER_TIMEOUT', [this.connectionName, this.timeoutMs]));
      const now = this.clock().getTime();
      if (order === undefined || order === null) {
        this.cache.set(number, { status: 'not-found' }, this.negativeTtlMs, now);
        return { status: 'not-found', cached: false };
      }
      if (typeof order !== 'object' || typeof order.number !== 'string') {
        throw new TriageError('TRIAGE_ORDER_BAD_RESPONSE', [this.connectionName, 'the connector returned no order object']);
      }
      this.cache.set(number, { status: 'found', order }, this.ttlMs, now);
      return { status: 'found', order, cached: false };
    } catch (error) {
      if (isConnectorError(error) || isTriageError(error)) return { status: 'unavailable', code: error.code, message: error.message };
      return { status: 'unavailable', code: 'TRIAGE_ORDER_BAD_RESPONSE', message: error instanceof Error ? error.message : String(error) };
    }
  }

  private recordRetry(ticketId: string, query: OrderQuery, now: string, error: string): Promise<void> {
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
      failure: 'could not record the order lookup for retry; the ticket stays without it',
    });
  }
}
