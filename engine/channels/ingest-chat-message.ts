import type { Decision } from '../../rules/lib/rule-types.js';
import type { Actor } from '../tickets/audit-event.js';
import type { Ticket } from '../tickets/ticket.js';
import type { TicketService } from '../tickets/ticket-service.js';
import type { NormalizedChatMessage } from './chat-message.js';

export interface ChatIngestResult {
  ticket: Ticket;
  /** ticket.created for a new conversation, message.received for an appended message, null for a duplicate. */
  decision: Decision | null;
  /** The message started the conversation's ticket. */
  created: boolean;
  /** The message was appended to the existing ticket. */
  messageAdded: boolean;
}

/**
 * First message of a conversation → new ticket; later ones → appended to it
 * (message.received: reopens a pending or solved ticket, evaluates rules).
 *
 * Always asks createTicket first instead of looking the conversation up:
 * createTicket is idempotent on (source, externalId) also under races, so two
 * first messages arriving together cannot make two tickets, and the one that
 * loses is appended like any later message. addMessage skips a message id
 * the ticket already has, which makes re-delivery (of the first message too)
 * a no-op. A closed ticket keeps the message and stays closed (the lifecycle
 * never reopens closed tickets; a rule on message.received can react).
 */
export async function ingestChatMessage(tickets: TicketService, chat: NormalizedChatMessage, actor: Actor): Promise<ChatIngestResult> {
  const created = await tickets.createTicket({ ...chat.ticket, actor });
  if (created.created) return { ticket: created.ticket, decision: created.decision, created: true, messageAdded: false };
  const added = await tickets.addMessage(created.ticket.id, chat.message, actor);
  return { ticket: added.ticket, decision: added.decision, created: false, messageAdded: added.created };
}
