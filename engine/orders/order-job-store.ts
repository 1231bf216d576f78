import type { Knex } from 'knex';
import { LookupJobStore, type LookupJobBase, type LookupJobState } from '../enrichment/lookup-job-store.js';
import type { OrderSender } from './order-fact.js';

/** What an owed order lookup asks: the number, and the sender to compare with the order's customer. */
export interface OrderQuery {
  number: string;
  sender: OrderSender;
}

export type OrderJobState = LookupJobState;

/** A ticket whose order lookup is still owed (table `order_jobs`, migration 0010). */
export interface OrderJob extends LookupJobBase {
  query: OrderQuery;
}

/** The durable list of owed order lookups; the same claim protocol as the CRM's (lookup-job-store.ts). */
export class OrderJobStore extends LookupJobStore<OrderQuery, OrderJob> {
  constructor(db: Knex) {
    super(db, 'order_jobs', (base, query) => ({ ...base, query: query ?? { number: '', sender: {} } }));
  }
}
