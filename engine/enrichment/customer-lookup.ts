import type { CustomerLookup } from '../../connectors/lib/connector.js';
import type { CustomerFactsRequest } from '../tickets/customer-facts-provider.js';

/**
 * What to ask the CRM about a new ticket's customer: the first (strongest)
 * identity of each kind, and our customer id. Undefined when there is nothing
 * a CRM could know them by.
 */
export function lookupFor(request: CustomerFactsRequest): CustomerLookup | undefined {
  const query: CustomerLookup = {};
  for (const identity of request.identities) query[identity.kind] ??= identity.value;
  if (query.email === undefined && query.phone === undefined && query.domain === undefined) return undefined;
  if (request.customer !== null) query.customerId = request.customer.id;
  return query;
}

/** Cache and single-flight key: the same question, whatever order its fields were written in. */
export function lookupKey(query: CustomerLookup): string {
  return JSON.stringify([query.email ?? null, query.phone ?? null, query.domain ?? null, query.customerId ?? null, query.externalId ?? null]);
}
