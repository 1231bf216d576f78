import type { Actor } from '../tickets/audit-event.js';
import type { AddMessageResult } from '../tickets/ticket-service.js';
import type { MessageInput } from '../tickets/message.js';
import type { OutboxHandler } from './outbox-handler.js';

/** The part of TicketService the note handler uses. */
export interface NoteTarget {
  addMessage(idOrNumber: string, input: MessageInput, actor: Actor): Promise<AddMessageResult>;
}

/**
 * `note: { text }` adds an internal message to the ticket, written by the
 * rule. It runs in the worker after the decision committed, in its own
 * TicketService transaction (never inside a claim). The message carries the
 * row's idempotency key as its Message-ID, and TicketService ignores a
 * second message with the same Message-ID on a ticket: a repeated attempt
 * after a crash adds the note once (exactly once).
 */
export function noteHandler(tickets: NoteTarget): OutboxHandler {
  return async ({ entry }) => {
    const text = typeof entry.params.text === 'string' ? entry.params.text : '';
    const result = await tickets.addMessage(
      entry.ticketId,
      { direction: 'outbound', kind: 'internal', text, messageId: `<outbox.${entry.idempotencyKey}@triage>`, data: { outboxId: entry.id, ruleId: entry.ruleId } },
      { type: 'rule', id: entry.ruleId },
    );
    return { externalId: result.message.id, detail: result.created ? 'internal note added' : 'internal note was already there' };
  };
}
