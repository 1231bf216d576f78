/* Generated from schemas/http/customer-query.schema.json by `npm run gen:types`. Do not edit. */

/**
 * GET /v1/customers/{id}: paging of the ticket history.
 */
export interface CustomerQuery {
  /**
   * Tickets of the history per page.
   */
  limit?: number;
  /**
   * nextCursor of the previous page.
   */
  cursor?: string;
}
