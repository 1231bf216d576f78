/**
 * Ticket numbers on both stores: SQLite's counter row, PostgreSQL's sequence
 * (migration 0013) — unique across instances, the format unchanged, seeded
 * from the counter on upgrade, and shared with instances of the previous
 * version (which still update the counter) during a rolling upgrade.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../store/migrate-to-latest.js';
import { CodeMigrationSource } from '../store/code-migration-source.js';
import { migrations } from '../store/migrations/migrations.js';
import { createFakeDecide } from '../../test/helpers/fake-decide.js';
import { sharedDatabase, type StoreKind } from '../../test/helpers/store-harness.js';
import { formatTicketNumber } from './ticket-number.js';
import { TicketService } from './ticket-service.js';
import type { CreateTicketInput } from './ticket-input.js';

const BEFORE_SEQUENCE = migrations.slice(0, migrations.findIndex((m) => m.name === '0013-ticket-number-sequence'));
/** What the previous version runs for every ticket (ticket-number.ts before 0013). */
const OLD_VERSION_ALLOCATE = 'update "counters" set "value" = "value" + 1 where "name" = ? returning "value"';

function item(externalId: string): CreateTicketInput {
  return { source: 'api', externalId, subject: `Ticket ${externalId}`, channel: 'api', createdAt: '2025-03-03T07:59:00.000Z' };
}


describe.each<StoreKind>(['sqlite', 'postgres'])('ticket numbers (%s)', (kind) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('continues after the counter when a database with tickets is upgraded', async () => {
    const db = await (await sharedDatabase(kind, cleanups))();
    await migrateToLatest(db, { migrations: BEFORE_SEQUENCE });
    // 41 tickets numbered by the previous version
    await db('counters').where({ name: 'ticket' }).update({ value: 41 });
    expect((await migrateToLatest(db)).applied).toContain('0013-ticket-number-sequence');
    const service = new TicketService({ db, decide: createFakeDecide() });
    expect((await service.createTicket(item('a'))).ticket.number).toBe('T-000042');
    expect((await service.createTicket(item('b'))).ticket.number).toBe('T-000043');
  });

  it('starts at T-000001 on a new database', async () => {
    const db = await (await sharedDatabase(kind, cleanups))();
    await migrateToLatest(db);
    const service = new TicketService({ db, decide: createFakeDecide() });
    expect((await service.createTicket(item('first'))).ticket.number).toBe('T-000001');
  });

  it('gives creates on two instances at once unique numbers in the unchanged format', async () => {
    const open = await sharedDatabase(kind, cleanups);
    const one = await open();
    await migrateToLatest(one);
    const two = await open();
    const services = [one, two].map((db) => new TicketService({ db, decide: createFakeDecide() }));
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => services[i % 2]?.createTicket(item(`multi-${i}`))));
    const numbers = results.map((r) => r?.ticket.number ?? '');
    expect(new Set(numbers).size).toBe(60);
    for (const n of numbers) expect(n).toMatch(/^T-\d{6}$/);
    // Nothing rolled back, so no gaps on either store.
    expect([...numbers].sort()).toEqual(Array.from({ length: 60 }, (_, i) => formatTicketNumber(i + 1)));
  });

});

describe('ticket numbers on PostgreSQL during a rolling upgrade', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('shares the sequence with instances of the previous version during a rolling upgrade, and down hands the counter back', async () => {
    const open = await sharedDatabase('postgres', cleanups);
    const db = await open();
    await migrateToLatest(db, { migrations: BEFORE_SEQUENCE });
    await db('counters').where({ name: 'ticket' }).update({ value: 10 });
    const old = await open();
    // An old instance keeps numbering while the new version migrates.
    const oldNumbers: number[] = [];
    const oldInstance = (async () => {
      for (let i = 0; i < 40; i++) {
        const result = (await old.raw(OLD_VERSION_ALLOCATE, ['ticket'])) as { rows: Array<{ value: number }> };
        oldNumbers.push(Number(result.rows[0]?.value));
      }
    })();
    await migrateToLatest(db);
    const service = new TicketService({ db, decide: createFakeDecide() });
    const newNumbers = (await Promise.all(Array.from({ length: 40 }, (_, i) => service.createTicket(item(`new-${i}`))))).map((r) => Number(r.ticket.number.slice(2)));
    await oldInstance;
    const all = [...oldNumbers, ...newNumbers];
    expect(new Set(all).size).toBe(80);
    expect(Math.min(...all)).toBe(11);
    expect(Math.max(...all)).toBe(90);
    // The counter row follows the sequence (the trigger writes what nextval gave the old instance).
    const afterOld = (await old.raw(OLD_VERSION_ALLOCATE, ['ticket'])) as { rows: Array<{ value: number }> };
    expect(Number(afterOld.rows[0]?.value)).toBe(91);
    expect((await service.createTicket(item('after'))).ticket.number).toBe('T-000092');

    // Downgrade: 0013's down leaves the counter at the last number given out (the migrations after it first).
    const source = new CodeMigrationSource(migrations);
    const after = migrations.slice(migrations.findIndex((m) => m.name === '0013-ticket-number-sequence') + 1);
    for (const m of after.reverse()) await db.migrate.down({ migrationSource: source, name: m.name });
    await db.migrate.down({ migrationSource: source, name: '0013-ticket-number-sequence' });
    expect(Number(((await db('counters').where({ name: 'ticket' }).first()) as { value: number }).value)).toBe(92);
    const seq = (await db.raw("select to_regclass('ticket_number_seq') as seq")) as { rows: Array<{ seq: string | null }> };
    expect(seq.rows[0]?.seq).toBeNull();
  });
});
