import type { CustomerHints } from '../tickets/customer.js';

/** What the ticket service knows about a new ticket before its transaction, for the order lookup. */
export interface OrderFactsRequest {
  /** The id the ticket will get (not stored yet). */
  ticketId: string;
  subject: string | null;
  /** The first message's text, when there is one. */
  text: string | null;
  /** The ticket's data: form fields under `form.fields`, API extras at the top. */
  data: Record<string, unknown>;
  /** Who sent it (e-mail, phone), as far as the channel knows. */
  hints: CustomerHints;
  /** ISO-8601 UTC, the service's clock. */
  now: string;
}

/**
 * Loads the `order` fact of a new ticket BEFORE its transaction (docs/orders.md).
 * Undefined: orders are not configured. Must not throw and must bound its own time.
 */
export type OrderFactsProvider = (request: OrderFactsRequest) => Promise<Record<string, unknown> | undefined>;

/**
 * The order's customer as identity hints, for a ticket that names nobody
 * (a chat, a phone call without caller id, a form without e-mail).
 */
export function orderCustomerHints(order: Record<string, unknown> | undefined): CustomerHints {
  if (order?.lookup !== 'found') return {};
  const email = typeof order.customerEmail === 'string' && order.customerEmail !== '' ? order.customerEmail : undefined;
  const phone = typeof order.customerPhone === 'string' && order.customerPhone !== '' ? order.customerPhone : undefined;
  return { ...(email === undefined ? {} : { email }), ...(phone === undefined ? {} : { phone }) };
}
