/**
 * SLA clocks over the real store, on SQLite and PostgreSQL: the ticket
 * service with the clocks hooked in, a small real rule set, H1's policy and
 * calendar math, and the sweeper driven with sweepOnce(now) on a virtual
 * clock. Nothing waits on wall time; no assertion is about speed.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compileRuleSet } from '../../../rules/lib/load-rule-set.js';
import type { RuleSet } from '../../../rules/lib/rule-set.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../../test/helpers/store-harness.js';
import { SlaSweeper } from '../../scheduler/sla-sweeper.js';
import { knexRunner } from '../../store/sql-runner.js';
import { ALWAYS_OPEN_UTC, parseCalendar } from '../../sla/calendar/calendar.js';
import { computeDue, openTimeBetween } from '../../sla/calendar/compute-due.js';
import { createSlaPolicy, type PriorityTargets } from '../../sla/policy/sla-policy.js';
import type { Actor } from '../../tickets/audit-event.js';
import { ruleSetDecide } from '../../tickets/rule-set-decide.js';
import { TicketService } from '../../tickets/ticket-service.js';
import type { CreateTicketInput } from '../../tickets/ticket-input.js';
import { SlaClocks } from './sla-clocks.js';
import { timerFromRow, type SlaTimer, type SlaTimerRow } from './sla-timer.js';

const MIN = 60_000;
const T0 = Date.parse('2026-03-02T09:00:00.000Z'); // a Monday
const AGENT: Actor = { type: 'user', id: 'agent-anna' };
const CUSTOMER: Actor = { type: 'system', id: 'imap:support' };

const business = parseCalendar({ timezone: 'UTC', hours: { mon: ['08:00-16:00'], tue: ['08:00-16:00'], wed: ['08:00-16:00'], thu: ['08:00-16:00'], fri: ['08:00-16:00'] } }, 'business', { name: 'business' });
const t = (metric: 'firstResponse' | 'nextResponse' | 'resolution', ms: number, calendar = ALWAYS_OPEN_UTC) => ({ metric, targetMs: ms, calendar, text: `${ms / MIN}m` });
const P1: PriorityTargets = { firstResponse: t('firstResponse', 15 * MIN), nextResponse: t('nextResponse', 15 * MIN), resolution: t('resolution', 240 * MIN) };
const P2: PriorityTargets = { firstResponse: t('firstResponse', 60 * MIN, business), nextResponse: t('nextResponse', 60 * MIN, business), resolution: t('resolution', 480 * MIN, business) };
const POLICY = createSlaPolicy({
  source: 'test',
  thresholds: [50, 75, 80, 100],
  businessDayMs: 480 * MIN,
  calendars: new Map([['always-open', ALWAYS_OPEN_UTC], ['business', business]]),
  targets: new Map([['P1', P1], ['P2', P2]]),
  contracts: new Map([['gold', new Map([['P2', { firstResponse: t('firstResponse', 30 * MIN, business) }]])]]),
});

// Priority from the subject; the acknowledgement shows the first-response due time of the DECIDED priority.
const RULES = `
rules:
  - id: p1
    on: [ticket.created]
    priority: 60
    when: { all: [ { fact: ticket, path: subject, operator: containsAnyWord, value: [outage] } ] }
    then: [ { set: { priority: P1 } } ]
  - id: p2
    on: [ticket.created]
    priority: 59
    when: { all: [ { fact: ticket, path: priority, operator: exists, value: false } ] }
    then: [ { set: { priority: P2 } } ]
  - id: ack
    on: [ticket.created]
    priority: 10
    then: [ { acknowledge: { text: "First answer by {{ sla.firstResponse.dueAt }}" } } ]
  - id: warn-note
    on: [sla.warning, sla.breached]
    then: [ { note: { text: "{{ sla.event.metric }} {{ sla.event.threshold }} {{ sla.percent }}" } } ]
  - id: breach-to-p1
    on: [sla.breached]
    when: { all: [ { fact: sla, path: event.metric, operator: equal, value: resolution } ] }
    then: [ { set: { priority: P1 } } ]
`;

let seq = 0;
function mail(subject: string, extra: Partial<CreateTicketInput> = {}): CreateTicketInput {
  seq += 1;
  return { source: 'imap:support', externalId: `m-${seq}`, subject, channel: 'email', createdAt: new Date(T0).toISOString(), message: { from: 'jan@acme.pl', to: ['support@triage.example'], text: subject, messageId: `<m-${seq}@mail>` }, ...extra };
}

describe.each<StoreKind>(['sqlite', 'postgres'])('SLA clocks (%s)', (kind) => {
  let harness: StoreHarness;
  let ruleSet: RuleSet;

  beforeAll(() => {
    harness = createStoreHarness(kind);
    const compiled = compileRuleSet([{ path: 'sla-test.yaml', text: RULES }]);
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.diagnostics));
    ruleSet = compiled.ruleSet;
  });
  afterAll(async () => {
    await harness.close();
  });

  async function setup(): Promise<{ db: Knex; tickets: TicketService; sweeper: SlaSweeper; clocks: SlaClocks; at: (ms: number) => void; sweep: (ms: number) => ReturnType<SlaSweeper['sweepOnce']> }> {
    const db = await harness.open();
    let now = T0;
    const clock = () => new Date(now);
    const clocks = new SlaClocks({ policy: () => POLICY, math: { computeDue, openTimeBetween }, readsSla: (event) => ruleSet.factsFor(event).has('sla') });
    const tickets = new TicketService({ db, decide: ruleSetDecide(() => ruleSet), now: clock, sla: clocks });
    const sweeper = new SlaSweeper({ db, clocks, tickets, now: clock });
    const at = (ms: number) => {
      now = T0 + ms;
    };
    const sweep = (ms: number) => {
      at(ms);
      return sweeper.sweepOnce(new Date(now));
    };
    return { db, tickets, sweeper, clocks, at, sweep };
  }

  async function timers(db: Knex, ticketId: string): Promise<SlaTimer[]> {
    const order = ['firstResponse', 'nextResponse', 'resolution'];
    const rows = ((await db('sla_timers').where({ ticket_id: ticketId })) as SlaTimerRow[]).map(timerFromRow);
    return rows.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || order.indexOf(a.metric) - order.indexOf(b.metric));
  }
  async function fired(db: Knex, ticketId: string): Promise<string[]> {
    const rows = (await db('sla_events').join('sla_timers', 'sla_timers.id', 'sla_events.timer_id').where('sla_events.ticket_id', ticketId).orderBy(['sla_events.due_at', 'sla_events.threshold']).select('sla_timers.metric', 'sla_events.threshold', 'sla_events.due_at', 'sla_events.fired_at')) as { metric: string; threshold: number; due_at: string; fired_at: string }[];
    return rows.map((r) => `${r.metric}:${r.threshold}@${(Date.parse(r.due_at) - T0) / MIN}m`);
  }
  const iso = (ms: number) => new Date(T0 + ms).toISOString();

  it('starts first-response and resolution clocks at arrival with the decided priority; the acknowledgement shows the due time', async () => {
    const { db, tickets } = await setup();
    const { ticket, decision } = await tickets.createTicket(mail('Total outage'));
    expect(ticket.priority).toBe('P1');
    const rows = await timers(db, ticket.id);
    expect(rows.map((r) => [r.metric, r.status, r.priority, r.startedAt, r.dueAt, r.nextFireAt])).toEqual([
      ['firstResponse', 'running', 'P1', iso(0), iso(15 * MIN), iso(7.5 * MIN)],
      ['resolution', 'running', 'P1', iso(0), iso(240 * MIN), iso(120 * MIN)],
    ]);
    expect(rows[0]?.calendar).toBe('always-open');
    // P1 was decided by the same decision that rendered the acknowledgement.
    expect(decision?.actions.find((a) => a.type === 'acknowledge')?.params).toEqual({ text: `First answer by ${iso(15 * MIN)}` });
  });

  it('writes the clocks the sla fact was computed with, and computes them anew for a ticket written otherwise', async () => {
    const { db, tickets, clocks } = await setup();
    const newTimers = vi.spyOn(clocks as unknown as { newTimers: (...args: unknown[]) => unknown }, 'newTimers');
    const { ticket } = await tickets.createTicket(mail('Total outage'));
    // Once, for the acknowledgement's sla fact; the rows are those clocks.
    expect(newTimers).toHaveBeenCalledTimes(1);
    expect((await timers(db, ticket.id)).map((r) => [r.metric, r.priority, r.dueAt])).toEqual([
      ['firstResponse', 'P1', iso(15 * MIN)],
      ['resolution', 'P1', iso(240 * MIN)],
    ]);
    // A fact computed for P1, a ticket written as P2: the P2 clocks are computed, not the P1 ones reused.
    newTimers.mockClear();
    const now = iso(0);
    const sql = knexRunner(db);
    const source = await clocks.fact({ sql, ticket, customer: undefined, event: 'ticket.created', now, creating: true });
    if (typeof source !== 'function') throw new Error('expected the sla fact of a ticket being created');
    expect(source({ priority: 'P1' })).toMatchObject({ firstResponse: { dueAt: iso(15 * MIN) } });
    await clocks.sync({ sql, ticket: { ...ticket, priority: 'P2' }, customer: undefined, message: undefined, now, creating: true });
    expect(newTimers).toHaveBeenCalledTimes(2);
    const p2 = (await timers(db, ticket.id)).filter((r) => r.priority === 'P2');
    // The P2 targets on business hours (08:00-16:00), not P1's always-open ones: 8 h from 09:00 end at 09:00 the next day.
    expect(p2.map((r) => [r.metric, r.calendar, r.dueAt])).toEqual([
      ['firstResponse', 'business', iso(60 * MIN)],
      ['resolution', 'business', '2026-03-03T09:00:00.000Z'],
    ]);
  });

  it('fires 50/75/80/100% at the right instants, once each, and records the breach', async () => {
    const { db, tickets, sweep } = await setup();
    const { ticket } = await tickets.createTicket(mail('Total outage'));
    expect(await sweep(7 * MIN)).toEqual({ fired: 0, skipped: 0, failed: 0 });
    expect((await sweep(7.5 * MIN)).fired).toBe(1);
    expect((await sweep(11.25 * MIN)).fired).toBe(1);
    expect((await sweep(11.25 * MIN)).fired).toBe(0);
    expect((await sweep(12 * MIN)).fired).toBe(1);
    expect((await sweep(15 * MIN)).fired).toBe(1);
    expect(await fired(db, ticket.id)).toEqual(['firstResponse:50@7.5m', 'firstResponse:75@11.25m', 'firstResponse:80@12m', 'firstResponse:100@15m']);
    const [first] = await timers(db, ticket.id);
    expect(first).toMatchObject({ status: 'running', breachedAt: iso(15 * MIN), nextFireAt: null });
    const details = await tickets.getTicket(ticket.id);
    const events = details.decisions.map((d) => d.event);
    expect(events).toEqual(['ticket.created', 'sla.warning', 'sla.warning', 'sla.warning', 'sla.breached']);
    // The rule saw sla.event and the flat copies.
    expect(details.decisions[1]?.decision.actions[0]?.params).toEqual({ text: 'firstResponse 50 50' });
    expect(details.decisions[4]?.decision.actions[0]?.params).toEqual({ text: 'firstResponse 100 100' });
    // A reply after the breach meets the clock late: the breach stays.
    await tickets.addMessage(ticket.id, { direction: 'outbound', kind: 'public', text: 'On it' }, AGENT);
    const [met] = await timers(db, ticket.id);
    expect(met).toMatchObject({ status: 'met', breachedAt: iso(15 * MIN) });
  });

  it('a sweep after downtime fires every threshold passed, in order, at the sweep instant', async () => {
    const { db, tickets, sweep } = await setup();
    const { ticket } = await tickets.createTicket(mail('Total outage'));
    expect((await sweep(130 * MIN)).fired).toBe(5);
    expect(await fired(db, ticket.id)).toEqual(['firstResponse:50@7.5m', 'firstResponse:75@11.25m', 'firstResponse:80@12m', 'firstResponse:100@15m', 'resolution:50@120m']);
    const firedAt = (await db('sla_events').where({ ticket_id: ticket.id }).pluck('fired_at')) as string[];
    expect(new Set(firedAt)).toEqual(new Set([iso(130 * MIN)]));
  });

  it('the first public agent reply meets first response; an automatic acknowledgement or an internal note does not', async () => {
    const { db, tickets, at, sweep } = await setup();
    const { ticket } = await tickets.createTicket(mail('Total outage'));
    at(1 * MIN);
    await tickets.addMessage(ticket.id, { direction: 'outbound', kind: 'public', text: 'We received it', data: { automatic: true } }, { type: 'rule', id: 'ack' });
    await tickets.addMessage(ticket.id, { direction: 'outbound', kind: 'internal', text: 'looking' }, AGENT);
    expect((await timers(db, ticket.id))[0]?.status).toBe('running');
    at(5 * MIN);
    await tickets.addMessage(ticket.id, { direction: 'outbound', kind: 'public', text: 'Fixing it now' }, AGENT);
    const [first, resolution] = await timers(db, ticket.id);
    expect(first).toMatchObject({ status: 'met', metAt: iso(5 * MIN), nextFireAt: null, breachedAt: null });
    expect(resolution?.status).toBe('running');
    expect((await sweep(20 * MIN)).fired).toBe(0);
  });

  it('a customer message after the first response starts next response; the next agent reply meets it', async () => {
    const { db, tickets, at, sweep } = await setup();
    const { ticket } = await tickets.createTicket(mail('Total outage'));
    at(2 * MIN);
    await tickets.addMessage(ticket.id, { direction: 'outbound', kind: 'public', text: 'Hello' }, AGENT);
    at(10 * MIN);
    await tickets.addMessage(ticket.id, { from: 'jan@acme.pl', text: 'Still down', messageId: '<follow-1@mail>' }, CUSTOMER);
    at(12 * MIN);
    await tickets.addMessage(ticket.id, { from: 'jan@acme.pl', text: 'Hello?', messageId: '<follow-2@mail>' }, CUSTOMER);
    let next = (await timers(db, ticket.id)).filter((r) => r.metric === 'nextResponse');
    // One clock, from the first unanswered customer message.
    expect(next.map((r) => [r.status, r.startedAt, r.dueAt])).toEqual([['running', iso(10 * MIN), iso(25 * MIN)]]);
    expect((await sweep(17.5 * MIN)).fired).toBe(1);
    at(20 * MIN);
    await tickets.addMessage(ticket.id, { direction: 'outbound', kind: 'public', text: 'Working on it' }, AGENT);
    next = (await timers(db, ticket.id)).filter((r) => r.metric === 'nextResponse');
    expect(next.map((r) => [r.status, r.metAt])).toEqual([['met', iso(20 * MIN)]]);
    at(30 * MIN);
    await tickets.addMessage(ticket.id, { from: 'jan@acme.pl', text: 'Thanks, and?', messageId: '<follow-3@mail>' }, CUSTOMER);
    next = (await timers(db, ticket.id)).filter((r) => r.metric === 'nextResponse');
    expect(next.map((r) => [r.status, r.startedAt])).toEqual([['met', iso(10 * MIN)], ['running', iso(30 * MIN)]]);
  });

  it('Pending pauses every running clock; leaving it resumes and moves the due times by the pause', async () => {
    const { db, tickets, at, sweep } = await setup();
    const { ticket } = await tickets.createTicket(mail('Total outage'));
    at(5 * MIN);
    await tickets.changeStatus(ticket.id, 'pending', AGENT);
    expect((await timers(db, ticket.id)).map((r) => [r.status, r.pausedAt, r.dueAt, r.nextFireAt])).toEqual([
      ['paused', iso(5 * MIN), null, null],
      ['paused', iso(5 * MIN), null, null],
    ]);
    expect((await sweep(60 * MIN)).fired).toBe(0);
    at(30 * MIN);
    await tickets.changeStatus(ticket.id, 'open', AGENT);
    const rows = await timers(db, ticket.id);
    // 25 minutes of pause: due 15 + 25, 50% at 7.5 + 25.
    expect(rows.map((r) => [r.status, r.pauses, r.dueAt, r.nextFireAt])).toEqual([
      ['running', [[iso(5 * MIN), iso(30 * MIN)]], iso(40 * MIN), iso(32.5 * MIN)],
      ['running', [[iso(5 * MIN), iso(30 * MIN)]], iso(265 * MIN), iso(145 * MIN)],
    ]);
    expect((await sweep(32 * MIN)).fired).toBe(0);
    expect((await sweep(32.5 * MIN)).fired).toBe(1);
  });

  it('a priority change recomputes from the start; fired thresholds stay fired and a past one fires at the next sweep', async () => {
    const { db, tickets, at, sweep } = await setup();
    const { ticket } = await tickets.createTicket(mail('Question about the invoice'));
    expect(ticket.priority).toBe('P2');
    // P2: 1 h of business time from Monday 09:00 → due 10:00; 50% at 09:30.
    expect((await timers(db, ticket.id))[0]).toMatchObject({ dueAt: iso(60 * MIN), nextFireAt: iso(30 * MIN), calendar: 'business' });
    expect((await sweep(30 * MIN)).fired).toBe(1);
    at(31 * MIN);
    await tickets.updateFields(ticket.id, { priority: 'P1' }, AGENT);
    const [first] = await timers(db, ticket.id);
    // P1: 15 min from 09:00 → due 09:15, already past; 50% fired before, so 75% is next (at 09:11:15, in the past).
    expect(first).toMatchObject({ priority: 'P1', targetMs: 15 * MIN, dueAt: iso(15 * MIN), nextFireAt: iso(11.25 * MIN), breachedAt: null });
    expect((await sweep(31 * MIN)).fired).toBeGreaterThanOrEqual(3);
    expect((await fired(db, ticket.id)).filter((f) => f.startsWith('firstResponse'))).toEqual(['firstResponse:75@11.25m', 'firstResponse:80@12m', 'firstResponse:100@15m', 'firstResponse:50@30m']);
    // Not back-dated: the breach is recorded at the instant the clock reached 100%, fired when it was found.
    const breach = (await db('sla_events').where({ ticket_id: ticket.id, threshold: 100 }).first()) as { due_at: string; fired_at: string };
    expect(breach).toMatchObject({ due_at: iso(15 * MIN), fired_at: iso(31 * MIN) });
    // Back to P2: the breach is not hidden, nothing fires twice.
    at(32 * MIN);
    await tickets.updateFields(ticket.id, { priority: 'P2' }, AGENT);
    const [again] = await timers(db, ticket.id);
    expect(again).toMatchObject({ priority: 'P2', breachedAt: iso(15 * MIN), nextFireAt: null });
    expect((await sweep(120 * MIN)).fired).toBe(0);
  });

  it('the customer contract level picks the contract targets, also when the CRM answers late', async () => {
    const { db, tickets, at } = await setup();
    const gold = await tickets.createTicket(mail('Question', { customerFacts: { contract: { active: true, level: 'gold' } } }));
    expect((await timers(db, gold.ticket.id))[0]).toMatchObject({ contract: 'gold', targetMs: 30 * MIN, dueAt: iso(30 * MIN) });
    const late = await tickets.createTicket(mail('Question'));
    expect((await timers(db, late.ticket.id))[0]).toMatchObject({ contract: null, targetMs: 60 * MIN });
    at(5 * MIN);
    await tickets.raiseEvent(late.ticket.id, 'ticket.enriched', { customerFacts: { contract: { active: true, level: 'gold' } } });
    expect((await timers(db, late.ticket.id))[0]).toMatchObject({ contract: 'gold', targetMs: 30 * MIN, dueAt: iso(30 * MIN), startedAt: iso(0) });
    // A change without CRM facts keeps the level.
    at(6 * MIN);
    await tickets.updateFields(late.ticket.id, { team: 'support' }, AGENT);
    expect((await timers(db, late.ticket.id))[0]).toMatchObject({ contract: 'gold' });
  });

  it('Solved meets resolution and cancels the response clocks; a rule on sla.breached may change the ticket', async () => {
    const { db, tickets, at, sweep } = await setup();
    const { ticket } = await tickets.createTicket(mail('Total outage'));
    at(60 * MIN);
    await tickets.changeStatus(ticket.id, 'solved', AGENT);
    expect((await timers(db, ticket.id)).map((r) => [r.metric, r.status, r.metAt])).toEqual([
      ['firstResponse', 'cancelled', null],
      ['resolution', 'met', iso(60 * MIN)],
    ]);
    expect((await sweep(300 * MIN)).fired).toBe(0);

    const other = await tickets.createTicket(mail('Question'));
    expect(other.ticket.priority).toBe('P2');
    // P2 resolution: 8 h of business time from Monday 09:00 → Tuesday 09:00; breach-to-p1 sets P1 on it.
    await sweep(24 * 60 * MIN);
    const after = await tickets.getTicket(other.ticket.id);
    expect(after.ticket.priority).toBe('P1');
    const resolution = (await timers(db, other.ticket.id)).find((r) => r.metric === 'resolution');
    // Recomputed to P1 (4 h 24/7 → due 13:00 Monday) by the breach's own decision; the breach stays recorded.
    expect(resolution).toMatchObject({ priority: 'P1', breachedAt: iso(24 * 60 * MIN), nextFireAt: null });
  });

  it('two sweepers at once raise each threshold exactly once', async () => {
    const { db, tickets, sweeper, clocks, at } = await setup();
    const created = [];
    for (let i = 0; i < 5; i += 1) created.push((await tickets.createTicket(mail(`Total outage ${i}`))).ticket);
    at(16 * MIN);
    const other = new SlaSweeper({ db, clocks, tickets, now: () => new Date(T0 + 16 * MIN), batchSize: 2 });
    const [a, b] = await Promise.all([sweeper.sweepOnce(new Date(T0 + 16 * MIN)), other.sweepOnce(new Date(T0 + 16 * MIN))]);
    expect(a.fired + b.fired).toBe(20);
    expect(a.failed + b.failed).toBe(0);
    const rows = (await db('sla_events').count({ n: '*' }).first()) as { n: number | string };
    expect(Number(rows.n)).toBe(20);
    const decisions = (await db('decisions').whereIn('event', ['sla.warning', 'sla.breached']).count({ n: '*' }).first()) as { n: number | string };
    expect(Number(decisions.n)).toBe(20);
  });

  it('the sla fact shows each clock with due time, percent, breached and met', async () => {
    const { tickets, at } = await setup();
    const { ticket } = await tickets.createTicket(mail('Total outage'));
    at(3 * MIN);
    const seen: Record<string, unknown>[] = [];
    const probe = new TicketService({
      db: (tickets as unknown as { db: Knex }).db,
      decide: (input) => {
        seen.push(input.sla as Record<string, unknown>);
        return ruleSetDecide(() => ruleSet)(input);
      },
      now: () => new Date(T0 + 3 * MIN),
      sla: new SlaClocks({ policy: () => POLICY, math: { computeDue, openTimeBetween } }),
    });
    await probe.updateFields(ticket.id, { team: 'ops' }, AGENT);
    expect(seen[0]).toMatchObject({
      paused: false,
      firstResponse: { status: 'running', dueAt: iso(15 * MIN), percent: 20, elapsedMinutes: 3, breached: false, metAt: null, targetMinutes: 15 },
      resolution: { status: 'running', dueAt: iso(240 * MIN), percent: 1, breached: false },
    });
    expect(seen[0]).not.toHaveProperty('event');
  });
});
