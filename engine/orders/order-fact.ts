import type { OrderRecord } from '../../connectors/lib/connector.js';

/** `order.lookup`: what rules can test. */
export type OrderLookupStatus = 'found' | 'not-found' | 'unavailable' | 'none';

/** Who sent the ticket, to tell whether they are the order's customer. */
export interface OrderSender {
  email?: string | null;
  phone?: string | null;
}

const DAY_MS = 86_400_000;

/**
 * The `order` fact (docs/orders.md): the shop's order with `lookup`,
 * `ageDays` (whole days since the order date, as of the evaluation's clock)
 * and `senderMatches` (the ticket's sender is the order's customer; rules
 * that send order details to the sender should require it, because anyone
 * can quote someone else's order number).
 */
export function orderFact(lookup: OrderLookupStatus, number: string | undefined, record: OrderRecord | undefined, now: string, sender: OrderSender): Record<string, unknown> {
  if (lookup === 'none') return { lookup };
  if (lookup !== 'found' || record === undefined) return { lookup, number };
  const fact: Record<string, unknown> = { ...structuredClone(record), lookup: 'found', number: record.number };
  const age = ageDays(record.date, now);
  if (age !== undefined) fact.ageDays = age;
  const matches = senderMatches(sender, record);
  if (matches !== undefined) fact.senderMatches = matches;
  return fact;
}

/** Whole days from `date` to `now`; undefined when either is not a date. */
export function ageDays(date: unknown, now: string): number | undefined {
  if (typeof date !== 'string') return undefined;
  const from = Date.parse(date);
  const to = Date.parse(now);
  if (Number.isNaN(from) || Number.isNaN(to)) return undefined;
  return Math.max(0, Math.floor((to - from) / DAY_MS));
}

/** true/false when the ticket has a sender to compare, undefined when it has none. */
export function senderMatches(sender: OrderSender, record: Pick<OrderRecord, 'customerEmail' | 'customerPhone'>): boolean | undefined {
  const email = sender.email?.trim().toLowerCase();
  const phone = lastDigits(sender.phone);
  if ((email === undefined || email === '') && phone === undefined) return undefined;
  if (email !== undefined && email !== '' && record.customerEmail?.trim().toLowerCase() === email) return true;
  return phone !== undefined && lastDigits(record.customerPhone) === phone;
}

/** The last nine digits: the same number with and without +48, spaces or dashes. */
function lastDigits(phone: string | null | undefined): string | undefined {
  const digits = (phone ?? '').replace(/\D/g, '');
  return digits.length < 6 ? undefined : digits.slice(-9);
}

/**
 * An `order` given to POST /v1/evaluate (n8n, Make, Zapier fetch it from the
 * shop themselves): `lookup` defaults to "found" when it has a number, and
 * `ageDays` is computed from `date` when absent, as for looked-up orders.
 */
export function completeOrderFact(order: Record<string, unknown> | undefined, now: string | undefined): Record<string, unknown> | undefined {
  if (order === undefined) return undefined;
  const out = { ...order };
  out.lookup ??= out.number === undefined ? 'none' : 'found';
  if (out.ageDays === undefined) {
    const age = ageDays(out.date, now ?? new Date().toISOString());
    if (age !== undefined) out.ageDays = age;
  }
  return out;
}
