import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/helpers/test-app.js';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

describe('rule governance API', () => {
  let t: TestApp;
  let readKey: string;
  const get = (url: string, key: string = readKey) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    t = await createTestApp();
    readKey = await t.keyWith(['tickets:read']);
    for (const [i, subject] of ['Faktura 12/2026', 'Where is my order?'].entries()) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/tickets',
        headers: { authorization: `Bearer ${t.adminKey}` },
        payload: { source: 'imap:support', externalId: `<gov-${i}@example.com>`, channel: 'email', subject, message: { from: 'ann@example.com', text: subject } },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
  });
  afterAll(() => t.close());

  it('GET /v1/rules/stats counts the decisions of the window per rule of the active set', async () => {
    const res = await get('/v1/rules/stats?since=1h');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ activeVersion: string; decisions: number; rules: { ruleId: string; ruleSetVersion: string; evaluated: number | null; fired: number; actions: Record<string, number> }[] }>();
    const active = t.deps.rules.status().active;
    expect(body.activeVersion).toBe(active.version);
    expect(body.decisions).toBe(2);
    // what the stored decisions say, read straight from the table
    const stored = (await t.deps.db('decisions').select('decision')) as { decision: string }[];
    const firedAck = stored.filter((d) => (JSON.parse(d.decision) as { firedRules: string[] }).firedRules.includes('acknowledge-email')).length;
    expect(firedAck).toBeGreaterThan(0);
    const ack = body.rules.find((r) => r.ruleId === 'acknowledge-email');
    // the acknowledgement stays pending: no outbox worker runs in inject tests
    expect(ack).toMatchObject({ ruleSetVersion: active.version, evaluated: 2, fired: firedAck, actions: { succeeded: 0, failed: 0, pending: firedAck, dropped: 0 } });
    // every enabled rule of the active set has a row
    expect(new Set(body.rules.map((r) => r.ruleId))).toEqual(new Set(active.rules.filter((r) => r.enabled).map((r) => r.id)));
    expect(body.rules.reduce((n, r) => n + r.fired, 0)).toBeGreaterThan(2);
  });

  it('GET /v1/rules/dead and /v1/rules/corrections answer in their schemas', async () => {
    const dead = await get('/v1/rules/dead?since=1h');
    expect(dead.statusCode, dead.body).toBe(200);
    const rules = dead.json<{ rules: { ruleId: string; reason: string }[] }>().rules;
    // nothing was closed in the window, so the rules listening only to ticket.closed saw no event
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.find((r) => r.ruleId === 'acknowledge-email')).toBeUndefined();
    const corrections = await get('/v1/rules/corrections');
    expect(corrections.statusCode, corrections.body).toBe(200);
    expect(corrections.json()).toMatchObject({ tickets: 2, correctedTickets: 0, share: 0 });
  });

  it('refuses a bad window (400, coded), an unknown parameter (400) and a key without tickets:read (403)', async () => {
    const bad = await get('/v1/rules/stats?since=lastweek');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'TRIAGE_GOVERNANCE_INVALID_SINCE' });
    expect((await get('/v1/rules/stats?window=1h')).statusCode).toBe(400);
    const writer = await t.keyWith(['tickets:write']);
    expect((await get('/v1/rules/stats', writer)).statusCode).toBe(403);
  });
});
