/**
 * Upgrading several instances (docs/deployment.md): instances starting at
 * once migrate once; during a rolling restart an instance of the previous
 * version still starts on the schema a newer one migrated (migrations are
 * additive); a database whose migration list was edited is refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { expectCode } from '../../test/helpers/expect-code.js';
import { sharedDatabase, type StoreKind } from '../../test/helpers/store-harness.js';
import { migrateToLatest } from './migrate-to-latest.js';
import { migrations } from './migrations/migrations.js';

const ALL = migrations.map((m) => m.name);

describe.each<StoreKind>(['sqlite', 'postgres'])('rolling upgrade (%s)', (kind) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('migrates once when three instances start on an empty database at once', async () => {
    const open = await sharedDatabase(kind, cleanups);
    const instances = [await open(), await open(), await open()];
    const results = await Promise.all(instances.map((db) => migrateToLatest(db)));
    expect(results.flatMap((r) => r.applied)).toEqual(ALL);
    const rows = (await instances[0]?.('knex_migrations').select('name')) as { name: string }[];
    expect(rows.map((r) => r.name).sort()).toEqual([...ALL].sort());
  });

  it('lets the previous version start on a schema a newer version migrated, and refuses an edited migration list', async () => {
    const db = await (await sharedDatabase(kind, cleanups))();
    await migrateToLatest(db);
    // The previous version knows every migration but the newest.
    expect((await migrateToLatest(db, { migrations: migrations.slice(0, -1) })).applied).toEqual([]);
    // A migration the code does not know, older than the code's newest one: renamed or removed, not newer.
    await db('knex_migrations').insert({ name: '0002a-removed', batch: 99, migration_time: new Date() });
    await expectCode(migrateToLatest(db), 'TRIAGE_CLUSTER_MIGRATION_UNKNOWN');
  });
});
