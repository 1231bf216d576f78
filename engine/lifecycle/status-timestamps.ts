import type { TicketStatus } from './ticket-status.js';

export interface StatusTimestamps {
  solvedAt?: string | null;
  closedAt?: string | null;
}

/**
 * Timestamp columns a status move sets. solvedAt is the LAST time the ticket
 * was solved and is cleared on reopen, so "solved tickets" and resolution time
 * (R19) never count a ticket the customer reopened; the audit trail keeps
 * every earlier solve.
 */
export function statusTimestamps(from: TicketStatus, to: TicketStatus, now: string): StatusTimestamps {
  if (from === to) return {};
  if (to === 'solved') return { solvedAt: now };
  if (to === 'closed') return { closedAt: now };
  if (from === 'solved') return { solvedAt: null };
  return {};
}
