import type { TicketStatus } from './ticket-status.js';

export type StatusChangeEvent = 'status.changed' | 'ticket.closed';

/**
 * The rule events a status change asked for through the service (an agent or
 * the API: changeStatus, updateFields) raises, in evaluation order:
 * `status.changed`, then `ticket.closed` when the ticket was closed.
 *
 * Only those changes raise them. A status set by a decision, or a reopen by a
 * customer message (evaluated as `message.received`), raises nothing more:
 * rules reacting to status.changed could otherwise change the status again
 * and evaluate forever. A rule that must follow its own status change belongs
 * in the same evaluation.
 */
export function statusChangeEvents(from: TicketStatus, to: TicketStatus): StatusChangeEvent[] {
  if (from === to) return [];
  return to === 'closed' ? ['status.changed', 'ticket.closed'] : ['status.changed'];
}
