import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import decisionSchema from '../../../schemas/http/decision.schema.json' with { type: 'json' };
import { createTestApp } from '../../../test/helpers/test-app.js';
import { withoutSchemaMeta } from '../schema-for-route.js';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
let evaluateKey: string;

beforeAll(async () => {
  t = await createTestApp();
  evaluateKey = await t.keyWith(['evaluate']);
});
afterAll(() => t.close());

const post = (payload: unknown, headers: Record<string, string> = {}, url = '/v1/evaluate') =>
  t.app.inject({ method: 'POST', url, payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: { 'content-type': 'application/json', authorization: `Bearer ${evaluateKey}`, ...headers } });

describe('POST /v1/evaluate', () => {
  it('returns the decision of the active rule set and stores nothing', async () => {
    const before = await t.deps.db('tickets').count({ n: '*' }).first();
    const res = await post({ ticket: { number: 'T-1', subject: 'Faktura 12/2026', channel: 'web' }, customer: { segment: 'standard' } });
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect(d).toMatchObject({ event: 'ticket.created', changes: { category: 'invoice', team: 'finance', priority: 'P3' }, review: false, ruleSetVersion: t.deps.rules.current().version });
    expect(d.trace).toBeUndefined();
    const after = await t.deps.db('tickets').count({ n: '*' }).first();
    expect(Number(after?.n)).toBe(Number(before?.n));
  });

  it('?explain=true adds the trace with actual values', async () => {
    const res = await post({ event: 'sla.warning', ticket: { number: 'T-2', subject: 'x' }, customer: { name: 'Kappa', vip: true }, sla: { metric: 'firstResponse', percent: 50, elapsedMinutes: 31 } }, {}, '/v1/evaluate?explain=true');
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect(d.firedRules).toContain('vip-no-reaction-30-min');
    const vip = d.trace.find((r: { ruleId: string }) => r.ruleId === 'vip-no-reaction-30-min');
    expect(vip.conditions).toContainEqual({ fact: 'sla', path: 'elapsedMinutes', operator: 'greaterThanInclusive', value: 30, actual: 31, result: true });
  });

  it('answers exactly the documented decision shape (the route writes it with JSON.stringify, not the schema serializer)', async () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(withoutSchemaMeta(decisionSchema) as object);
    for (const [url, body] of [
      ['/v1/evaluate', { ticket: { subject: 'Faktura 12/2026', channel: 'email' }, message: { text: 'Proszę o korektę faktury', from: 'jan@example.pl' }, customer: { segment: 'vip', name: 'Kappa' } }],
      ['/v1/evaluate?explain=true', { ticket: { subject: 'Awaria krytyczna produkcji', channel: 'phone' }, customer: { name: 'Kappa', vip: true } }],
      ['/v1/evaluate?explain=true', { event: 'sla.warning', ticket: { number: 'T-2', subject: 'x' }, customer: { name: 'Kappa', vip: true }, sla: { metric: 'firstResponse', percent: 50, elapsedMinutes: 31 } }],
    ] as const) {
      const res = await post(body, {}, url);
      expect(res.statusCode).toBe(200);
      const decision: unknown = res.json();
      expect(validate(decision), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('honours an injected clock', async () => {
    const res = await post({ ticket: { subject: 'x' }, now: '2026-03-01T08:00:00Z' });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    ['missing ticket', {}, /body must have required property 'ticket'/],
    ['ticket of the wrong type', { ticket: 'Faktura' }, /body\/ticket must be object/],
    ['unknown field', { ticket: {}, tikcet: {} }, /must NOT have additional properties "tikcet"/],
    ['bad clock', { ticket: {}, now: 'yesterday' }, /body\/now must match format "date-time"/],
  ])('refuses %s with TRIAGE_HTTP_VALIDATION', async (_name, payload, message) => {
    const res = await post(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'TRIAGE_HTTP_VALIDATION', message: expect.stringMatching(message), details: expect.any(Array) });
  });

  it('refuses an unknown event with its own code', async () => {
    const res = await post({ event: 'ticket.create', ticket: {} });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('TRIAGE_EVAL_UNKNOWN_EVENT');
  });

  it('refuses invalid JSON, an empty body, a wrong content type and an oversized body with coded errors', async () => {
    expect((await post('{"ticket": ')).json()).toMatchObject({ code: 'TRIAGE_HTTP_INVALID_JSON' });
    expect((await post('')).json()).toMatchObject({ code: 'TRIAGE_HTTP_INVALID_JSON' });
    const text = await t.app.inject({ method: 'POST', url: '/v1/evaluate', payload: 'ticket=1', headers: { 'content-type': 'text/plain', authorization: `Bearer ${evaluateKey}` } });
    expect(text.statusCode).toBe(415);
    expect(text.json().code).toBe('TRIAGE_HTTP_UNSUPPORTED_MEDIA_TYPE');
    const big = await post({ ticket: { subject: 'x'.repeat(2_000_000) } });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('TRIAGE_HTTP_BODY_TOO_LARGE');
  });

  it('needs the evaluate scope', async () => {
    const readOnly = await t.keyWith(['tickets:read']);
    const res = await post({ ticket: {} }, { authorization: `Bearer ${readOnly}` });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('TRIAGE_AUTH_FORBIDDEN');
  });
});

describe('errors and service routes', () => {
  it('answers unknown routes with a coded 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'TRIAGE_HTTP_NOT_FOUND', message: 'No route GET /v1/nope' });
  });

  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { database: { ok: true }, rules: { ok: true } } });
    await post({ ticket: { subject: 'Faktura' } });
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/triage_evaluations_total\{event="ticket.created",source="api"\} \d+/);
    expect(metrics).toMatch(/triage_rule_hits_total\{rule="categorize-invoice",event="ticket.created"\} \d+/);
    expect(metrics).toMatch(/triage_http_request_duration_seconds_count\{method="POST",route="\/v1\/evaluate",status="200"\}/);
    const doc = (await t.app.inject({ url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/v1/evaluate'].post.requestBody).toBeDefined();
  });

  it('GET /v1/rules shows the active version, files and rules', async () => {
    const res = await t.app.inject({ url: '/v1/rules', headers: { authorization: `Bearer ${t.adminKey}` } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.version).toBe(t.deps.rules.current().version);
    expect(body.files.length).toBeGreaterThan(3);
    expect(body.rules.map((r: { id: string }) => r.id)).toContain('categorize-invoice');
    expect(body.lastReload).toBeNull();
  });
});
