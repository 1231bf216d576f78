import type { Knex } from 'knex';
import type { ConnectorInstance } from '../../connectors/lib/connector.js';
import type { TicketService } from '../tickets/ticket-service.js';
import { CustomerEnricher, type EnrichmentLog } from './customer-enricher.js';
import { EnrichmentJobStore } from './enrichment-job-store.js';
import { EnrichmentRetrier } from './enrichment-retrier.js';
import type { EnrichmentSettings } from './enrichment-settings.js';

export interface Enrichment {
  enricher: CustomerEnricher;
  jobs: EnrichmentJobStore;
  /** Once the ticket service exists (it takes `enricher.provide`): start the background retries. */
  startRetries(tickets: TicketService, options?: { leaseMs?: number }): EnrichmentRetrier;
}

/**
 * The enrichment parts the composition root wires: the enricher goes into the
 * TicketService as its `customerFacts` provider, the retrier needs that
 * service back to raise `ticket.enriched`, hence two steps.
 */
export function createEnrichment(options: { db: Knex; settings: EnrichmentSettings; connection: ConnectorInstance; log: EnrichmentLog }): Enrichment {
  const { db, settings, log } = options;
  const jobs = new EnrichmentJobStore(db);
  const enricher = new CustomerEnricher({
    connection: options.connection,
    connectionName: settings.connection,
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
      const retrier = new EnrichmentRetrier({ db, enricher, jobs, tickets, pollMs: settings.pollMs, log, ...(retryOptions.leaseMs === undefined ? {} : { leaseMs: retryOptions.leaseMs }) });
      retrier.start();
      return retrier;
    },
  };
}
