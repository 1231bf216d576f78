import type { Facts } from '../../rules/lib/rule-types.js';
import type { Customer } from '../tickets/customer.js';
import type { Message } from '../tickets/message.js';
import type { Ticket } from '../tickets/ticket.js';
import { customerFact, messageFact, ticketFact } from '../tickets/ticket-facts.js';

/** What the `ticket.create` audit row recorded about the ticket as it arrived. */
export interface CreateRecord {
  fields?: Record<string, unknown>;
  tags?: unknown;
  customerId?: unknown;
}

const FIELDS = ['category', 'priority', 'team', 'queue', 'assignee', 'language', 'type'] as const;

/**
 * The ticket as the rules saw it on `ticket.created`: the stored row with
 * every later change undone from what the create audit row recorded (the
 * fields and tags the source gave, status `new`, no review, no timestamps
 * after arrival). Decisions do not store their facts, so this is a
 * reconstruction; its limits are listed in docs/governance.md (the CRM facts
 * and the order of that moment are not stored, the customer is today's row,
 * a subject an agent edited later is the edited one).
 */
export function ticketAsCreated(stored: Ticket, created: CreateRecord | undefined, decidedAt: string): Ticket {
  const given = created?.fields ?? {};
  const fields = Object.fromEntries(FIELDS.map((f) => [f, typeof given[f] === 'string' ? given[f] : null])) as Pick<Ticket, (typeof FIELDS)[number]>;
  const tags = Array.isArray(created?.tags) ? created.tags.filter((t): t is string => typeof t === 'string') : [];
  return {
    ...stored,
    ...fields,
    status: 'new',
    review: false,
    tags,
    customerId: typeof created?.customerId === 'string' ? created.customerId : stored.customerId,
    updatedAt: decidedAt,
    firstResponseAt: null,
    solvedAt: null,
    closedAt: null,
    ruleSetVersion: null,
  };
}

/** The facts of a `ticket.created` evaluation, built the way the ticket service builds them. */
export function createdFacts(ticket: Ticket, message: Message | undefined, customer: Customer | null, decidedAt: string): Facts {
  return {
    ticket: ticketFact(ticket),
    message: message === undefined ? undefined : messageFact(message),
    customer: customerFact(customer),
    // SLA clocks and orders are not stored with the decision (docs/governance.md).
    sla: undefined,
    order: undefined,
    now: decidedAt,
  };
}
