import type { Knex } from 'knex';
import { migrations as allMigrations, type NamedMigration } from './migrations/migrations.js';

/** Feeds knex's migrator from the in-code list instead of a directory. */
export class CodeMigrationSource implements Knex.MigrationSource<NamedMigration> {
  constructor(private readonly list: readonly NamedMigration[] = allMigrations) {}

  getMigrations(): Promise<NamedMigration[]> {
    return Promise.resolve([...this.list]);
  }

  getMigrationName(migration: NamedMigration): string {
    return migration.name;
  }

  getMigration(migration: NamedMigration): Promise<Knex.Migration> {
    return Promise.resolve(migration.migration);
  }
}
