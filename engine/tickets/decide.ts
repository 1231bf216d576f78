import type { Decision } from '../../rules/lib/rule-types.js';

export interface DecideInput {
  event: string;
  ticket: Record<string, unknown>;
  /** The message that raised the event; absent for status.changed, ticket.closed and ticket.updated. */
  message?: Record<string, unknown>;
  /** The stored customer merged with the caller's `customerFacts`; absent when there is neither. */
  customer?: Record<string, unknown>;
  /**
   * The SLA clocks (docs/sla.md); on ticket.created a function of the ticket
   * as the rules leave it, since the decision itself sets the priority the
   * clocks depend on. Absent without SLA clocks.
   */
  sla?: Record<string, unknown> | ((ticket: Record<string, unknown>) => Record<string, unknown> | undefined);
  /** ISO-8601 UTC. */
  now: string;
  /** The order the ticket mentions (docs/orders.md), looked up before the transaction; absent when not configured. */
  order?: Record<string, unknown>;
}

/**
 * The rule evaluation, injected so the store does not depend on the engine.
 * It runs INSIDE the write transaction: it must be CPU only (no network, no
 * CRM call). SQLite has a single writer, and a slow decide would stall every
 * other write. Load slow facts (CRM) before calling the service.
 */
export type Decide = (input: DecideInput) => Decision | Promise<Decision>;

/** A decision as stored in the `decisions` table. */
export interface DecisionRecord {
  id: string;
  ticketId: string;
  event: string;
  ruleSetVersion: string;
  decision: Decision;
  createdAt: string;
  /** seq of the matching `decision` row in the ticket's audit trail. */
  seq: number;
}
