import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandling } from './error-handler.js';

/** A lost database connection as node-postgres and knex report it (knex puts the SQL and its bindings in front). */
const lost = (message: string, code?: string): Error => Object.assign(new Error(message), code === undefined ? {} : { code });

describe('error handling of a database outage', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify({ logger: false });
    installErrorHandling(app, 1024);
    app.get('/refused', async () => {
      throw lost('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED');
    });
    app.get('/cut', async () => {
      throw lost("insert into \"tickets\" (\"subject\") values ('Jan Kowalski, PESEL 44051401359') - Connection terminated unexpectedly");
    });
    app.get('/bug', async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'id')");
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers 503 TRIAGE_STORE_OUTAGE with Retry-After, so clients retry instead of reporting a bug', async () => {
    const res = await app.inject({ url: '/refused' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.json()).toMatchObject({ code: 'TRIAGE_STORE_OUTAGE', message: 'The database is unreachable right now: connect ECONNREFUSED 127.0.0.1:5432' });
  });

  it('never sends the statement or its values when the connection broke under a query', async () => {
    const res = await app.inject({ url: '/cut' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'TRIAGE_STORE_OUTAGE', message: 'The database is unreachable right now: Connection terminated unexpectedly' });
    expect(res.body).not.toContain('PESEL');
  });

  it('keeps other failures a 500 TRIAGE_HTTP_INTERNAL without details', async () => {
    const res = await app.inject({ url: '/bug' });
    expect(res.statusCode).toBe(500);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.json()).toMatchObject({ code: 'TRIAGE_HTTP_INTERNAL' });
    expect(res.body).not.toContain('Cannot read');
  });
});
