import type { Decision } from '../../rules/lib/rule-types.js';
import type { TicketStatus } from '../lifecycle/ticket-status.js';
import type { Actor } from '../tickets/audit-event.js';
import type { Ticket } from '../tickets/ticket.js';
import type { TicketService } from '../tickets/ticket-service.js';
import type { NormalizedFormSubmission } from './form-submission.js';

export interface FormIngestResult {
  ticket: Ticket;
  /** The ticket.created decision (the stored one on a re-delivery). */
  decision: Decision | null;
  created: boolean;
  /** As stored on the ticket: on a re-delivery, the first delivery's list. */
  missingFields: string[];
}

/**
 * Store a normalized submission: create the ticket (idempotent on the
 * submission id), and when it is incomplete move it to pending, waiting for
 * the customer (R4). The move is an ordinary status change after creation,
 * so the rules' `status.changed` handling of pending (the reminder and
 * auto-close cycle) applies to it like to any other waiting ticket.
 *
 * Two transactions: if the process dies between them, the ticket exists as
 * new; the form's retry (same submission id) finds it still new and
 * completes the move. A ticket someone has already worked on is left alone.
 */
export async function ingestFormSubmission(tickets: TicketService, submission: NormalizedFormSubmission, actor: Actor): Promise<FormIngestResult> {
  const result = await tickets.createTicket({ ...submission.ticket, actor });
  const missing = storedMissingFields(result.ticket);
  let ticket = result.ticket;
  // A fresh ticket may already be open (a rule opened it); a re-delivered one only repairs a lost move.
  const waitsFrom: readonly TicketStatus[] = result.created ? ['new', 'open'] : ['new'];
  if (missing.length > 0 && waitsFrom.includes(ticket.status)) {
    ticket = (await tickets.changeStatus(ticket.id, 'pending', actor)).ticket;
  }
  return { ticket, decision: result.decision, created: result.created, missingFields: missing };
}

function storedMissingFields(ticket: Ticket): string[] {
  const value = ticket.data.missingFields;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
