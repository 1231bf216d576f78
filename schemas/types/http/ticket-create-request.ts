/* Generated from schemas/http/ticket-create-request.schema.json by `npm run gen:types`. Do not edit. */

/**
 * POST /v1/tickets: a new ticket with its first message. Idempotent on (source, externalId); an Idempotency-Key header becomes the externalId when the body has none.
 */
export interface TicketCreateRequest {
  /**
   * Where the ticket comes from; (source, externalId) identifies it.
   */
  source?: string;
  /**
   * The caller's own id for the ticket. Sending the same source + externalId again returns the stored ticket instead of creating a second one.
   */
  externalId?: string;
  subject: string;
  /**
   * email, form, phone, chat, api, …
   */
  channel?: string;
  /**
   * Arrival time with a time zone (the SLA clock starts here); defaults to now.
   */
  createdAt?: string;
  /**
   * The customer's first message (inbound). Its sender also identifies the customer unless `customer` says otherwise.
   */
  message?: {
    /**
     * `Name <address>` or a bare address.
     */
    from?: string;
    /**
     * @maxItems 100
     */
    to?: string[];
    /**
     * @maxItems 100
     */
    cc?: string[];
    text?: string;
    html?: string;
  };
  /**
   * Identities that resolve the customer across channels (R7); any subset.
   */
  customer?: {
    email?: string;
    phone?: string;
    domain?: string;
    name?: string;
  };
  /**
   * Initial tags.
   *
   * @maxItems 50
   */
  tags?: string[];
  /**
   * Initial field values; rules may change them. Status always starts as new.
   */
  fields?: {
    category?: string | null;
    priority?: string | null;
    team?: string | null;
    queue?: string | null;
    assignee?: string | null;
    language?: string | null;
    type?: string | null;
  };
  /**
   * Anything else the caller knows; rules see its keys on the ticket fact.
   */
  data?: {
    [k: string]: unknown;
  };
}
