/* Generated from schemas/http/ticket-list-query.schema.json by `npm run gen:types`. Do not edit. */

/**
 * GET /v1/tickets: filters (all must match) and paging. Newest first by arrival time.
 */
export interface TicketListQuery {
  /**
   * One or more statuses: repeat the parameter (status=open&status=pending).
   */
  status?: ('new' | 'open' | 'pending' | 'solved' | 'closed')[];
  team?: string;
  priority?: string;
  category?: string;
  /**
   * Customer id.
   */
  customer?: string;
  tag?: string;
  /**
   * Arrived at or after (inclusive), with a time zone.
   */
  createdFrom?: string;
  /**
   * Arrived before (exclusive), with a time zone.
   */
  createdTo?: string;
  limit?: number;
  /**
   * nextCursor of the previous page.
   */
  cursor?: string;
}
