/**
 * The in-memory customer lookup of new tickets on SQLite (migration 0014's
 * version triggers): answered from memory while nothing changed, read again
 * after any change to customers or identities, also one made through another
 * connection to the same file, as `triage gdpr erase` in another process does.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempSqliteFile, type TempSqliteFile } from '../../test/helpers/sqlite.js';
import { eraseCustomer } from '../privacy/erase-customer.js';
import { CodeMigrationSource } from '../store/code-migration-source.js';
import { createDatabase } from '../store/create-database.js';
import { migrateToLatest } from '../store/migrate-to-latest.js';
import { migrations } from '../store/migrations/migrations.js';
import { compileRuleSet } from '../../rules/lib/load-rule-set.js';
import { CustomerLookupCache } from './customer-lookup-cache.js';
import { identitiesFromHints } from './customer-identity.js';
import { resolveCustomer } from './customer-resolver.js';
import { ruleSetDecide } from './rule-set-decide.js';
import { TicketService } from './ticket-service.js';

const NOW = '2026-03-02T09:00:00.000Z';
const RULES = `
rules:
  - id: vip
    on: [ticket.created]
    when: { fact: customer, path: segment, operator: equal, value: vip }
    then:
      - set: { priority: P1 }
`;
const JAN = identitiesFromHints({ email: 'jan@kowalski-hurt.pl' }, {});

describe('CustomerLookupCache (SQLite)', () => {
  let file: TempSqliteFile;
  let db: Knex;
  /** Another connection to the same file: what another process (the CLI) writes through. */
  let other: Knex;

  beforeAll(async () => {
    file = await createTempSqliteFile();
    db = await createDatabase({ sqlitePath: file.path });
    await migrateToLatest(db);
    other = await createDatabase({ sqlitePath: file.path });
  });

  afterAll(async () => {
    await other.destroy();
    await db.destroy();
    await file.cleanup();
  });

  async function newCustomer(email: string, name: string): Promise<string> {
    const customer = await resolveCustomer(db, { email, name }, { now: NOW });
    if (customer === null) throw new Error('no customer');
    return customer.id;
  }

  it('answers a settled lookup from memory until the customer data changes', async () => {
    const id = await newCustomer('jan@kowalski-hurt.pl', 'Jan Kowalski');
    const cache = new CustomerLookupCache(db);
    const first = await cache.lookup(JAN);
    expect(first.customer?.id).toBe(id);
    const again = await cache.lookup(JAN);
    expect(again.customer).toEqual(first.customer);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1, entries: 1 });

    // Renamed through the other connection: the next lookup reads the tables and sees the new name.
    await other('customers').where({ id }).update({ name: 'Jan K. Kowalski' });
    expect((await cache.lookup(JAN)).customer?.name).toBe('Jan K. Kowalski');
    expect(cache.stats).toMatchObject({ hits: 1, misses: 2 });
    expect((await cache.lookup(JAN)).customer?.name).toBe('Jan K. Kowalski');
    expect(cache.stats).toMatchObject({ hits: 2, misses: 2 });

    // A new identity of the same customer, inserted elsewhere, comes with the customer at once.
    await other('customer_identities').insert({ kind: 'phone', value: '+48600100200', customer_id: id, created_at: NOW });
    expect((await cache.lookup(JAN)).customer?.identities.map((i) => i.kind)).toEqual(['domain', 'email', 'phone']);
  });

  it('never attaches a customer erased in another process: the next ticket gets a new customer', async () => {
    const compiled = compileRuleSet([{ path: 'rules.yaml', text: RULES }]);
    if (!compiled.ok) throw new Error(compiled.diagnostics.map((d) => d.message).join('\n'));
    const service = new TicketService({ db, decide: ruleSetDecide(() => compiled.ruleSet) });
    const ticket = (n: number) => ({ source: 'api', externalId: `erase-${n}`, subject: 'Hello', channel: 'email', message: { from: { address: 'anna@example.org' }, text: 'Hi' } });
    const created = await service.createTicket(ticket(1));
    const anna = created.ticket.customerId;
    expect(anna).not.toBeNull();
    // Cached now: the second ticket is answered from memory.
    expect((await service.createTicket(ticket(2))).ticket.customerId).toBe(anna);

    await eraseCustomer(other, anna ?? '', { actor: 'dpo', now: () => new Date(NOW) });
    const after = await service.createTicket(ticket(3));
    expect(after.ticket.customerId).not.toBeNull();
    expect(after.ticket.customerId).not.toBe(anna);
  });

  it('does not keep lookups that would write (an identity nobody owns yet)', async () => {
    const cache = new CustomerLookupCache(db);
    const stranger = identitiesFromHints({ email: 'nobody@stranger.example' }, {});
    expect((await cache.lookup(stranger)).settled).toBe(false);
    expect((await cache.lookup(stranger)).settled).toBe(false);
    expect(cache.stats).toMatchObject({ hits: 0, misses: 2, entries: 0 });
  });

  it('keeps at most maxEntries identity sets, dropping the oldest', async () => {
    const cache = new CustomerLookupCache(db, 2);
    const sets = [];
    for (const name of ['a', 'b', 'c']) {
      await newCustomer(`${name}@bounded.example`, name);
      sets.push(identitiesFromHints({ email: `${name}@bounded.example` }, {}));
    }
    for (const set of sets) await cache.lookup(set);
    expect(cache.stats.entries).toBe(2);
    // The oldest (a) went: looking it up reads the tables again; c is still there.
    await cache.lookup(sets[2] ?? []);
    await cache.lookup(sets[0] ?? []);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 4 });
  });

  it('never caches on a database without the version (0014 rolled back): every lookup reads the tables', async () => {
    const own = await createTempSqliteFile();
    const plain = await createDatabase({ sqlitePath: own.path });
    try {
      await migrateToLatest(plain);
      await plain.migrate.down({ migrationSource: new CodeMigrationSource(migrations), name: '0014-customer-version' });
      const triggers = (await plain.raw("select name from sqlite_master where type = 'trigger' and name like '%_version'")) as unknown[];
      expect(triggers).toEqual([]);
      await resolveCustomer(plain, { email: 'ola@plain.example' }, { now: NOW });
      const cache = new CustomerLookupCache(plain);
      const ola = identitiesFromHints({ email: 'ola@plain.example' }, {});
      expect((await cache.lookup(ola)).customer).not.toBeNull();
      expect((await cache.lookup(ola)).customer).not.toBeNull();
      expect(cache.stats).toMatchObject({ hits: 0, misses: 2, entries: 0 });
    } finally {
      await plain.destroy();
      await own.cleanup();
    }
  });
});
