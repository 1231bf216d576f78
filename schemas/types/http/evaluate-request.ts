/* Generated from schemas/http/evaluate-request.schema.json by `npm run gen:types`. Do not edit. */

/**
 * A stateless evaluation: the facts of one ticket event. Nothing is stored.
 */
export interface EvaluateRequest {
  /**
   * ticket.created, message.received, ticket.updated, status.changed, ticket.enriched, sla.warning, sla.breached, ticket.closed or schedule.<name>
   */
  event?: string;
  /**
   * The ticket facts (subject, channel, mailbox, category, priority, tags, …).
   */
  ticket: {
    [k: string]: unknown;
  };
  message?: {
    [k: string]: unknown;
  };
  customer?: {
    [k: string]: unknown;
  };
  sla?: {
    [k: string]: unknown;
  };
  /**
   * The order fact (docs/orders.md), e.g. from your shop: lookup, number, status, date, total, currency, items, shippingMethod, trackingNumber, trackingUrl, paymentStatus, customerEmail, customerPhone, ageDays. Without ageDays it is computed from date and now.
   */
  order?: {
    [k: string]: unknown;
  };
  /**
   * Evaluate as if it were this time.
   */
  now?: string;
}
