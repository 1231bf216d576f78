import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { isTriageError } from '../errors/triage-error.js';
import { createTempSqliteFile, type TempSqliteFile } from '../../test/helpers/sqlite.js';
import { createDatabase, isPostgresUrl } from './create-database.js';

describe('createDatabase', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  async function tempFile(): Promise<TempSqliteFile> {
    const f = await createTempSqliteFile();
    cleanups.push(f.cleanup);
    return f;
  }
  function track(db: Knex): Knex {
    cleanups.push(() => db.destroy());
    return db;
  }
  async function pragma(db: Knex, name: string): Promise<unknown> {
    const rows = (await db.raw(`pragma ${name}`)) as Array<Record<string, unknown>>;
    return Object.values(rows[0] ?? {})[0];
  }

  it('picks PostgreSQL only for postgres:// and postgresql:// URLs', () => {
    expect(isPostgresUrl('postgres://u@h/db')).toBe(true);
    expect(isPostgresUrl('postgresql://u@h/db')).toBe(true);
    expect(isPostgresUrl('sqlite://x')).toBe(false);
    expect(isPostgresUrl('./data/triage.db')).toBe(false);
    expect(isPostgresUrl(undefined)).toBe(false);
  });

  it('opens SQLite with WAL, synchronous=FULL, busy_timeout, foreign keys and temporary files in memory, creating the directory', async () => {
    const f = await tempFile();
    const path = join(f.path, '..', 'nested', 'deeper', 'triage.db');
    const db = track(await createDatabase({ sqlitePath: path }));
    expect(await pragma(db, 'journal_mode')).toBe('wal');
    // FULL (2): a commit returns after the fsync, so an acknowledged ticket survives power loss (docs/store.md).
    expect(await pragma(db, 'synchronous')).toBe(2);
    expect(await pragma(db, 'busy_timeout')).toBe(5000);
    expect(await pragma(db, 'foreign_keys')).toBe(1);
    // MEMORY (2): group commit's savepoint journals stay off the disk (docs/store.md "Group commit").
    expect(await pragma(db, 'temp_store')).toBe(2);
  });

  it('reports an unopenable SQLite path as TRIAGE_STORE_UNAVAILABLE', async () => {
    const f = await tempFile();
    await mkdir(join(f.path, '..'), { recursive: true });
    const blocker = join(f.path, '..', 'a-file');
    await writeFile(blocker, 'not a directory');
    const error = await createDatabase({ sqlitePath: join(blocker, 'triage.db') }).catch((e: unknown) => e);
    expect(isTriageError(error) && error.code).toBe('TRIAGE_STORE_UNAVAILABLE');
  });

  it('reports an unreachable PostgreSQL as TRIAGE_STORE_UNAVAILABLE without leaking the password', async () => {
    const error = await createDatabase({ url: 'postgres://postgres:s3cret@127.0.0.1:1/triage' }).catch((e: unknown) => e);
    expect(isTriageError(error) && error.code).toBe('TRIAGE_STORE_UNAVAILABLE');
    expect(String((error as Error).message)).toMatch(/^Database is not reachable: postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/triage: /);
    expect(String((error as Error).message)).not.toContain('s3cret');
  });
});
