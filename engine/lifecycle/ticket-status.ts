import { TriageError } from '../errors/triage-error.js';

/** R14: New → Open → Pending (waiting on the customer) → Solved → Closed. */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'solved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/**
 * Where each status may go. Kept as data so the HTTP API and docs can show the
 * allowed moves; error-catalogue's TRIAGE_TICKET_ILLEGAL_TRANSITION hint
 * repeats it for users. Closed is final: a later customer mail starts a new
 * ticket (the caller's decision), it never reopens a closed one.
 */
export const STATUS_TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  new: ['open', 'pending', 'solved'],
  open: ['pending', 'solved'],
  pending: ['open', 'solved'],
  solved: ['open', 'closed'],
  closed: [],
};

export function isTicketStatus(value: unknown): value is TicketStatus {
  return typeof value === 'string' && (TICKET_STATUSES as readonly string[]).includes(value);
}

/** Same → same is allowed (a no-op), so rules may "set status open" idempotently. */
export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return from === to || STATUS_TRANSITIONS[from].includes(to);
}

/**
 * Throws TRIAGE_TICKET_ILLEGAL_TRANSITION unless `from → to` is allowed.
 * `ticketRef` (number or id) only feeds the message.
 */
export function assertTransition(ticketRef: string, from: TicketStatus, to: unknown): asserts to is TicketStatus {
  if (!isTicketStatus(to) || !canTransition(from, to)) {
    throw new TriageError('TRIAGE_TICKET_ILLEGAL_TRANSITION', [ticketRef, from, String(to)], {
      details: { ticket: ticketRef, from, to, allowed: STATUS_TRANSITIONS[from] },
    });
  }
}

/**
 * The status a ticket takes when the customer writes (R14 "customer reply
 * reopens"): pending and solved go back to open. New and open are unchanged.
 * Closed stays closed on purpose: whether a reply to a closed ticket starts a
 * follow-up ticket or is only filed is the caller's business (ingestion), not
 * the lifecycle's.
 */
export function statusAfterCustomerMessage(status: TicketStatus): TicketStatus {
  return status === 'pending' || status === 'solved' ? 'open' : status;
}
