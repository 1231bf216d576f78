/**
 * The whole ticket flow with the shipped rule set (rules/default) over the
 * real store, on SQLite and PostgreSQL: create → decide → apply → audit,
 * re-delivery, review, lifecycle events, reopen, illegal transitions, and a
 * CRM fact (arrShare) driving an incident. Every test gets a fresh database.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, CreateTicketInput, RuleSet } from '../../index.js';
import { loadRuleSet, ruleSetDecide, TicketService } from '../../index.js';
import { expectCode } from '../helpers/expect-code.js';
import { rowCounts } from '../helpers/row-counts.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../helpers/store-harness.js';

const AGENT: Actor = { type: 'user', id: 'agent-anna' };
const MAILBOX: Actor = { type: 'system', id: 'imap:support' };

function mail(externalId: string, subject: string, from: string, text: string, extra: Partial<CreateTicketInput> = {}): CreateTicketInput {
  return {
    source: 'imap:support',
    externalId,
    subject,
    channel: 'email',
    createdAt: '2026-01-05T09:58:00Z',
    message: { from, to: ['support@firma.pl'], text, messageId: externalId },
    ...extra,
  };
}

const invoiceMail = (): CreateTicketInput =>
  mail('<faktura-12@acme-budowa.pl>', 'Faktura VAT 12/2026', 'Jan Kowalski <jan.kowalski@acme-budowa.pl>', 'Dzień dobry, w załączniku faktura VAT 12/2026. Pozdrawiam, Jan Kowalski');

let ruleSet: RuleSet;

beforeAll(async () => {
  const loaded = await loadRuleSet('rules/default');
  if (!loaded.ok) throw new Error('the shipped rule set rules/default does not validate');
  ruleSet = loaded.ruleSet;
});

describe.each<StoreKind>(['sqlite', 'postgres'])('ticket flow with rules/default (%s)', (kind) => {
  let harness: StoreHarness;

  beforeAll(() => {
    harness = createStoreHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  async function setup(): Promise<{ db: Knex; service: TicketService }> {
    const db = await harness.open();
    let t = Date.parse('2026-01-05T10:00:00.000Z');
    const service = new TicketService({ db, decide: ruleSetDecide(() => ruleSet), now: () => new Date((t += 1000)) });
    return { db, service };
  }

  it('(a) categorizes, routes and acknowledges an invoice mail, auditing each rule; (b) a re-delivery changes nothing', async () => {
    const { db, service } = await setup();
    const { ticket, decision, created } = await service.createTicket(invoiceMail());
    expect(created).toBe(true);
    expect(ticket).toMatchObject({
      number: 'T-000001', status: 'new', category: 'invoice', team: 'finance', priority: 'P3', language: 'pl',
      tags: ['finance'], review: false, ruleSetVersion: ruleSet.version,
    });
    expect(decision?.firedRules).toEqual(['detect-language-polish', 'categorize-invoice', 'route-invoice', 'acknowledge-email-pl']);

    const details = await service.getTicket('T-000001');
    expect(details.customer).toMatchObject({ name: 'Jan Kowalski', identities: [{ kind: 'domain', value: 'acme-budowa.pl' }, { kind: 'email', value: 'jan.kowalski@acme-budowa.pl' }] });
    const ruleRows = details.audit.filter((a) => a.actorType === 'rule').map((a) => [a.action, a.field, a.newValue, a.actorId, a.ruleSetVersion, a.event]);
    expect(ruleRows).toEqual([
      ['field.set', 'language', 'pl', 'detect-language-polish', ruleSet.version, 'ticket.created'],
      ['field.set', 'category', 'invoice', 'categorize-invoice', ruleSet.version, 'ticket.created'],
      ['field.set', 'priority', 'P3', 'categorize-invoice', ruleSet.version, 'ticket.created'],
      ['field.set', 'team', 'finance', 'route-invoice', ruleSet.version, 'ticket.created'],
      ['tag.add', null, 'finance', 'categorize-invoice', ruleSet.version, 'ticket.created'],
    ]);

    expect(details.decisions).toHaveLength(1);
    const stored = details.decisions[0];
    expect(stored).toMatchObject({ event: 'ticket.created', ruleSetVersion: ruleSet.version });
    expect(stored?.decision).toEqual(decision);
    expect(stored?.decision.actions).toEqual([
      {
        type: 'acknowledge',
        params: {
          text: 'Dziękujemy, zgłoszenie T-000001 (P3) zostało przyjęte. Odpowiemy w czasie przewidzianym dla tego priorytetu.',
          faqUrl: 'https://pomoc.example.pl/faq',
        },
        ruleId: 'acknowledge-email-pl',
        index: 0,
      },
    ]);
    expect(details.audit.find((a) => a.action === 'decision')).toMatchObject({ seq: stored?.seq, ruleSetVersion: ruleSet.version, data: { decisionId: stored?.id } });

    // (b) the same (source, externalId) again: the same ticket and decision, not one row written
    const before = await rowCounts(db);
    const again = await service.createTicket(invoiceMail());
    expect(again).toEqual({ ticket, decision, created: false });
    expect(await rowCounts(db)).toEqual(before);
    expect(await service.getTicket(ticket.id)).toEqual(details);
  });

  it('(c) holds routing of an unsure inquiry back for review', async () => {
    const { service } = await setup();
    const { ticket, decision } = await service.createTicket(mail('<oferta-1@sklep-nowak.pl>', 'Pytanie o ofertę?', 'Anna Nowak <anna@sklep-nowak.pl>', 'Czy macie w ofercie pompy ciepła?'));
    expect(decision).toMatchObject({ review: true, confidence: 0.8, suggested: { team: 'support' } });
    expect(ticket).toMatchObject({ category: 'inquiry', priority: 'P4', team: null, review: true, tags: ['needs-review'] });

    const { audit, decisions } = await service.getTicket(ticket.id);
    expect(decisions[0]?.decision).toMatchObject({ review: true, suggested: { team: 'support' } });
    expect(decisions[0]?.decision.changes).not.toHaveProperty('team');
    expect(audit.some((a) => a.field === 'team' && a.action === 'field.set')).toBe(false);
    expect(audit.find((a) => a.action === 'field.suggested')).toMatchObject({ field: 'team', newValue: 'support' });
    expect(audit.find((a) => a.action === 'tag.add')).toMatchObject({ newValue: 'needs-review', actorType: 'rule', actorId: 'review', ruleSetVersion: ruleSet.version });
    expect(audit.find((a) => a.field === 'review')).toMatchObject({ action: 'field.set', newValue: true });
  });

  it('(d) pending schedules a reminder; (e) a customer reply reopens it; (f) closed → open is refused', async () => {
    const { db, service } = await setup();
    const { ticket } = await service.createTicket(invoiceMail());

    // (d) the agent's status change evaluates status.changed in its own transaction
    const pending = await service.changeStatus(ticket.number, 'pending', AGENT);
    expect(pending.ticket.status).toBe('pending');
    expect(pending.decisions).toHaveLength(1);
    expect(pending.decisions[0]).toMatchObject({ event: 'status.changed', ruleSetVersion: ruleSet.version, firedRules: ['pending-schedule-reminder'] });
    expect(pending.decisions[0]?.actions).toEqual([{ type: 'followUp', params: { after: '5d', name: 'pending-reminder' }, ruleId: 'pending-schedule-reminder', index: 0 }]);
    let details = await service.getTicket(ticket.id);
    expect(details.decisions.map((d) => d.event)).toEqual(['ticket.created', 'status.changed']);
    expect(details.decisions[1]?.decision).toEqual(pending.decisions[0]);

    // (e) the customer answers: reopened to open, evaluated as message.received (no status.changed of its own)
    const reply = await service.addMessage(ticket.id, { from: 'jan.kowalski@acme-budowa.pl', text: 'Przesyłam brakujący numer zamówienia: 4711.', messageId: '<faktura-12-re@acme-budowa.pl>' }, MAILBOX);
    expect(reply.ticket.status).toBe('open');
    expect(reply.decision).toMatchObject({ event: 'message.received', ruleSetVersion: ruleSet.version, firedRules: [] });
    details = await service.getTicket(ticket.id);
    expect(details.ticket).toEqual(reply.ticket);
    expect(details.decisions.map((d) => d.event)).toEqual(['ticket.created', 'status.changed', 'message.received']);
    expect(details.audit.filter((a) => a.action === 'status.change').map((a) => [a.actorType, a.actorId, a.oldValue, a.newValue, a.event])).toEqual([
      ['user', 'agent-anna', 'new', 'pending', 'status.changed'],
      ['system', 'system', 'pending', 'open', 'message.received'],
    ]);

    // (f) solve and close (ticket.closed is evaluated too), then try to reopen
    await service.changeStatus(ticket.id, 'solved', AGENT);
    const closed = await service.changeStatus(ticket.id, 'closed', AGENT);
    expect(closed.decisions.map((d) => d.event)).toEqual(['status.changed', 'ticket.closed']);
    const before = await service.getTicket(ticket.id);
    const counts = await rowCounts(db);
    await expectCode(service.changeStatus(ticket.id, 'open', AGENT), 'TRIAGE_TICKET_ILLEGAL_TRANSITION');
    await expectCode(service.updateFields(ticket.id, { status: 'open', team: 'support' }, AGENT), 'TRIAGE_TICKET_ILLEGAL_TRANSITION');
    expect(await service.getTicket(ticket.id)).toEqual(before);
    expect(await rowCounts(db)).toEqual(counts);
    expect(before.ticket).toMatchObject({ status: 'closed', closedAt: expect.any(String) });
  });

  it('(g) a critical outage from a customer with a 14% ARR share is P1 with a Jira incident and a Slack alert', async () => {
    const { service } = await setup();
    const outage = (externalId: string, from: string, arrShare: number): CreateTicketInput =>
      mail(externalId, 'Awaria krytyczna - system nie działa', from, 'Awaria krytyczna: system ERP nie działa od 8:00, magazyn stoi.', {
        customerFacts: { name: 'Zieliński Logistyka', arrShare },
      });

    const { ticket, decision } = await service.createTicket(outage('<awaria-1@zielinski-logistyka.pl>', 'Piotr Zieliński <it@zielinski-logistyka.pl>', 0.14));
    expect(ticket).toMatchObject({ number: 'T-000001', priority: 'P1', category: 'service', team: 'service', tags: ['incident', 'outage'] });
    expect(decision?.firedRules).toContain('critical-outage-strategic-customer');

    const { decisions, audit, customer } = await service.getTicket(ticket.id);
    const actions = decisions[0]?.decision.actions ?? [];
    expect(actions.find((a) => a.type === 'jira.createIssue')).toEqual({
      type: 'jira.createIssue',
      params: {
        project: 'OPS',
        type: 'Incident',
        summary: 'T-000001 Awaria krytyczna - system nie działa',
        description: 'Customer Zieliński Logistyka (ARR share 0.14) reports: Awaria krytyczna: system ERP nie działa od 8:00, magazyn stoi.',
      },
      ruleId: 'critical-outage-strategic-customer',
      index: 2,
    });
    expect(actions.find((a) => a.type === 'slack.postMessage')).toEqual({
      type: 'slack.postMessage',
      params: { channel: '#incidents', text: 'P1 from Zieliński Logistyka: Awaria krytyczna - system nie działa (T-000001)' },
      ruleId: 'critical-outage-strategic-customer',
      index: 3,
    });
    expect(audit.find((a) => a.action === 'tag.add' && a.newValue === 'incident')).toMatchObject({ actorId: 'critical-outage-strategic-customer' });
    // CRM facts feed the decision but are not copied into the store (R8)
    expect(customer?.data).not.toHaveProperty('arrShare');

    // the same outage from a small customer is still P1, but opens no incident
    const small = await service.createTicket(outage('<awaria-2@maly-sklep.pl>', 'Ewa Mała <ewa@maly-sklep.pl>', 0.05));
    expect(small.ticket.priority).toBe('P1');
    expect(small.decision?.actions.map((a) => a.type)).toEqual(['acknowledge']);
  });
});
