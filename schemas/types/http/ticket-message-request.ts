/* Generated from schemas/http/ticket-message-request.schema.json by `npm run gen:types`. Do not edit. */

/**
 * POST /v1/tickets/{idOrNumber}/messages: an agent reply (public, outbound; sets firstResponseAt), an internal note, or a customer message (inbound: reopens a pending or solved ticket and evaluates message.received).
 */
export interface TicketMessageRequest {
  /**
   * internal: an agent's note, never sent to the customer.
   */
  kind: 'public' | 'internal';
  /**
   * outbound (default): from the service desk; inbound: from the customer (public only).
   */
  direction?: 'outbound' | 'inbound';
  text: string;
  html?: string;
  /**
   * `Name <address>` or a bare address.
   */
  from?: string;
}
