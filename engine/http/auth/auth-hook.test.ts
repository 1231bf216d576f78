/**
 * Authentication through the real app (buildApp with real deps on a temp
 * SQLite file): API keys, scopes, channel signatures, and that neither keys
 * nor secrets reach logs or error responses.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type ResolvedConfig } from '../../config/load-config.js';
import { RuleSetHolder } from '../../rules-runtime/rule-set-holder.js';
import { packageRoot } from '../../runtime/package-root.js';
import { createDatabase } from '../../store/create-database.js';
import { migrateToLatest } from '../../store/migrate-to-latest.js';
import { ruleSetDecide } from '../../tickets/rule-set-decide.js';
import { TicketService } from '../../tickets/ticket-service.js';
import { buildApp, REDACTED_PATHS } from '../build-app.js';
import { createMetrics } from '../metrics.js';
import { ApiKeyStore } from './api-key-store.js';
import { SCOPES, type Scope } from './principal.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signPayload } from './verify-signature.js';

const PHONE_SECRET = `phone-secret-${randomBytes(16).toString('hex')}`;

let dir: string;
let db: Knex;
let rules: RuleSetHolder;
let keys: ApiKeyStore;
let app: FastifyInstance;
let logLines: string[];
let config: ResolvedConfig;

/** Every key made in this file, so the log check can look for all of them. */
const issued: string[] = [];
async function keyWith(scopes: Scope[]): Promise<string> {
  const { key } = await keys.create({ name: `k${issued.length}`, scopes });
  issued.push(key);
  return key;
}
const nameOf = (key: string): string => `k${issued.indexOf(key)}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'triage-auth-'));
  const configFile = join(dir, 'triage.config.yaml');
  await writeFile(configFile, 'rules:\n  watch: false\nchannels:\n  phone:\n    secret: ${env:PHONE_SECRET}\n');
  config = await loadConfig({ file: configFile, env: { PHONE_SECRET, TRIAGE_SQLITE_PATH: join(dir, 'triage.db') } });
  db = await createDatabase({ sqlitePath: config.database.sqlitePath });
  await migrateToLatest(db);
  rules = await RuleSetHolder.open(join(packageRoot(), 'rules', 'default'));
  keys = new ApiKeyStore(db);
  const tickets = new TicketService({ db, decide: ruleSetDecide(() => rules.current()) });
  logLines = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  // Trace level: every line fastify and the hooks can write ends up in logLines.
  app = await buildApp({ config, db, rules, tickets, keys, metrics: createMetrics() }, { logger: { level: 'trace', redact: REDACTED_PATHS, stream } });

  // Test-only routes: one per scope, and a signed channel route like the phone webhook.
  for (const scope of SCOPES) {
    app.get(`/test/scope/${scope.replace(':', '-')}`, { config: { scope } }, async (request) => ({ principal: request.principal }));
  }
  app.post('/test/phone', { config: { scope: 'channels', signedBy: 'phone' } }, async (request) => {
    // A careless debug line that logs the request and the channel config: redaction must hide the secret.
    request.log.info({ req: request, phone: config.channels.phone }, 'phone event received');
    return { principal: request.principal, body: request.body };
  });
  app.post('/test/chat', { config: { scope: 'channels', signedBy: 'chat' } }, async () => ({ ok: true }));
  await app.ready();
});

afterAll(async () => {
  await app.close();
  rules.close();
  await db.destroy();
  await rm(dir, { recursive: true, force: true });
});

const inject = (options: InjectOptions): Promise<LightMyRequestResponse> => app.inject(options);
const get = (url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> => inject({ method: 'GET', url, headers });
const scopeUrl = (scope: Scope): string => `/test/scope/${scope.replace(':', '-')}`;

function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  expect({ status: res.statusCode, code: (res.json() as { code?: string }).code }).toEqual({ status, code });
}

describe('API keys', () => {
  it('no key → 401 TRIAGE_AUTH_MISSING_KEY', async () => {
    const res = await get(scopeUrl('evaluate'));
    expectError(res, 401, 'TRIAGE_AUTH_MISSING_KEY');
    expect(res.json()).toMatchObject({ message: 'No API key given', hint: expect.stringContaining('Authorization: Bearer') });
    // An empty bearer token is refused too (auth-hook reports it as an invalid key).
    expect((await get(scopeUrl('evaluate'), { authorization: 'Bearer ' })).statusCode).toBe(401);
    expectError(await get(scopeUrl('evaluate'), { authorization: 'Basic dXNlcjpwYXNz' }), 401, 'TRIAGE_AUTH_MISSING_KEY');
  });

  it('unknown or revoked key → 401 TRIAGE_AUTH_INVALID_KEY', async () => {
    expectError(await get(scopeUrl('evaluate'), { authorization: 'Bearer trg_nope' }), 401, 'TRIAGE_AUTH_INVALID_KEY');
    const key = await keyWith(['admin']);
    expect((await get(scopeUrl('evaluate'), { authorization: `Bearer ${key}` })).statusCode).toBe(200);
    await keys.revoke(nameOf(key));
    expectError(await get(scopeUrl('evaluate'), { authorization: `Bearer ${key}` }), 401, 'TRIAGE_AUTH_INVALID_KEY');
  });

  it('key without the scope → 403 TRIAGE_AUTH_FORBIDDEN naming key and scope', async () => {
    const key = await keyWith(['tickets:read']);
    const res = await get(scopeUrl('tickets:write'), { 'x-api-key': key });
    expectError(res, 403, 'TRIAGE_AUTH_FORBIDDEN');
    expect((res.json() as { message: string }).message).toBe(`API key "${nameOf(key)}" lacks scope tickets:write`);
  });

  it('each scope opens exactly its routes; admin opens all', async () => {
    for (const held of SCOPES) {
      const key = await keyWith([held]);
      for (const needed of SCOPES) {
        const res = await get(scopeUrl(needed), { authorization: `Bearer ${key}` });
        expect({ held, needed, status: res.statusCode }).toEqual({ held, needed, status: held === needed || held === 'admin' ? 200 : 403 });
      }
    }
  });

  it('accepts Authorization: Bearer (any case) and X-Api-Key, and tells the route who called', async () => {
    const key = await keyWith(['evaluate']);
    const name = nameOf(key);
    const variants: Record<string, string>[] = [{ authorization: `Bearer ${key}` }, { authorization: `bearer  ${key}` }, { 'x-api-key': key }];
    for (const headers of variants) {
      const res = await get(scopeUrl('evaluate'), headers);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ principal: { name, scopes: ['evaluate'], via: 'api-key' } });
    }
  });

  it('POST /v1/evaluate works with an evaluate key and refuses a tickets key', async () => {
    const payload = { ticket: { subject: 'Faktura 03/2025' } };
    const ok = await inject({ method: 'POST', url: '/v1/evaluate', headers: { authorization: `Bearer ${await keyWith(['evaluate'])}` }, payload });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ changes: { category: 'invoice' } });
    const denied = await inject({ method: 'POST', url: '/v1/evaluate', headers: { authorization: `Bearer ${await keyWith(['tickets:write'])}` }, payload });
    expectError(denied, 403, 'TRIAGE_AUTH_FORBIDDEN');
  });

  it('leaves public routes public', async () => {
    expect((await get('/healthz')).statusCode).toBe(200);
  });
});

describe('HMAC-signed channel webhooks', () => {
  const body = JSON.stringify({ event: 'call.answered', callId: 'c-1', from: '+48 600 100 200' });
  const now = (): number => Math.floor(Date.now() / 1000);
  const signed = (headers: Record<string, string>, payload = body): Promise<LightMyRequestResponse> =>
    inject({ method: 'POST', url: '/test/phone', headers: { 'content-type': 'application/json', ...headers }, payload });

  it('accepts a valid signature over "<timestamp>.<raw body>" as the channel', async () => {
    const ts = now();
    const res = await signed({ [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signPayload(PHONE_SECRET, ts, body) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ principal: { id: 'signature:phone', name: 'signature:phone', scopes: ['channels'], via: 'signature' } });
  });

  it('accepts a timestamp just inside the 5-minute tolerance', async () => {
    const ts = now() - 290;
    const res = await signed({ [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signPayload(PHONE_SECRET, ts, body) });
    expect(res.statusCode).toBe(200);
  });

  it('signs the exact bytes: the same JSON re-formatted does not verify', async () => {
    const ts = now();
    const reformatted = JSON.stringify(JSON.parse(body) as unknown, null, 2);
    const res = await signed({ [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signPayload(PHONE_SECRET, ts, body) }, reformatted);
    expectError(res, 401, 'TRIAGE_AUTH_BAD_SIGNATURE');
  });

  it.each([
    ['a wrong secret', () => ({ [TIMESTAMP_HEADER]: String(now()), [SIGNATURE_HEADER]: signPayload('not-the-secret', now(), body) })],
    ['a truncated signature', () => ({ [TIMESTAMP_HEADER]: String(now()), [SIGNATURE_HEADER]: signPayload(PHONE_SECRET, now(), body).slice(0, -2) })],
    ['a signature without the sha256= prefix', () => ({ [TIMESTAMP_HEADER]: String(now()), [SIGNATURE_HEADER]: signPayload(PHONE_SECRET, now(), body).slice(7) })],
    ['a stale timestamp (> 5 min old)', () => ({ [TIMESTAMP_HEADER]: String(now() - 301), [SIGNATURE_HEADER]: signPayload(PHONE_SECRET, now() - 301, body) })],
    ['a timestamp from the future (> 5 min)', () => ({ [TIMESTAMP_HEADER]: String(now() + 301), [SIGNATURE_HEADER]: signPayload(PHONE_SECRET, now() + 301, body) })],
    ['a missing timestamp', () => ({ [SIGNATURE_HEADER]: signPayload(PHONE_SECRET, now(), body) })],
    ['a timestamp that is not unix seconds', () => ({ [TIMESTAMP_HEADER]: new Date().toISOString(), [SIGNATURE_HEADER]: signPayload(PHONE_SECRET, now(), body) })],
  ])('refuses %s → 401 TRIAGE_AUTH_BAD_SIGNATURE', async (_label, headers) => {
    expectError(await signed(headers()), 401, 'TRIAGE_AUTH_BAD_SIGNATURE');
  });

  it('refuses a signature for a channel without a configured secret', async () => {
    const ts = now();
    const res = await inject({ method: 'POST', url: '/test/chat', headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signPayload(PHONE_SECRET, ts, body) }, payload: body });
    expectError(res, 401, 'TRIAGE_AUTH_BAD_SIGNATURE');
  });

  it('ignores signatures on routes that are not signed channels', async () => {
    const ts = now();
    const evaluateBody = JSON.stringify({ ticket: { subject: 'x' } });
    const res = await inject({ method: 'POST', url: '/v1/evaluate', headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signPayload(PHONE_SECRET, ts, evaluateBody) }, payload: evaluateBody });
    expectError(res, 401, 'TRIAGE_AUTH_MISSING_KEY');
  });

  it('still takes an API key with the channels scope, and no credentials → 401', async () => {
    expect((await signed({ authorization: `Bearer ${await keyWith(['channels'])}` })).statusCode).toBe(200);
    expectError(await signed({}), 401, 'TRIAGE_AUTH_MISSING_KEY');
  });
});

describe('secrets stay secret', () => {
  it('never writes keys, the channel secret or signatures to the log, nor into error responses', async () => {
    const key = await keyWith(['channels']);
    const bodies: string[] = [];
    const send = async (o: InjectOptions): Promise<void> => {
      bodies.push((await inject(o)).body);
    };
    const ts = Math.floor(Date.now() / 1000);
    const payload = JSON.stringify({ event: 'call.missed', callId: 'c-2' });
    const goodSignature = signPayload(PHONE_SECRET, ts, payload);
    // Successes and failures of every kind, with credentials in every header.
    await send({ method: 'POST', url: '/test/phone', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, payload });
    await send({ method: 'POST', url: '/test/phone', headers: { 'content-type': 'application/json', 'x-api-key': key }, payload });
    await send({ method: 'POST', url: '/test/phone', headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: goodSignature }, payload });
    await send({ method: 'POST', url: '/test/phone', headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(ts - 600), [SIGNATURE_HEADER]: goodSignature }, payload });
    await send({ method: 'GET', url: scopeUrl('admin'), headers: { authorization: `Bearer ${key}` } });
    await send({ method: 'GET', url: scopeUrl('admin'), headers: { authorization: `Bearer ${key}x` } });
    await send({ method: 'POST', url: '/v1/evaluate', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, payload: '{not json' });

    const log = logLines.join('');
    expect(log).toContain('phone event received');
    expect(log).toContain('[Redacted]');
    for (const secret of [...issued, PHONE_SECRET, goodSignature, goodSignature.slice(7)]) {
      expect(log).not.toContain(secret);
      for (const b of bodies) expect(b).not.toContain(secret);
    }
    expect(bodies.join('')).not.toMatch(/at .*\.ts:\d+/); // no stack traces either
  });
});
