import { describe, expect, it } from 'vitest';
import { databaseLog } from './database-log.js';

describe('databaseLog', () => {
  it('sums up connection trouble in one line per 10 s, without SQL or stack', () => {
    const lines: string[] = [];
    let now = 0;
    const log = databaseLog((line) => lines.push(line), () => now);
    log.warn?.('Acquire connection error: Error: connect ECONNREFUSED 127.0.0.1:5432\n    at TCPConnectWrap.afterConnect (node:net:1611:16)');
    now = 2_000;
    log.warn?.('Connection Error: Error: update "outbox" set "lease_owner" = \'w1\' where "id" = \'x\' - Connection terminated unexpectedly');
    log.warn?.('Acquire connection error: Error: connect ECONNREFUSED 127.0.0.1:5432');
    now = 10_500;
    log.warn?.('Connection Error: Error: update "tickets" set "subject" = \'PESEL 44051401359\' - Connection terminated unexpectedly');
    expect(lines).toEqual([
      'triage: database connection problem: connect ECONNREFUSED 127.0.0.1:5432',
      'triage: database connection problem: Connection terminated unexpectedly (and 2 more since the last notice)',
    ]);
  });

  it('passes other warnings and errors on as single lines', () => {
    const lines: string[] = [];
    const log = databaseLog((line) => lines.push(line));
    log.warn?.('The pool has already been initialized');
    log.error?.('Pool validate threw an error\nstack…');
    log.deprecate?.('foo', 'bar');
    expect(lines).toEqual(['triage: knex: The pool has already been initialized', 'triage: knex: Pool validate threw an error', 'triage: knex: foo is deprecated, use bar']);
  });
});
