import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../../rules/lib/rule-types.js';
import { createTestApp } from '../../../test/helpers/test-app.js';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

interface Explanation {
  ticketId: string;
  number: string;
  event: string;
  decidedAt: string;
  storedRuleSetVersion: string;
  ruleSetVersion: string;
  differs: string[];
  decision: Decision;
}

describe('GET /v1/tickets/{idOrNumber}/explain and the SLA state on tickets', () => {
  let t: TestApp;
  let readKey: string;
  let number = '';
  let id = '';
  const get = (url: string, key: string = readKey) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    t = await createTestApp();
    readKey = await t.keyWith(['tickets:read']);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/tickets',
      headers: { authorization: `Bearer ${t.adminKey}` },
      payload: { source: 'api', externalId: 'explain-1', channel: 'email', subject: 'Faktura 12/2026 - prosimy o korektę', message: { from: 'ann@example.com', text: 'Faktura ma zły NIP.' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    ({ number, id } = res.json<{ ticket: { number: string; id: string } }>().ticket);
  });
  afterAll(() => t.close());

  it('re-evaluates the stored ticket.created decision with a trace of every rule, reproducing what was stored as far as the stored facts go', async () => {
    const res = await get(`/v1/tickets/${number.toLowerCase()}/explain`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<Explanation>();
    const active = t.deps.rules.current().version;
    // The acknowledgement's text names the SLA due time, and the SLA fact of that moment is not stored:
    // the one documented gap, reported rather than hidden. Fields, tags and fired rules are reproduced.
    expect(body).toMatchObject({ ticketId: id, number, event: 'ticket.created', storedRuleSetVersion: active, ruleSetVersion: active, differs: ['actions'] });
    const stored = (await t.deps.db('decisions').where({ ticket_id: id, event: 'ticket.created' }).first()) as { decision: string; created_at: string };
    const storedDecision = JSON.parse(stored.decision) as Decision;
    expect(body.decidedAt).toBe(stored.created_at);
    expect(body.decision.firedRules).toEqual(storedDecision.firedRules);
    expect(body.decision.changes).toEqual(storedDecision.changes);
    expect(body.decision.tags).toEqual(storedDecision.tags);
    expect(body.decision.actions.map((a) => [a.type, a.ruleId])).toEqual(storedDecision.actions.map((a) => [a.type, a.ruleId]));
    // The trace names every rule of the event with its outcome; fired ones match firedRules.
    const trace = body.decision.trace ?? [];
    expect(trace.length).toBe(t.deps.rules.current().rulesFor('ticket.created').length);
    expect(trace.filter((r) => r.outcome === 'fired').map((r) => r.ruleId)).toEqual(storedDecision.firedRules);
    const conditions = trace.flatMap((r) => r.conditions);
    expect(conditions.some((c) => c.fact === 'ticket' && c.path === 'subject' && c.result && c.actual === 'Faktura 12/2026 - prosimy o korektę')).toBe(true);
    expect(body.decision.firedRules.length).toBeGreaterThan(0);
  });

  it('answers 404 for an unknown ticket and one without a stored decision, 401 without a key', async () => {
    const missing = await get('/v1/tickets/T-999999/explain');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'TRIAGE_TICKET_NOT_FOUND' });
    // A ticket whose decision rows are gone (e.g. imported): nothing to explain.
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/tickets',
      headers: { authorization: `Bearer ${t.adminKey}` },
      payload: { source: 'api', externalId: 'explain-2', subject: 'Hello', message: { text: 'Hi' } },
    });
    const other = res.json<{ ticket: { id: string; number: string } }>().ticket;
    await t.deps.db('decisions').where({ ticket_id: other.id }).delete();
    const none = await get(`/v1/tickets/${other.number}/explain`);
    expect(none.statusCode).toBe(404);
    expect(none.json()).toMatchObject({ code: 'TRIAGE_EXPLAIN_NO_DECISION' });
    const anonymous = await t.app.inject({ method: 'GET', url: `/v1/tickets/${number}/explain` });
    expect(anonymous.statusCode).toBe(401);
  });

  it('lists and reads tickets with their SLA state now', async () => {
    const list = await get('/v1/tickets?status=new&status=open');
    expect(list.statusCode, list.body).toBe(200);
    const item = list.json<{ tickets: { id: string; sla: { state: string; metric: string | null; dueAt: string | null; msLeft: number | null } }[] }>().tickets.find((x) => x.id === id);
    const timers = (await t.deps.db('sla_timers').where({ ticket_id: id, status: 'running' }).orderBy('due_at')) as { metric: string; due_at: string }[];
    // The shipped policy starts clocks on a new ticket; the soonest due one is shown, on time.
    expect(timers.length).toBeGreaterThan(0);
    expect(item?.sla).toMatchObject({ state: 'due', metric: timers[0]?.metric, dueAt: timers[0]?.due_at });
    expect(item?.sla.msLeft).toBeGreaterThan(0);
    const read = await get(`/v1/tickets/${number}`);
    expect(read.json<{ ticket: { sla: unknown } }>().ticket.sla).toMatchObject({ state: 'due', dueAt: timers[0]?.due_at });
  });
});
