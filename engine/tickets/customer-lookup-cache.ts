import type { Knex } from 'knex';
import { queryOnConnection } from '../store/run-on-connection.js';
import { CUSTOMERS_VERSION_COUNTER } from '../store/migrations/0014-customer-version.js';
import type { CustomerIdentity } from './customer.js';
import { lookupCustomer, type CustomerLookup } from './customer-resolver.js';

/** Distinct identity sets kept; the oldest entry goes first past this. */
export const DEFAULT_CUSTOMER_CACHE_ENTRIES = 10_000;

const VERSION_SQL = 'select "value" from "counters" where "name" = ?';

/**
 * SQLite: the customers new tickets resolved to, kept in memory while the
 * customer data has not changed.
 *
 * Most tickets come from senders seen before, and the lookup behind each
 * (three tables joined, engine/tickets/customer-resolver.ts) was one of the
 * largest items of a new ticket's work on the event loop. Triggers move a
 * version number on every change to `customers` or `customer_identities`
 * (migration 0014), by whichever process makes it: an erasure by `triage gdpr
 * erase`, a customer created or given a new identity. Each lookup reads that
 * one row first and answers from memory only if the number is the one the
 * entry was read at; any change anywhere empties the cache in effect. The
 * version is read before the lookup, so a change committed in between makes
 * the entry older than it is, never newer: it is read again next time.
 *
 * Only settled lookups are kept (every identity already owned): the others
 * write (resolveCustomer) and so change the version anyway.
 */
export class CustomerLookupCache {
  private readonly entries = new Map<string, { version: number; lookup: CustomerLookup }>();
  private hitCount = 0;
  private missCount = 0;

  constructor(
    private readonly db: Knex,
    private readonly maxEntries = DEFAULT_CUSTOMER_CACHE_ENTRIES,
  ) {}

  /** Lookups answered from memory, and lookups that read the tables (tests, diagnostics). */
  get stats(): { hits: number; misses: number; entries: number } {
    return { hits: this.hitCount, misses: this.missCount, entries: this.entries.size };
  }

  async lookup(identities: readonly CustomerIdentity[]): Promise<CustomerLookup> {
    const rows = (await queryOnConnection(this.db, VERSION_SQL, [CUSTOMERS_VERSION_COUNTER])) as Array<{ value: number | string }>;
    const first = rows[0];
    // No row: a database migrated without 0014's triggers (cannot happen after migrateToLatest); never cache then.
    const version = first === undefined ? undefined : Number(first.value);
    const key = identityKey(identities);
    const entry = this.entries.get(key);
    if (version !== undefined && entry !== undefined && entry.version === version) {
      this.hitCount += 1;
      // The identities it was read for are these (the key is made of them).
      return entry.lookup;
    }
    this.missCount += 1;
    const lookup = await lookupCustomer(this.db, identities);
    if (version === undefined || !lookup.settled) return lookup;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { version, lookup });
    return lookup;
  }
}

function identityKey(identities: readonly CustomerIdentity[]): string {
  let key = '';
  for (const i of identities) key += `${i.kind}:${i.value}\u0000`;
  return key;
}
