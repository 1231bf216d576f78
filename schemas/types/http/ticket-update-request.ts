/* Generated from schemas/http/ticket-update-request.schema.json by `npm run gen:types`. Do not edit. */

/**
 * PATCH /v1/tickets/{idOrNumber}: an agent changes fields and tags. Omitted fields stay; null clears a field. Overriding a value a rule set records a correction (R13).
 */
export interface TicketUpdateRequest {
  /**
   * Moves through the lifecycle; an illegal move is refused with 409 TRIAGE_TICKET_ILLEGAL_TRANSITION.
   */
  status?: 'new' | 'open' | 'pending' | 'solved' | 'closed';
  assignee?: string | null;
  team?: string | null;
  queue?: string | null;
  category?: string | null;
  priority?: string | null;
  language?: string | null;
  type?: string | null;
  /**
   * false clears the manual-review flag (R11) after review.
   */
  review?: boolean;
  tags?: {
    /**
     * Tags to add.
     *
     * @maxItems 50
     */
    add?: string[];
    /**
     * Tags to remove.
     *
     * @maxItems 50
     */
    remove?: string[];
  };
}
