/* Generated from schemas/http/channel-response.schema.json by `npm run gen:types`. Do not edit. */

/**
 * What a channel endpoint did with an event: the ticket it created or added to, and the rules' decision.
 */
export interface ChannelResponse {
  /**
   * A new ticket was created (HTTP 201).
   */
  created: boolean;
  /**
   * Chat: the message was appended to the conversation's existing ticket.
   */
  messageAdded?: boolean;
  /**
   * A re-delivery: nothing was stored, the response describes the earlier outcome.
   */
  duplicate: boolean;
  /**
   * The ticket; null only when the event was ignored (see ignored).
   */
  ticket: ChannelTicket | null;
  /**
   * The rules' decision on this event (ticket.created, or message.received for an appended chat message), as in schemas/http/decision.schema.json; null when none was made (a duplicate message, an ignored event).
   */
  decision: {} | null;
  /**
   * Forms: fields the submission's category requires but it lacks; the ticket waits (pending) for the customer to add them.
   */
  missingFields?: string[];
  /**
   * What the caller should do next, e.g. ask the customer to complete an incomplete form.
   */
  actions?: ChannelAction[];
  /**
   * Why nothing was stored, for events that need no ticket (an outbound call nobody answered).
   */
  ignored?: string;
}
export interface ChannelTicket {
  id: string;
  /**
   * T-000042; GET /v1/tickets/{number} shows the whole ticket.
   */
  number: string;
  status: 'new' | 'open' | 'pending' | 'solved' | 'closed';
  subject: string;
  channel: string | null;
  category: string | null;
  priority: string | null;
  team: string | null;
  customerId: string | null;
  tags: string[];
  createdAt: string;
}
export interface ChannelAction {
  /**
   * requestInformation: ask the customer for the fields listed (show params.text on the form's thank-you page, or send it).
   */
  type: 'requestInformation';
  params: {
    missingFields: string[];
    /**
     * A message for the customer naming the ticket number and the missing fields.
     */
    text: string;
  };
}
