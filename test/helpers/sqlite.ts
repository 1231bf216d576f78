import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempSqliteFile {
  /** Path of a database file that does not exist yet. */
  path: string;
  /** Remove the file together with its -wal/-shm companions. */
  cleanup(): Promise<void>;
}

/** A SQLite file in its own temp directory, so WAL side files go away with it. */
export async function createTempSqliteFile(prefix = 'triage-test-'): Promise<TempSqliteFile> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return {
    path: join(dir, 'triage.db'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
