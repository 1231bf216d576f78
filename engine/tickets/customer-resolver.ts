import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { isUniqueViolation } from '../store/is-unique-violation.js';
import type { Customer, CustomerHints, CustomerIdentity } from './customer.js';
import { identitiesFromHints, type IdentityOptions } from './customer-identity.js';
import { customerFromRow, customerToRow, identityToRow, type CustomerIdentityRow, type CustomerRow } from './ticket-row.js';

const MAX_ATTEMPTS = 5;

/**
 * R7: one customer across channels. The same e-mail, phone number or company
 * domain resolves to the same customer; identities seen for the first time are
 * linked to it, so a caller known by e-mail is recognized when they phone.
 *
 * When hints point at different customers, the strongest identity wins:
 * e-mail, then phone, then domain. Identities already owned by another
 * customer are left where they are (merging customers is a human decision).
 *
 * Runs outside the ticket transaction (its own short transactions), so a
 * ticket that later rolls back may leave a new customer behind; that is a
 * correct customer record, not a partial ticket.
 */
export async function resolveCustomer(
  db: Knex,
  hints: CustomerHints | undefined,
  options: IdentityOptions & { now: string },
): Promise<Customer | null> {
  const identities = identitiesFromHints(hints ?? {}, options);
  if (identities.length === 0) return null;
  for (let attempt = 1; ; attempt++) {
    const owners = await findOwners(db, identities);
    const match = identities.map((i) => owners.get(key(i))).find((id) => id !== undefined);
    if (match !== undefined) {
      const unowned = identities.filter((i) => !owners.has(key(i)));
      if (unowned.length > 0) {
        // Another request may claim the same identity meanwhile; first one wins.
        await db('customer_identities')
          .insert(unowned.map((i) => identityToRow(i, match, options.now)))
          .onConflict(['kind', 'value'])
          .ignore();
      }
      const customer = await loadCustomer(db, match);
      if (customer !== null) return customer;
    }
    try {
      return await createCustomer(db, hints ?? {}, identities, options.now);
    } catch (error) {
      // Two requests created the same new customer at once: the loser looks again.
      if (attempt < MAX_ATTEMPTS && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

export async function loadCustomer(db: Knex | Knex.Transaction, id: string): Promise<Customer | null> {
  const row = (await db('customers').where({ id }).first()) as CustomerRow | undefined;
  if (row === undefined) return null;
  const identities = (await db('customer_identities').where({ customer_id: id }).orderBy(['kind', 'value'])) as CustomerIdentityRow[];
  return customerFromRow(row, identities);
}

async function findOwners(db: Knex, identities: readonly CustomerIdentity[]): Promise<Map<string, string>> {
  const rows = (await db('customer_identities')
    .select('kind', 'value', 'customer_id')
    .where((q) => {
      for (const i of identities) void q.orWhere({ kind: i.kind, value: i.value });
    })) as CustomerIdentityRow[];
  return new Map(rows.map((r) => [`${r.kind}:${r.value}`, r.customer_id]));
}

async function createCustomer(db: Knex, hints: CustomerHints, identities: CustomerIdentity[], now: string): Promise<Customer> {
  const customer: Customer = {
    id: randomUUID(),
    name: hints.name?.trim() || identities[0]?.value || null,
    segment: hints.segment ?? null,
    data: {},
    createdAt: now,
    identities: [...identities].sort((a, b) => key(a).localeCompare(key(b))),
  };
  await db.transaction(async (trx) => {
    await trx('customers').insert(customerToRow(customer));
    await trx('customer_identities').insert(identities.map((i) => identityToRow(i, customer.id, now)));
  });
  return customer;
}

function key(i: CustomerIdentity): string {
  return `${i.kind}:${i.value}`;
}
