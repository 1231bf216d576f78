import type { Knex } from 'knex';
import type { CustomerFactsProvider } from '../tickets/customer-facts-provider.js';
import { loadCustomer } from '../tickets/customer-resolver.js';
import { findTicket } from '../tickets/ticket-queries.js';

/**
 * CRM facts about an existing ticket's customer, for events the engine raises
 * on its own (sla.warning / sla.breached): rules such as "VIP without reaction"
 * read customer facts that live in the CRM, not in the store (R8). Loaded
 * outside any transaction, through the enricher's cache and timeout; a CRM
 * outage gives no facts (and the enricher's usual retry), never a failed sweep.
 */
export function ticketCustomerFacts(db: Knex, provide: CustomerFactsProvider, now: () => Date): (ticketId: string) => Promise<Record<string, unknown> | undefined> {
  return async (ticketId) => {
    const ticket = await findTicket(db, ticketId);
    if (ticket?.customerId == null) return undefined;
    const customer = await loadCustomer(db, ticket.customerId);
    if (customer === null) return undefined;
    return provide({ ticketId, customer, identities: customer.identities, now: now().toISOString() });
  };
}
