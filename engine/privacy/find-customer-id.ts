import type { Knex } from 'knex';
import { normalizeEmail, normalizePhone } from '../tickets/customer-identity.js';

/**
 * The customer an erasure request names: a customer id, or the e-mail address
 * or phone number the person wrote from (requests arrive that way; nobody
 * knows their customer id). Matched exactly against the stored identities,
 * never by company domain: a domain is a company, not a person. Undefined when
 * nothing matches.
 */
export async function findCustomerId(db: Knex, ref: string): Promise<string | undefined> {
  const byId = (await db('customers').where({ id: ref }).first('id')) as { id: string } | undefined;
  if (byId !== undefined) return byId.id;
  const email = normalizeEmail(ref);
  const phone = email === undefined ? normalizePhone(ref) : undefined;
  const identity = email !== undefined ? { kind: 'email', value: email } : phone !== undefined ? { kind: 'phone', value: phone } : undefined;
  if (identity === undefined) return undefined;
  const row = (await db('customer_identities').where(identity).first('customer_id')) as { customer_id: string } | undefined;
  return row?.customer_id;
}
