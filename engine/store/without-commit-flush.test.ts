import { afterEach, describe, expect, it } from 'vitest';
import { createTempSqliteFile } from '../../test/helpers/sqlite.js';
import { createDatabase } from './create-database.js';
import { withoutCommitFlush } from './without-commit-flush.js';

describe('withoutCommitFlush (SQLite)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('runs the work on the connection with synchronous = NORMAL and puts FULL back, also when the work fails', async () => {
    const file = await createTempSqliteFile();
    cleanups.push(file.cleanup);
    const db = await createDatabase({ sqlitePath: file.path });
    cleanups.push(() => db.destroy());
    const level = async (): Promise<number> => Number(((await db.raw('pragma synchronous')) as Array<{ synchronous: number }>)[0]?.synchronous);
    const inside = await withoutCommitFlush(db, async (connection) => {
      expect(connection).toBeDefined();
      const q = db.raw('pragma synchronous');
      if (connection !== undefined) void q.connection(connection);
      return Number(((await q) as Array<{ synchronous: number }>)[0]?.synchronous);
    });
    expect(inside).toBe(1);
    expect(await level()).toBe(2);
    await expect(withoutCommitFlush(db, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await level()).toBe(2);
  });
});
