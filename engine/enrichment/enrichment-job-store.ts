import type { Knex } from 'knex';
import type { CustomerLookup } from '../../connectors/lib/connector.js';
import { LookupJobStore, type LookupJobBase, type LookupJobState } from './lookup-job-store.js';

export type EnrichmentJobState = LookupJobState;

/** A ticket whose CRM lookup is still owed (table `enrichment_jobs`, migration 0005). */
export interface EnrichmentJob extends LookupJobBase {
  lookup: CustomerLookup;
}

/** The durable list of owed CRM lookups (claim protocol in lookup-job-store.ts). */
export class EnrichmentJobStore extends LookupJobStore<CustomerLookup, EnrichmentJob> {
  constructor(db: Knex) {
    super(db, 'enrichment_jobs', (base, lookup) => ({ ...base, lookup: lookup ?? {} }));
  }
}
