import { LookupRetrier, type LookupRetrierSettings, type LookupRunSummary } from '../enrichment/lookup-retrier.js';
import type { OrderEnricher, OrderLog } from './order-enricher.js';
import type { OrderJob, OrderJobStore } from './order-job-store.js';

export interface OrderRetrierOptions extends LookupRetrierSettings {
  enricher: OrderEnricher;
  jobs: OrderJobStore;
  log?: OrderLog;
}

export type OrderRunSummary = LookupRunSummary;

/**
 * Works off `order_jobs` exactly as EnrichmentRetrier works off
 * `enrichment_jobs` (engine/enrichment/lookup-retrier.ts): ask the shop again
 * with back-off; once it answers, evaluate `ticket.enriched` with the `order`
 * fact, in the same transaction that deletes the job.
 */
export class OrderRetrier extends LookupRetrier<OrderJob> {
  constructor(options: OrderRetrierOptions) {
    const { enricher } = options;
    super(options, {
      jobs: options.jobs,
      timeoutMs: enricher.timeoutMs,
      retryPolicy: enricher.retryPolicy,
      name: 'order',
      gaveUp: 'order lookup gave up; the ticket stays without it',
      async attempt(job, now) {
        const outcome = await enricher.lookup(job.query.number);
        return outcome.status === 'unavailable'
          ? { status: 'unavailable', reason: `${outcome.code}: ${outcome.message}` }
          : { status: 'answered', facts: { orderFacts: enricher.factFor(outcome, job.query.number, now, job.query.sender) } };
      },
    });
  }
}
