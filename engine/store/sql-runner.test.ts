import { describe, expect, it } from 'vitest';
import { insertRows, type SqlRunner } from './sql-runner.js';

function recorder(): { sql: SqlRunner; ran: Array<{ text: string; bindings: readonly unknown[] }> } {
  const ran: Array<{ text: string; bindings: readonly unknown[] }> = [];
  return {
    ran,
    sql: {
      run(text, bindings = []) {
        ran.push({ text, bindings });
        return Promise.resolve([]);
      },
    },
  };
}

describe('insertRows', () => {
  it('writes one INSERT per call, columns of the first row in order, undefined as NULL', async () => {
    const { sql, ran } = recorder();
    await insertRows(sql, 'tags', [
      { ticket_id: 't1', tag: 'a' },
      { ticket_id: 't1', tag: undefined },
    ]);
    expect(ran).toEqual([{ text: 'insert into "tags" ("ticket_id", "tag") values (?, ?), (?, ?)', bindings: ['t1', 'a', 't1', null] }]);
  });

  it('tells shapes apart: column order, row count, conflict column; the same shape the same text again', async () => {
    const { sql, ran } = recorder();
    await insertRows(sql, 'x', [{ a: 1, b: 2 }]);
    await insertRows(sql, 'x', [{ b: 2, a: 1 }]);
    await insertRows(sql, 'x', [{ a: 1, b: 2 }, { a: 3, b: 4 }]);
    await insertRows(sql, 'x', [{ a: 1, b: 2 }], { ignoreConflictOn: 'a' });
    await insertRows(sql, 'y', [{ a: 1, b: 2 }]);
    await insertRows(sql, 'x', [{ a: 5, b: 6 }]);
    expect(ran.map((r) => r.text)).toEqual([
      'insert into "x" ("a", "b") values (?, ?)',
      'insert into "x" ("b", "a") values (?, ?)',
      'insert into "x" ("a", "b") values (?, ?), (?, ?)',
      'insert into "x" ("a", "b") values (?, ?) on conflict ("a") do nothing',
      'insert into "y" ("a", "b") values (?, ?)',
      'insert into "x" ("a", "b") values (?, ?)',
    ]);
  });

  it('writes nothing for no rows', async () => {
    const { sql, ran } = recorder();
    await insertRows(sql, 'x', []);
    expect(ran).toEqual([]);
  });
});
