import type { Knex } from 'knex';
import { runCli } from '../../cli/index.js';
import { bufferIo } from '../../cli/test-io.js';
import { createDatabase } from '../../engine/store/create-database.js';
import { migrateToLatest } from '../../engine/store/migrate-to-latest.js';
import { createTempSqliteFile, type TempSqliteFile } from './sqlite.js';

export interface CliSqlite {
  file: TempSqliteFile;
  /** What the CLI reads: TRIAGE_SQLITE_PATH and USER (the actor it records). */
  env: Record<string, string>;
}

/**
 * A migrated temp SQLite file for CLI command tests, filled by `seed`. The
 * seeding connection is closed before it returns, so the CLI opens the file
 * on its own as it does in production.
 */
export async function seededCliSqlite(user: string, seed: (db: Knex) => Promise<void>): Promise<CliSqlite> {
  const file = await createTempSqliteFile();
  const db = await createDatabase({ sqlitePath: file.path });
  try {
    await migrateToLatest(db);
    await seed(db);
  } finally {
    await db.destroy();
  }
  return { file, env: { TRIAGE_SQLITE_PATH: file.path, USER: user } };
}

/** Runs `triage <argv…>` with buffered output. */
export async function runCliCommand(env: Record<string, string>, argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo('', env);
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}
