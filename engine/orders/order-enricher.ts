import type { ConnectorInstance, OrderRecord } from '../../connectors/lib/connector.js';
import {
  CachedLookup,
  DEFAULT_LOOKUP_NEGATIVE_TTL_MS,
  DEFAULT_LOOKUP_TIMEOUT_MS,
  DEFAULT_LOOKUP_TTL_MS,
  type CachedLookupOptions,
  type CachedLookupOutcome,
} from '../enrichment/cached-lookup.js';
import { TriageError } from '../errors/triage-error.js';
import { orderFact, type OrderSender } from './order-fact.js';
import type { OrderFactsProvider } from './order-facts-provider.js';
import type { OrderJobStore, OrderQuery } from './order-job-store.js';
import { OrderNumberExtractor } from './order-number-extractor.js';

export type OrderLookupOutcome = CachedLookupOutcome<{ status: 'found'; order: OrderRecord }>;

export type OrderLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

export interface OrderEnricherOptions extends CachedLookupOptions<OrderQuery> {
  /** A shop connection (it has lookupOrder). */
  connection: ConnectorInstance;
  extractor?: OrderNumberExtractor;
  jobs?: OrderJobStore;
  log?: OrderLog;
}

export const DEFAULT_ORDER_TIMEOUT_MS = DEFAULT_LOOKUP_TIMEOUT_MS;
export const DEFAULT_ORDER_TTL_MS = DEFAULT_LOOKUP_TTL_MS;
export const DEFAULT_ORDER_NEGATIVE_TTL_MS = DEFAULT_LOOKUP_NEGATIVE_TTL_MS;

type Answer = { status: 'found'; order: OrderRecord };

/**
 * The `order` fact of a new ticket (docs/orders.md), with the CRM's rules
 * (CachedLookup): a TTL cache in front of the shop, one call per order number
 * at a time, a hard time limit, and an outage never blocks ticket creation:
 * `order.lookup = "unavailable"`, a durable job, and the OrderRetrier raises
 * `ticket.enriched` when the shop answers.
 */
export class OrderEnricher extends CachedLookup<Answer, OrderQuery> {
  readonly extractor: OrderNumberExtractor;
  private readonly connection: ConnectorInstance;

  constructor(options: OrderEnricherOptions) {
    if (typeof options.connection.lookupOrder !== 'function') {
      throw new TriageError('TRIAGE_ORDER_CONNECTION', [options.connectionName, 'is not an orders connector (baselinker, shoper)']);
    }
    super(options, { name: 'order', timeoutCode: 'TRIAGE_ORDER_TIMEOUT', badResponseCode: 'TRIAGE_ORDER_BAD_RESPONSE', retryNotRecorded: 'could not record the order lookup for retry; the ticket stays without it' });
    this.connection = options.connection;
    this.extractor = options.extractor ?? new OrderNumberExtractor();
  }

  /** For TicketService's `orderFacts` option. Never throws; waits at most `timeoutMs` (plus one insert on failure). */
  readonly provide: OrderFactsProvider = async (request) => {
    const found = this.extractor.find({ subject: request.subject, text: request.text, data: request.data });
    if (found === undefined) return orderFact('none', undefined, undefined, request.now, {});
    const sender: OrderSender = { email: request.hints.email ?? null, phone: request.hints.phone ?? null };
    const outcome = await this.lookup(found.number);
    if (outcome.status === 'unavailable') await this.unavailableAtCreation(request.ticketId, { number: found.number, sender }, request.now, outcome);
    return this.factFor(outcome, found.number, request.now, sender);
  };

  /** The `order` fact for a lookup outcome. */
  factFor(outcome: OrderLookupOutcome, number: string, now: string, sender: OrderSender): Record<string, unknown> {
    return orderFact(outcome.status, number, outcome.status === 'found' ? outcome.order : undefined, now, sender);
  }

  /** Ask the shop (or the cache); concurrent calls for one number share a call; failures are not cached. */
  lookup(number: string): Promise<OrderLookupOutcome> {
    return this.cachedLookup(
      number,
      (signal) => this.connection.lookupOrder?.(number, signal),
      (order) => {
        if (typeof order !== 'object' || order === null || typeof (order as { number?: unknown }).number !== 'string') {
          throw new TriageError('TRIAGE_ORDER_BAD_RESPONSE', [this.connectionName, 'the connector returned no order object']);
        }
        return { status: 'found', order: order as OrderRecord };
      },
    );
  }
}
