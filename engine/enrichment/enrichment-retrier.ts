import { factsFor, type CustomerEnricher, type EnrichmentLog } from './customer-enricher.js';
import type { EnrichmentJob, EnrichmentJobStore } from './enrichment-job-store.js';
import { LookupRetrier, type LookupRetrierSettings, type LookupRunSummary } from './lookup-retrier.js';

export { TICKET_ENRICHED_EVENT } from './lookup-retrier.js';

export interface EnrichmentRetrierOptions extends LookupRetrierSettings {
  enricher: CustomerEnricher;
  jobs: EnrichmentJobStore;
  log?: EnrichmentLog;
}

export type EnrichmentRunSummary = LookupRunSummary;

/**
 * Works off `enrichment_jobs` (engine/enrichment/lookup-retrier.ts): asks the
 * CRM again with back-off and, once it answers, evaluates `ticket.enriched`
 * with the CRM's customer fact.
 */
export class EnrichmentRetrier extends LookupRetrier<EnrichmentJob> {
  constructor(options: EnrichmentRetrierOptions) {
    const { enricher } = options;
    super(options, {
      jobs: options.jobs,
      timeoutMs: enricher.timeoutMs,
      retryPolicy: enricher.retryPolicy,
      name: 'CRM',
      gaveUp: 'CRM lookup gave up; the ticket stays unenriched',
      async attempt(job) {
        const outcome = await enricher.lookup(job.lookup);
        return outcome.status === 'unavailable' ? { status: 'unavailable', reason: `${outcome.code}: ${outcome.message}` } : { status: 'answered', facts: { customerFacts: factsFor(outcome) } };
      },
    });
  }
}
