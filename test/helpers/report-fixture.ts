import type { Knex } from 'knex';
import { CsatService } from '../../engine/automations/csat-service.js';
import { newCsatToken } from '../../engine/automations/csat-token.js';
import { ALWAYS_OPEN_UTC } from '../../engine/sla/calendar/calendar.js';
import { computeDue, openTimeBetween } from '../../engine/sla/calendar/compute-due.js';
import { SlaClocks } from '../../engine/sla/clocks/sla-clocks.js';
import { createSlaPolicy, type PriorityTargets } from '../../engine/sla/policy/sla-policy.js';
import type { Actor } from '../../engine/tickets/audit-event.js';
import { ruleSetDecide } from '../../engine/tickets/rule-set-decide.js';
import { TicketService } from '../../engine/tickets/ticket-service.js';
import { compileRuleSet } from '../../rules/lib/load-rule-set.js';

export const MIN = 60_000;
/** A Monday, 09:00 UTC (10:00 in Warsaw: no DST before March 29). */
export const REPORT_T0 = Date.parse('2026-03-02T09:00:00.000Z');
/** When the reports are run: three hours after the fixture's tickets were created. */
export const REPORT_NOW = new Date(REPORT_T0 + 180 * MIN);
/** A range holding A–E, not F (created two days earlier). */
export const REPORT_FROM = new Date(REPORT_T0 - 60 * MIN).toISOString();
export const REPORT_TO = new Date(REPORT_T0 + 24 * 60 * MIN).toISOString();

const AGENT: Actor = { type: 'user', id: 'agent-anna' };
const CUSTOMER: Actor = { type: 'system', id: 'imap:support' };

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
  - id: categorize-invoice
    on: [ticket.created]
    priority: 50
    when: { all: [ { fact: ticket, path: subject, operator: containsAnyWord, value: [invoice] } ] }
    then: [ { set: { category: invoice, team: finance } } ]
  - id: categorize-inquiry
    on: [ticket.created]
    priority: 40
    when: { all: [ { fact: ticket, path: category, operator: exists, value: false } ] }
    then: [ { set: { category: inquiry } } ]
`;

const t = (metric: 'firstResponse' | 'nextResponse' | 'resolution', minutes: number) => ({ metric, targetMs: minutes * MIN, calendar: ALWAYS_OPEN_UTC, text: `${minutes}m` });
const P1: PriorityTargets = { firstResponse: t('firstResponse', 15), nextResponse: t('nextResponse', 15), resolution: t('resolution', 240) };
const P2: PriorityTargets = { firstResponse: t('firstResponse', 60), nextResponse: t('nextResponse', 60), resolution: t('resolution', 480) };
const POLICY = createSlaPolicy({
  source: 'report-fixture',
  thresholds: [50, 75, 80, 100],
  businessDayMs: 480 * MIN,
  calendars: new Map([['always-open', ALWAYS_OPEN_UTC]]),
  targets: new Map([
    ['P1', P1],
    ['P2', P2],
  ]),
  contracts: new Map(),
});

export type FixtureTicket = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';

/**
 * Six tickets with known report answers (docs/reports.md), created through
 * the ticket service with the SLA clocks hooked in and a virtual clock; all
 * of A–E arrive at REPORT_T0:
 * - A "Invoice 1": invoice/finance P2, assigned to anna, agent reply +10 min, solved +60, CSAT 5 → FCR
 * - B "Invoice 2": invoice/finance P2, reply +20, customer follow-up +30, reply +35, solved +120, CSAT 3
 * - C "Total outage": inquiry P1, reply +30 (first response due +15: breached), open
 * - D "Question": inquiry P2, reply +40; an agent corrects the category to complaint and sets team quality
 * - E "Another question": inquiry P2, never answered (first response due +60: overdue at REPORT_NOW)
 * - F "Old question": inquiry P2, created two days before REPORT_T0, outside the range, open
 */
export async function seedReportTickets(db: Knex): Promise<Record<FixtureTicket, string>> {
  const compiled = compileRuleSet([{ path: 'report-fixture.yaml', text: RULES }]);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.diagnostics));
  const ruleSet = compiled.ruleSet;
  let now = REPORT_T0;
  const at = (minutes: number): void => {
    now = REPORT_T0 + minutes * MIN;
  };
  const clock = (): Date => new Date(now);
  const clocks = new SlaClocks({ policy: () => POLICY, math: { computeDue, openTimeBetween }, readsSla: (event) => ruleSet.factsFor(event).has('sla') });
  const tickets = new TicketService({ db, decide: ruleSetDecide(() => ruleSet), now: clock, sla: clocks });
  const secret = Buffer.from('report-fixture-secret');
  const csat = new CsatService(db, secret, clock);

  const create = async (key: string, subject: string): Promise<{ id: string; number: string }> => {
    const { ticket } = await tickets.createTicket({ source: 'imap:support', externalId: `report-${key}`, subject, channel: 'email', message: { from: 'jan@acme.pl', text: subject, messageId: `<report-${key}@mail>` } });
    return ticket;
  };
  const reply = (id: string, minutes: number) => {
    at(minutes);
    return tickets.addMessage(id, { direction: 'outbound', kind: 'public', text: 'Answer' }, AGENT);
  };

  at(-2 * 24 * 60);
  const f = await create('F', 'Old question');
  at(0);
  const a = await create('A', 'Invoice 1');
  const b = await create('B', 'Invoice 2');
  const c = await create('C', 'Total outage');
  const d = await create('D', 'Question');
  const e = await create('E', 'Another question');
  // An automatic acknowledgement is a receipt, not a response (it counts for neither FRT nor FCR).
  await tickets.addMessage(a.id, { direction: 'outbound', kind: 'public', text: 'We received it', data: { automatic: true } }, { type: 'rule', id: 'ack' });

  at(5);
  await tickets.updateFields(a.id, { assignee: 'anna' }, AGENT);
  await reply(a.id, 10);
  await reply(b.id, 20);
  await reply(c.id, 30);
  at(30);
  await tickets.addMessage(b.id, { text: 'One more thing', messageId: '<report-B-2@mail>' }, CUSTOMER);
  await reply(b.id, 35);
  await reply(d.id, 40);
  at(45);
  await tickets.updateFields(d.id, { category: 'complaint', team: 'quality' }, AGENT);
  at(60);
  await tickets.changeStatus(a.id, 'solved', AGENT);
  at(120);
  await tickets.changeStatus(b.id, 'solved', AGENT);
  at(150);
  await csat.answer(newCsatToken(a.id, secret, now, 86_400_000), { score: 5 });
  await csat.answer(newCsatToken(b.id, secret, now, 86_400_000), { score: 3 });
  return { A: a.number, B: b.number, C: c.number, D: d.number, E: e.number, F: f.number };
}
