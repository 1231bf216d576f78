import type { Knex } from 'knex';
import { createDatabase } from '../../engine/store/create-database.js';
import { migrateToLatest } from '../../engine/store/migrate-to-latest.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { createTempSqliteFile, type TempSqliteFile } from './sqlite.js';

export type StoreKind = 'sqlite' | 'postgres';

/**
 * Hands out fresh, migrated databases of one kind, so a contract suite can be
 * written once and run against both stores. `open()` gives every test its own
 * database; `close()` destroys the connections and drops/deletes everything.
 */
export interface StoreHarness {
  kind: StoreKind;
  /** A fresh migrated database. */
  open(): Promise<Knex>;
  /** A fresh database without any schema (for migration tests). */
  openEmpty(): Promise<Knex>;
  close(): Promise<void>;
}

export function createStoreHarness(kind: StoreKind): StoreHarness {
  return kind === 'sqlite' ? sqliteHarness() : postgresHarness();
}

function sqliteHarness(): StoreHarness {
  const files: TempSqliteFile[] = [];
  const dbs: Knex[] = [];
  const openEmpty = async (): Promise<Knex> => {
    const file = await createTempSqliteFile();
    files.push(file);
    const db = await createDatabase({ sqlitePath: file.path });
    dbs.push(db);
    return db;
  };
  return {
    kind: 'sqlite',
    openEmpty,
    async open() {
      const db = await openEmpty();
      await migrateToLatest(db);
      return db;
    },
    async close() {
      await Promise.all(dbs.splice(0).map((db) => db.destroy()));
      await Promise.all(files.splice(0).map((f) => f.cleanup()));
    },
  };
}

function postgresHarness(): StoreHarness {
  const databases: TestDatabase[] = [];
  const dbs: Knex[] = [];
  let template: Promise<TestDatabase> | undefined;

  const connect = async (test: TestDatabase): Promise<Knex> => {
    databases.push(test);
    const db = await createDatabase({ url: test.url });
    dbs.push(db);
    return db;
  };
  // Migrate once, then copy: CREATE DATABASE … TEMPLATE is far faster than
  // running the migrations for every test.
  const migratedTemplate = (): Promise<TestDatabase> => {
    template ??= (async () => {
      const t = await createTestDatabase();
      databases.push(t);
      const db = await createDatabase({ url: t.url });
      try {
        await migrateToLatest(db);
      } finally {
        await db.destroy();
      }
      return t;
    })();
    return template;
  };

  return {
    kind: 'postgres',
    openEmpty: async () => connect(await createTestDatabase()),
    open: async () => connect(await createTestDatabase({ template: (await migratedTemplate()).name })),
    async close() {
      await Promise.all(dbs.splice(0).map((db) => db.destroy()));
      // Copies first, the template last (it cannot be dropped while copied from).
      for (const d of databases.splice(0).reverse()) await d.drop();
    },
  };
}

/**
 * An empty (unmigrated) database of `kind` and a way to open more connection
 * pools to it, as several instances would; everything is undone by `cleanups`.
 */
export async function sharedDatabase(kind: StoreKind, cleanups: Array<() => Promise<void>>): Promise<() => Promise<Knex>> {
  let config: { url: string } | { sqlitePath: string };
  if (kind === 'postgres') {
    const test = await createTestDatabase();
    cleanups.push(() => test.drop());
    config = { url: test.url };
  } else {
    const file = await createTempSqliteFile();
    cleanups.push(() => file.cleanup());
    config = { sqlitePath: file.path };
  }
  return async () => {
    const db = await createDatabase(config);
    cleanups.push(() => db.destroy());
    return db;
  };
}
