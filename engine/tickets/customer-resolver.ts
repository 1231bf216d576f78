import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { isUniqueViolation } from '../store/is-unique-violation.js';
import { queryOnConnection } from '../store/run-on-connection.js';
import type { Customer, CustomerHints, CustomerIdentity } from './customer.js';
import { identitiesFromHints, type IdentityOptions } from './customer-identity.js';
import { customerFromRow, customerToRow, identityToRow, type CustomerIdentityRow, type CustomerRow } from './ticket-row.js';

const MAX_ATTEMPTS = 5;

/**
 * What the identities of a set of hints point at, read in one query: who owns
 * each identity, and the customers they belong to with all their identities.
 */
export interface CustomerLookup {
  /** The identities looked up, strongest first. */
  identities: readonly CustomerIdentity[];
  /** The customer the strongest owned identity belongs to; null when none is owned. */
  customer: Customer | null;
  /**
   * True when resolving writes nothing: a customer matched and every identity
   * already belongs to a customer (this one or another).
   */
  settled: boolean;
  /** `kind:value` → customer id. */
  owners: ReadonlyMap<string, string>;
}

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
 * correct customer record, not a partial ticket. Pass `known` (a
 * lookupCustomer of the same hints just before) to save the first query.
 */
export async function resolveCustomer(
  db: Knex,
  hints: CustomerHints | undefined,
  options: IdentityOptions & { now: string },
  known?: CustomerLookup,
): Promise<Customer | null> {
  const identities = known?.identities ?? identitiesFromHints(hints ?? {}, options);
  if (identities.length === 0) return null;
  let lookup = known;
  for (let attempt = 1; ; attempt++) {
    lookup ??= await lookupCustomer(db, identities);
    const { customer, owners } = lookup;
    if (customer !== null) {
      if (lookup.settled) return customer;
      // Another request may claim the same identity meanwhile; first one wins.
      await db('customer_identities')
        .insert(identities.filter((i) => !owners.has(key(i))).map((i) => identityToRow(i, customer.id, options.now)))
        .onConflict(['kind', 'value'])
        .ignore();
      // Read again: the customer comes back with exactly the identities it now owns.
      lookup = undefined;
      if (attempt < MAX_ATTEMPTS) continue;
      return (await lookupCustomer(db, identities)).customer;
    }
    try {
      return await createCustomer(db, hints ?? {}, [...identities], options.now);
    } catch (error) {
      // Two requests created the same new customer at once: the loser looks again.
      lookup = undefined;
      if (attempt < MAX_ATTEMPTS && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

/**
 * Read-only: which customers own these identities (strongest first), in one
 * query that also brings the matched customer's row and all its identities
 * (formerly three: owners, customer, identities).
 */
export async function lookupCustomer(db: Knex | Knex.Transaction, identities: readonly CustomerIdentity[]): Promise<CustomerLookup> {
  if (identities.length === 0) return { identities, customer: null, settled: false, owners: new Map() };
  // Plain SQL on the connection rather than the query builder: this runs before every new ticket, and knex's
  // machinery costs more than the lookup itself.
  const sql = lookupSql(identities.length);
  const bindings = identities.flatMap((i) => [i.kind, i.value]);
  const rows = (await queryOnConnection(db, sql, bindings)) as unknown as LookupRow[];
  const owners = new Map(rows.map((r) => [`${r.matched_kind}:${r.matched_value}`, r.id]));
  const match = identities.map((i) => owners.get(key(i))).find((id) => id !== undefined);
  const own = rows.filter((r) => r.id === match);
  const first = own[0];
  if (match === undefined || first === undefined) return { identities, customer: null, settled: false, owners };
  // One row per (matched identity, identity of the customer): the same identity may come more than once.
  const seen = new Set<string>();
  const identityRows = own.filter((r) => !seen.has(`${r.kind}:${r.value}`) && seen.add(`${r.kind}:${r.value}`) !== undefined);
  const customer = customerFromRow(first, identityRows.map((r) => ({ kind: r.kind, value: r.value, customer_id: r.id, created_at: r.created_at })));
  return { identities, customer, settled: identities.every((i) => owners.has(key(i))), owners };
}

const lookupSqlByCount = new Map<number, string>();

/** Owners of `count` identities, with each owner's row and all its identities (ordered like loadCustomer). */
function lookupSql(count: number): string {
  let text = lookupSqlByCount.get(count);
  if (text === undefined) {
    text =
      'select m."kind" as "matched_kind", m."value" as "matched_value", c."id", c."name", c."segment", c."data", c."created_at", i."kind", i."value" ' +
      'from "customer_identities" m join "customers" c on c."id" = m."customer_id" join "customer_identities" i on i."customer_id" = m."customer_id" ' +
      `where ${Array.from({ length: count }, () => '(m."kind" = ? and m."value" = ?)').join(' or ')} order by i."kind", i."value"`;
    lookupSqlByCount.set(count, text);
  }
  return text;
}

interface LookupRow extends CustomerRow {
  matched_kind: string;
  matched_value: string;
  kind: string;
  value: string;
}

export async function loadCustomer(db: Knex | Knex.Transaction, id: string): Promise<Customer | null> {
  const row = (await db('customers').where({ id }).first()) as CustomerRow | undefined;
  if (row === undefined) return null;
  const identities = (await db('customer_identities').where({ customer_id: id }).orderBy(['kind', 'value'])) as CustomerIdentityRow[];
  return customerFromRow(row, identities);
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
