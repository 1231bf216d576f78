import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cacheStatements } from './statement-cache.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

describe('cacheStatements', () => {
  it('hands out the same prepared statement for the same SQL, evicting the least recently used', () => {
    const db = new Database(':memory:');
    cacheStatements(db, 2);
    const a = db.prepare('select 1 as x');
    expect(db.prepare('select 1 as x')).toBe(a);
    const b = db.prepare('select 2 as x');
    expect(db.prepare('select 1 as x')).toBe(a); // a is now the most recent
    db.prepare('select 3 as x'); // evicts b
    expect(db.prepare('select 1 as x')).toBe(a);
    expect(db.prepare('select 2 as x')).not.toBe(b);
    db.close();
  });

  it('keeps answering correctly after the schema changes under a cached statement', () => {
    const db = new Database(':memory:');
    cacheStatements(db);
    db.exec('create table t (a text); insert into t values (\'x\')');
    expect(db.prepare('select * from t').all()).toEqual([{ a: 'x' }]);
    db.exec('alter table t add column b text default \'y\'');
    expect(db.prepare('select * from t').all()).toEqual([{ a: 'x', b: 'y' }]);
    db.close();
  });
});
