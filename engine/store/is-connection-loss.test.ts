import { describe, expect, it } from 'vitest';
import { TriageError } from '../errors/triage-error.js';
import { isConnectionLoss } from './is-connection-loss.js';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('isConnectionLoss', () => {
  it('recognizes a refused or broken connection, on the socket and from PostgreSQL', () => {
    expect(isConnectionLoss(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isConnectionLoss(withCode('read ECONNRESET', 'ECONNRESET'))).toBe(true);
    expect(isConnectionLoss(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''))).toBe(true);
    // pg_ctl stop -m fast / immediate, and the server still starting up
    expect(isConnectionLoss(withCode('terminating connection due to administrator command', '57P01'))).toBe(true);
    expect(isConnectionLoss(withCode('the database system is starting up', '57P03'))).toBe(true);
    expect(isConnectionLoss(withCode('connection failure', '08006'))).toBe(true);
    // node-postgres: a socket that closed under a query has a message and no code; knex prefixes the SQL
    expect(isConnectionLoss(new Error('BEGIN; - Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionLoss(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isConnectionLoss(Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }))).toBe(true);
    expect(isConnectionLoss(new Error('insert failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') }))).toBe(true);
    expect(isConnectionLoss(new TriageError('TRIAGE_STORE_UNAVAILABLE', ['postgres://db/triage: connect ECONNREFUSED']))).toBe(true);
  });

  it('leaves statement errors, SQLite errors and connector failures alone', () => {
    expect(isConnectionLoss(withCode('duplicate key value violates unique constraint', '23505'))).toBe(false);
    expect(isConnectionLoss(withCode('relation "tickets" does not exist', '42P01'))).toBe(false);
    expect(isConnectionLoss(withCode('database is locked', 'SQLITE_BUSY'))).toBe(false);
    expect(isConnectionLoss(new Error('Cannot read properties of undefined'))).toBe(false);
    expect(isConnectionLoss(undefined)).toBe(false);
    expect(isConnectionLoss('ECONNREFUSED')).toBe(false);
    // a CRM that refuses the connection is the CRM's outage, not the database's
    expect(isConnectionLoss(new TriageError('TRIAGE_EVAL_FACT_FAILED', ['customer', 'refused'], { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') }))).toBe(false);
  });
});
