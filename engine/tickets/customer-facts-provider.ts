import type { Customer, CustomerIdentity } from './customer.js';

/** What the service knows about a new ticket's customer before its transaction starts. */
export interface CustomerFactsRequest {
  /** The id the ticket will get; it is not stored yet (and may never be, if the transaction fails). */
  ticketId: string;
  /** The resolved customer; null when the ticket names none. */
  customer: Customer | null;
  /** The identities this ticket's hints stand for, strongest first (then the customer's other ones). */
  identities: CustomerIdentity[];
  /** ISO-8601 UTC, the service's clock. */
  now: string;
}

/**
 * Loads facts about a new ticket's customer (the CRM, R8) BEFORE the
 * ticket's transaction, merged into the `customer` fact of `ticket.created`.
 * Undefined: nothing to add. It must not throw and must bound its own time:
 * ticket creation waits for it (see engine/enrichment/customer-enricher.ts).
 */
export type CustomerFactsProvider = (request: CustomerFactsRequest) => Promise<Record<string, unknown> | undefined>;
