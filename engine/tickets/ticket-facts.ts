import type { Customer } from './customer.js';
import type { Message } from './message.js';
import type { Ticket } from './ticket.js';

/**
 * The objects handed to `decide`. Source extras kept in `data` (mailbox, form,
 * call, references…) are lifted to the top level so rules can write
 * `ticket.mailbox` rather than `ticket.data.mailbox`; stored columns win on a
 * name clash. Copies, so a decide function that mutates its input cannot
 * change what the service writes.
 */
export function ticketFact(ticket: Ticket): Record<string, unknown> {
  return structuredClone({ ...ticket.data, ...ticket });
}

export function messageFact(message: Message): Record<string, unknown> {
  return structuredClone({ ...message.data, ...message });
}

/** Customer row plus facts the caller loaded beforehand (CRM, R8); undefined when neither exists. */
export function customerFact(customer: Customer | null, extra?: Record<string, unknown>): Record<string, unknown> | undefined {
  if (customer === null && extra === undefined) return undefined;
  const base = customer === null ? {} : { ...customer.data, id: customer.id, name: customer.name, segment: customer.segment, identities: customer.identities };
  return structuredClone({ ...base, ...extra });
}
