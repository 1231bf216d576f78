import type { Knex } from 'knex';
import type { ConnectorInstance } from '../../connectors/lib/connector.js';
import type { TicketService } from '../tickets/ticket-service.js';
import { OrderEnricher, type OrderLog } from './order-enricher.js';
import { OrderJobStore } from './order-job-store.js';
import { OrderNumberExtractor } from './order-number-extractor.js';
import { OrderRetrier } from './order-retrier.js';
import type { OrderSettings } from './order-settings.js';

export interface Orders {
  enricher: OrderEnricher;
  jobs: OrderJobStore;
  /** Once the ticket service exists (it takes `enricher.provide`): start the background retries. */
  startRetries(tickets: TicketService, options?: { leaseMs?: number }): OrderRetrier;
}

/** The order parts the composition root wires, in two steps like createEnrichment. */
export function createOrders(options: { db: Knex; settings: OrderSettings; connection: ConnectorInstance; log: OrderLog }): Orders {
  const { db, settings, log } = options;
  const jobs = new OrderJobStore(db);
  const enricher = new OrderEnricher({
    connection: options.connection,
    connectionName: settings.connection,
    extractor: new OrderNumberExtractor({ fields: settings.fields, patterns: settings.patterns }),
    jobs,
    ttlMs: settings.ttlMs,
    negativeTtlMs: settings.negativeTtlMs,
    timeoutMs: settings.timeoutMs,
    retry: settings.retry,
    log,
  });
  return {
    enricher,
    jobs,
    startRetries(tickets, retryOptions = {}) {
      // The lease (workers.leaseSeconds) is how soon another instance retries a lookup a dead one had claimed.
      const retrier = new OrderRetrier({ db, enricher, jobs, tickets, pollMs: settings.pollMs, log, ...(retryOptions.leaseMs === undefined ? {} : { leaseMs: retryOptions.leaseMs }) });
      retrier.start();
      return retrier;
    },
  };
}
