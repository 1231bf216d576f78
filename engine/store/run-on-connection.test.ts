import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/postgres.js';
import { createTempSqliteFile, type TempSqliteFile } from '../../test/helpers/sqlite.js';
import { createDatabase } from './create-database.js';
import { queryOnConnection, runOnConnection } from './run-on-connection.js';

describe.each(['sqlite', 'postgres'] as const)('runOnConnection (%s)', (kind) => {
  let db: Knex;
  let file: TempSqliteFile | undefined;
  let pg: TestDatabase | undefined;

  beforeAll(async () => {
    if (kind === 'sqlite') {
      file = await createTempSqliteFile();
      db = await createDatabase({ sqlitePath: file.path });
    } else {
      pg = await createTestDatabase();
      db = await createDatabase({ url: pg.url });
    }
    await db.schema.createTable('t', (t) => t.text('a'));
  });

  afterAll(async () => {
    await db.destroy();
    await file?.cleanup();
    await pg?.drop();
  });

  it('runs portable SQL with bindings and answers the rows', async () => {
    await db('t').insert({ a: 'x' });
    const rows = await runOnConnection(db, (sql) => sql.run('select "a" from "t" where "a" = ?', ['x']));
    expect(rows).toEqual([{ a: 'x' }]);
  });

  /**
   * A transaction that has inserted `value` and holds on until `readDuring` has started its read, then
   * rolls back; answers what that read saw.
   */
  async function readDuringUncommittedInsert(value: string, readDuring: () => Promise<unknown>): Promise<unknown> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted!: () => void;
    const insertedSignal = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const trx = db.transaction(async (t) => {
      await t('t').insert({ a: value });
      inserted();
      await held;
      throw new Error('roll back');
    });
    trx.catch(() => undefined);
    await insertedSignal;
    const read = readDuring();
    release();
    await expect(trx).rejects.toThrow('roll back');
    return read;
  }

  it('waits for a transaction in progress instead of reading inside it', async () => {
    // On SQLite the pool's single connection is held by the transaction: the read must queue behind it,
    // or it would see the row that is about to be rolled back.
    const seen = await readDuringUncommittedInsert('uncommitted', () => runOnConnection(db, (sql) => sql.run('select "a" from "t" where "a" = ?', ['uncommitted'])));
    expect(seen).toEqual([]);
  });

  it('queryOnConnection: one statement, answered straight when the connection is idle, queued behind a transaction', async () => {
    await db('t').insert({ a: 'q' });
    // The first call goes through the pool (and, on SQLite, learns the connection); later ones may not.
    expect(await queryOnConnection(db, 'select "a" from "t" where "a" = ?', ['q'])).toEqual([{ a: 'q' }]);
    expect(await queryOnConnection(db, 'select "a" from "t" where "a" = ?', ['q'])).toEqual([{ a: 'q' }]);
    // The connection is in a transaction then: reading straight on it would see the row about to be rolled back.
    const seen = await readDuringUncommittedInsert('not yet', () => queryOnConnection(db, 'select "a" from "t" where "a" = ?', ['not yet']));
    expect(seen).toEqual([]);
    expect(await queryOnConnection(db, 'select count(*) as "n" from "t" where "a" = ?', ['not yet'])).toEqual([{ n: kind === 'sqlite' ? 0 : '0' }]);
  });

  it('runs inside a transaction it is given, seeing its writes', async () => {
    await db.transaction(async (trx) => {
      await trx('t').insert({ a: 'inside' });
      expect(await runOnConnection(trx, (sql) => sql.run('select "a" from "t" where "a" = ?', ['inside']))).toEqual([{ a: 'inside' }]);
    });
  });
});
