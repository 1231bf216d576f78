/**
 * The store contract: written once, run against SQLite and PostgreSQL. Every
 * test gets its own fresh database. PostgreSQL being down fails this file
 * loudly (see test/helpers/postgres.ts); it never skips.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../store/create-database.js';
import { migrateToLatest } from '../store/migrate-to-latest.js';
import { migrations } from '../store/migrations/migrations.js';
import { expectCode } from '../../test/helpers/expect-code.js';
import { countRows, rowCounts, STORE_TABLES } from '../../test/helpers/row-counts.js';
import { createFakeDecide, FAKE_RULE_SET_VERSION, type FakeDecide } from '../../test/helpers/fake-decide.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import type { Actor } from './audit-event.js';
import { TicketService, type TicketServiceOptions } from './ticket-service.js';
import type { CreateTicketInput } from './ticket-input.js';

const ALL_MIGRATIONS = migrations.map((m) => m.name);
const AGENT: Actor = { type: 'user', id: 'agent-anna' };
const CUSTOMER: Actor = { type: 'system', id: 'imap:support' };

function mail(externalId: string, subject: string, from = 'Jan Kowalski <jan@acme.pl>', extra: Partial<CreateTicketInput> = {}): CreateTicketInput {
  return {
    source: 'imap:support',
    externalId,
    subject,
    channel: 'email',
    createdAt: '2025-03-03T07:59:00.000Z',
    message: { from, to: ['support@triage.example'], cc: ['boss@acme.pl'], text: `${subject} body`, headers: { 'x-mailer': 'test' }, messageId: `<${externalId}@mail>` },
    ...extra,
  };
}

describe.each<StoreKind>(['sqlite', 'postgres'])('ticket store contract (%s)', (kind) => {
  let harness: StoreHarness;

  beforeAll(() => {
    harness = createStoreHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  /** A fresh database and a service over it with a fake rule engine and a ticking clock. */
  async function setup(options: Partial<TicketServiceOptions> = {}): Promise<{ db: Knex; service: TicketService; decide: FakeDecide }> {
    const db = await harness.open();
    const decide = createFakeDecide();
    let t = Date.parse('2025-03-03T08:00:00.000Z');
    const service = new TicketService({ db, decide, now: () => new Date((t += 1000)), ...options });
    return { db, service, decide };
  }

  it('migrates an empty database, and again is a no-op (also from two instances at once)', async () => {
    const db = await harness.openEmpty();
    for (const table of STORE_TABLES) expect(await db.schema.hasTable(table)).toBe(false);
    expect((await migrateToLatest(db)).applied).toEqual(ALL_MIGRATIONS);
    for (const table of STORE_TABLES) expect(await db.schema.hasTable(table), table).toBe(true);
    expect((await migrateToLatest(db)).applied).toEqual([]);
    // foreign keys are enforced on both stores (SQLite ships with them off)
    await expect(db('messages').insert({ id: 'm', ticket_id: 'no-such-ticket', direction: 'inbound', kind: 'public', created_at: '2025-01-01T00:00:00.000Z' })).rejects.toThrow();

    const fresh = await harness.openEmpty();
    // knex may keep the connection as a string or parse it into an object; rebuild a URL either way
    // (falling through to SQLite's default file here would test the wrong database).
    const conn = (fresh.client as { config: { connection: unknown } }).config.connection;
    const config = kind === 'postgres' ? { url: postgresUrlOf(conn) } : { sqlitePath: (conn as { filename: string }).filename };
    expect(kind === 'postgres' ? config.url : 'sqlite').toMatch(/^(postgres(ql)?:\/\/|sqlite$)/);
    const second = await createDatabase(config);
    try {
      const results = await Promise.all([migrateToLatest(fresh), migrateToLatest(second)]);
      expect(results.flatMap((r) => r.applied)).toEqual(ALL_MIGRATIONS);
      // The ticket number counter, and on SQLite the customer data version (migration 0014).
      expect(await countRows(fresh, 'counters')).toBe(kind === 'sqlite' ? 2 : 1);
    } finally {
      await second.destroy();
    }
  });

  it('creates a ticket with its first message, customer, tags and audit trail', async () => {
    const { service, decide } = await setup();
    const result = await service.createTicket(mail('m-1', 'Pytanie o zamówienie', undefined, { tags: ['email', 'vip', 'email'], fields: { language: 'pl' }, data: { mailbox: 'support', nested: { a: [1, 'x', null] } } }));
    expect(result.created).toBe(true);
    const t = result.ticket;
    expect(t).toMatchObject({
      number: 'T-000001', source: 'imap:support', externalId: 'm-1', subject: 'Pytanie o zamówienie', status: 'new',
      channel: 'email', language: 'pl', review: false, tags: ['email', 'vip'], createdAt: '2025-03-03T07:59:00.000Z',
      ruleSetVersion: FAKE_RULE_SET_VERSION, data: { mailbox: 'support', nested: { a: [1, 'x', null] } },
    });
    expect(t.customerId).toEqual(expect.any(String));
    expect(t.id).toMatch(/^[0-9a-f-]{36}$/);

    // decide saw the stored ticket (with data lifted), the message and the customer
    expect(decide.calls).toHaveLength(1);
    expect(decide.calls[0]).toMatchObject({
      event: 'ticket.created',
      ticket: { number: 'T-000001', mailbox: 'support', tags: ['email', 'vip'] },
      message: { from: { address: 'jan@acme.pl', name: 'Jan Kowalski', domain: 'acme.pl' }, text: 'Pytanie o zamówienie body' },
      customer: { id: t.customerId, name: 'Jan Kowalski' },
    });

    for (const ref of [t.id, t.number, 't-000001']) {
      const details = await service.getTicket(ref);
      expect(details.ticket).toEqual(t);
    }
    const details = await service.getTicket(t.id);
    expect(details.messages).toHaveLength(1);
    expect(details.messages[0]).toMatchObject({
      direction: 'inbound', kind: 'public', to: ['support@triage.example'], cc: ['boss@acme.pl'], subject: 'Pytanie o zamówienie',
      headers: { 'x-mailer': 'test' }, messageId: '<m-1@mail>', createdAt: '2025-03-03T07:59:00.000Z', attachments: [],
    });
    expect(details.customer?.identities).toEqual([{ kind: 'domain', value: 'acme.pl' }, { kind: 'email', value: 'jan@acme.pl' }]);
    expect(details.audit.map((a) => a.action)).toEqual(['ticket.create', 'message.add', 'decision']);
    expect(details.audit.map((a) => a.seq)).toEqual([1, 2, 3]);
    expect(details.audit[0]).toMatchObject({ actorType: 'system', actorId: 'system', event: 'ticket.created', data: { number: 'T-000001', arrivedAt: '2025-03-03T07:59:00.000Z' } });
    expect(details.decisions).toHaveLength(1);
    expect(details.decisions[0]?.decision).toEqual(result.decision);
  });

  it('numbers tickets uniquely and sequentially', async () => {
    const { service } = await setup();
    const numbers: string[] = [];
    for (let i = 1; i <= 5; i++) numbers.push((await service.createTicket(mail(`seq-${i}`, `Ticket ${i}`))).ticket.number);
    expect(numbers).toEqual(['T-000001', 'T-000002', 'T-000003', 'T-000004', 'T-000005']);
  });

  it('treats re-delivery of the same (source, externalId) as a no-op', async () => {
    const { db, service } = await setup();
    const first = await service.createTicket(mail('dup-1', 'Faktura 12/2025'));
    const before = await rowCounts(db);
    const again = await service.createTicket(mail('dup-1', 'Changed subject', 'someone@else.com', { tags: ['new-tag'] }));
    expect(again.created).toBe(false);
    expect(again.ticket).toEqual(first.ticket);
    expect(again.decision).toEqual(first.decision);
    const after = await rowCounts(db);
    expect(after).toEqual(before);
    // same external id from another source is another ticket
    const other = await service.createTicket({ ...mail('dup-1', 'Other mailbox'), source: 'imap:office' });
    expect(other.created).toBe(true);
    expect(other.ticket.number).toBe('T-000002');
  });

  it('refuses a re-delivery whose fingerprint differs with TRIAGE_TICKET_IDEMPOTENCY_CONFLICT, also when racing', async () => {
    const { db, service } = await setup();
    const first = await service.createTicket({ ...mail('fp-1', 'Faktura 1'), fingerprint: 'sha256:aaa' });
    const before = await rowCounts(db);
    const same = await service.createTicket({ ...mail('fp-1', 'Faktura 1'), fingerprint: 'sha256:aaa' });
    expect(same).toEqual({ ticket: first.ticket, decision: first.decision, created: false });
    await expectCode(service.createTicket({ ...mail('fp-1', 'Faktura 1'), fingerprint: 'sha256:bbb' }), 'TRIAGE_TICKET_IDEMPOTENCY_CONFLICT');
    expect(await rowCounts(db)).toEqual(before);
    // a ticket a channel made without a fingerprint keeps plain re-delivery semantics
    const plain = await service.createTicket(mail('fp-2', 'Plain'));
    expect((await service.createTicket({ ...mail('fp-2', 'Plain'), fingerprint: 'sha256:ccc' })).ticket.id).toBe(plain.ticket.id);

    // two different bodies racing for one key: one wins, the other is refused
    const results = await Promise.allSettled(['x', 'y'].map((v) => service.createTicket({ ...mail('fp-3', `Race ${v}`), fingerprint: `sha256:${v}` })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.status === 'rejected' ? (rejected.reason as { code?: string }).code : undefined).toBe('TRIAGE_TICKET_IDEMPOTENCY_CONFLICT');
    expect(await db('tickets').where({ external_id: 'fp-3' })).toHaveLength(1);
  });

  it('creates one ticket when the same item is delivered 10 times at once', async () => {
    const { db, service } = await setup();
    const results = await Promise.all(Array.from({ length: 10 }, () => service.createTicket(mail('race-1', 'Faktura race'))));
    expect(new Set(results.map((r) => r.ticket.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await countRows(db, 'tickets')).toBe(1);
    expect(await countRows(db, 'messages')).toBe(1);
    expect(await countRows(db, 'decisions')).toBe(1);
    expect(await countRows(db, 'customers')).toBe(1);
    const won = Number(results[0]?.ticket.number.slice(2));
    // SQLite: the losers' rolled-back numbers were not burnt; PostgreSQL's sequence may skip them (ticket-number.ts)
    if (kind === 'sqlite') expect(won).toBe(1);
    const next = Number((await service.createTicket(mail('race-2', 'next'))).ticket.number.slice(2));
    expect(kind === 'sqlite' ? next === 2 : next > won && next <= 11).toBe(true);
  });

  it('gives 50 concurrent distinct creates 50 distinct, gap-free numbers', async () => {
    const { db, service } = await setup();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => service.createTicket(mail(`many-${i}`, `Ticket ${i}`, `user${i % 7}@firma${i % 3}.pl`))));
    const numbers = results.map((r) => r.ticket.number).sort();
    expect(new Set(numbers).size).toBe(50);
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => `T-${String(i + 1).padStart(6, '0')}`));
    expect(await countRows(db, 'tickets')).toBe(50);
    // 7 addresses over 3 company domains resolve to 3 customers
    expect(await countRows(db, 'customers')).toBe(3);
  });

  it('applies the decision and audits every change with rule id and rule-set version', async () => {
    const { service } = await setup();
    const { ticket, decision } = await service.createTicket(mail('inv-1', 'Faktura FV/2025/03 - awaria krytyczna'));
    expect(decision?.firedRules).toEqual(['invoice-to-finance', 'critical-outage']);
    expect(ticket).toMatchObject({ category: 'invoice', team: 'finance', priority: 'P1', tags: ['finance', 'outage'], review: false, ruleSetVersion: FAKE_RULE_SET_VERSION });

    const { audit, decisions } = await service.getTicket(ticket.number);
    const sets = audit.filter((a) => a.action === 'field.set').map((a) => [a.actorType, a.actorId, a.field, a.oldValue, a.newValue, a.ruleSetVersion, a.event]);
    expect(sets).toEqual([
      ['rule', 'invoice-to-finance', 'category', null, 'invoice', FAKE_RULE_SET_VERSION, 'ticket.created'],
      ['rule', 'invoice-to-finance', 'team', null, 'finance', FAKE_RULE_SET_VERSION, 'ticket.created'],
      ['rule', 'invoice-to-finance', 'priority', null, 'P3', FAKE_RULE_SET_VERSION, 'ticket.created'],
      ['rule', 'critical-outage', 'priority', 'P3', 'P1', FAKE_RULE_SET_VERSION, 'ticket.created'],
    ]);
    // two rules fired: each tag row still names the rule that added it (the decision's tagLog)
    expect(audit.filter((a) => a.action === 'tag.add').map((a) => [a.newValue, a.actorType, a.actorId, a.ruleSetVersion, a.event])).toEqual([
      ['finance', 'rule', 'invoice-to-finance', FAKE_RULE_SET_VERSION, 'ticket.created'],
      ['outage', 'rule', 'critical-outage', FAKE_RULE_SET_VERSION, 'ticket.created'],
    ]);
    const decisionAudit = audit.find((a) => a.action === 'decision');
    expect(decisionAudit).toMatchObject({ ruleSetVersion: FAKE_RULE_SET_VERSION, data: { decisionId: decisions[0]?.id, firedRules: ['invoice-to-finance', 'critical-outage'], actions: [{ type: 'slack.postMessage', ruleId: 'critical-outage' }] } });
    expect(decisions[0]).toMatchObject({ event: 'ticket.created', ruleSetVersion: FAKE_RULE_SET_VERSION, seq: decisionAudit?.seq });
    expect(decisions[0]?.decision.actions).toEqual([{ type: 'slack.postMessage', params: { channel: '#incidents', text: 'P1' }, ruleId: 'critical-outage', index: 0 }]);
  });

  it('withholds routing under review: suggested stays in the decision, the flag is set and audited', async () => {
    const { service } = await setup();
    const { ticket, decision } = await service.createTicket(mail('rev-1', 'Reklamacja butów'));
    expect(decision?.review).toBe(true);
    expect(ticket).toMatchObject({ category: 'complaint', team: null, review: true, tags: ['needs-review'] });
    const { audit } = await service.getTicket(ticket.id);
    expect(audit.find((a) => a.action === 'field.suggested')).toMatchObject({ field: 'team', newValue: 'quality', actorType: 'rule', actorId: 'guess-complaint' });
    // the review tag comes from the decision's confidence, not from a rule
    expect(audit.find((a) => a.action === 'tag.add')).toMatchObject({ newValue: 'needs-review', actorType: 'rule', actorId: 'review' });
    expect(audit.find((a) => a.field === 'review')).toMatchObject({ action: 'field.set', newValue: true });
  });

  it('refuses a rule-set status change the lifecycle forbids without failing the create', async () => {
    const { service } = await setup();
    const { ticket } = await service.createTicket(mail('close-1', 'please close-me'));
    expect(ticket.status).toBe('new');
    const { audit } = await service.getTicket(ticket.id);
    expect(audit.find((a) => a.action === 'rule.refused')).toMatchObject({ actorId: 'close-immediately', field: 'status', newValue: 'closed' });
  });

  it('walks the lifecycle and refuses illegal transitions with TRIAGE_TICKET_ILLEGAL_TRANSITION', async () => {
    const { service } = await setup();
    const { ticket } = await service.createTicket(mail('life-1', 'Hello'));
    await expectCode(service.changeStatus(ticket.id, 'closed', AGENT), 'TRIAGE_TICKET_ILLEGAL_TRANSITION');
    expect((await service.getTicket(ticket.id)).audit.some((a) => a.action === 'status.change')).toBe(false);

    expect((await service.changeStatus(ticket.number, 'open', AGENT)).ticket.status).toBe('open');
    const same = await service.changeStatus(ticket.id, 'open', AGENT); // same → same: no-op, no evaluation
    expect(same).toMatchObject({ ticket: { status: 'open' }, decisions: [] });
    await service.changeStatus(ticket.id, 'pending', AGENT);
    const solved = (await service.changeStatus(ticket.id, 'solved', AGENT)).ticket;
    expect(solved.solvedAt).toEqual(expect.stringMatching(/^2025-03-03T08:00:\d\d\.000Z$/));
    const closed = (await service.changeStatus(ticket.id, 'closed', AGENT)).ticket;
    expect(closed.closedAt).toEqual(expect.any(String));
    await expectCode(service.changeStatus(ticket.id, 'open', AGENT), 'TRIAGE_TICKET_ILLEGAL_TRANSITION');
    await expectCode(service.changeStatus('T-999999', 'open', AGENT), 'TRIAGE_TICKET_NOT_FOUND');

    const { ticket: stored, audit } = await service.getTicket(ticket.id);
    expect(stored).toEqual(closed);
    expect(audit.filter((a) => a.action === 'status.change').map((a) => [a.oldValue, a.newValue, a.actorType, a.actorId])).toEqual([
      ['new', 'open', 'user', 'agent-anna'],
      ['open', 'pending', 'user', 'agent-anna'],
      ['pending', 'solved', 'user', 'agent-anna'],
      ['solved', 'closed', 'user', 'agent-anna'],
    ]);
  });

  it('evaluates status.changed, and ticket.closed on close, in the transaction of the status change', async () => {
    const { service, decide } = await setup();
    const { ticket } = await service.createTicket(mail('ev-1', 'Hello'));

    const pending = await service.changeStatus(ticket.number, 'pending', AGENT, { customerFacts: { vip: true } });
    expect(pending.ticket.status).toBe('pending');
    expect(pending.decisions.map((d) => [d.event, d.firedRules])).toEqual([['status.changed', ['remind-when-pending']]]);
    expect(pending.decisions[0]?.actions).toEqual([{ type: 'followUp', params: { after: '5d', name: 'pending-reminder' }, ruleId: 'remind-when-pending', index: 0 }]);
    // decide saw the ticket after the change, and the customer row merged with the caller's facts
    expect(decide.calls.at(-1)).toMatchObject({ event: 'status.changed', ticket: { status: 'pending' }, customer: { id: ticket.customerId, name: 'Jan Kowalski', vip: true } });
    expect(decide.calls.at(-1)?.message).toBeUndefined();

    await service.changeStatus(ticket.id, 'solved', AGENT);
    const closed = await service.changeStatus(ticket.id, 'closed', AGENT);
    expect(closed.decisions.map((d) => d.event)).toEqual(['status.changed', 'ticket.closed']);
    expect(closed.decisions[1]?.actions.map((a) => a.type)).toEqual(['reply']);
    expect(decide.calls.at(-1)).toMatchObject({ event: 'ticket.closed', ticket: { status: 'closed' } });

    const { ticket: stored, audit, decisions } = await service.getTicket(ticket.id);
    expect(stored).toEqual(closed.ticket);
    expect(decisions.map((d) => d.event)).toEqual(['ticket.created', 'status.changed', 'status.changed', 'status.changed', 'ticket.closed']);
    expect(decisions.map((d) => d.decision)).toEqual([expect.anything(), ...pending.decisions, expect.anything(), ...closed.decisions]);
    expect(audit.filter((a) => a.action === 'status.change').map((a) => [a.actorId, a.event, a.newValue])).toEqual([
      ['agent-anna', 'status.changed', 'pending'],
      ['agent-anna', 'status.changed', 'solved'],
      ['agent-anna', 'status.changed', 'closed'],
    ]);
    // every decision row is paired with its `decision` audit row
    const decisionRows = audit.filter((a) => a.action === 'decision');
    expect(decisionRows.map((a) => [a.seq, a.event])).toEqual(decisions.map((d) => [d.seq, d.event]));
  });

  it('does not evaluate status.changed again for a status the decision itself set', async () => {
    const { service, decide } = await setup();
    const { ticket } = await service.createTicket(mail('ev-2', 'bounce me'));
    const result = await service.changeStatus(ticket.id, 'pending', AGENT);
    expect(result.ticket.status).toBe('open');
    expect(result.decisions.map((d) => d.firedRules)).toEqual([['remind-when-pending', 'bounce-back']]);
    expect(decide.calls.filter((c) => c.event === 'status.changed')).toHaveLength(1);
    const { audit } = await service.getTicket(ticket.id);
    expect(audit.filter((a) => a.action === 'status.change').map((a) => [a.actorType, a.actorId, a.oldValue, a.newValue, a.event])).toEqual([
      ['user', 'agent-anna', 'new', 'pending', 'status.changed'],
      ['rule', 'bounce-back', 'pending', 'open', 'status.changed'],
    ]);
  });

  it('updateFields evaluates ticket.updated, after the status events when the status changed too', async () => {
    const { service, decide } = await setup();
    const { ticket } = await service.createTicket(mail('ev-3', 'Hello'));
    const both = await service.updateFields(ticket.id, { assignee: 'anna', status: 'pending' }, AGENT, { customerFacts: { segment: 'enterprise' } });
    expect(both.decisions.map((d) => [d.event, d.firedRules])).toEqual([
      ['status.changed', ['remind-when-pending']],
      ['ticket.updated', ['tag-assigned']],
    ]);
    expect(both.ticket).toMatchObject({ status: 'pending', assignee: 'anna', tags: ['assigned'] });
    expect(decide.calls.at(-1)).toMatchObject({ event: 'ticket.updated', ticket: { assignee: 'anna', status: 'pending' }, customer: { segment: 'enterprise' } });

    const { ticket: stored, audit } = await service.getTicket(ticket.id);
    expect(stored).toEqual(both.ticket);
    expect(audit.filter((a) => a.actorType === 'user').map((a) => [a.action, a.field, a.event])).toEqual([
      ['status.change', 'status', 'status.changed'],
      ['field.set', 'assignee', 'ticket.updated'],
    ]);
    expect(audit.find((a) => a.action === 'tag.add')).toMatchObject({ newValue: 'assigned', actorId: 'tag-assigned', event: 'ticket.updated' });

    // status alone raises only the status events; nothing changed raises nothing
    expect((await service.updateFields(ticket.id, { status: 'solved' }, AGENT)).decisions.map((d) => d.event)).toEqual(['status.changed']);
    const callsBefore = decide.calls.length;
    expect((await service.updateFields(ticket.id, { assignee: 'anna', status: 'solved' }, AGENT)).decisions).toEqual([]);
    expect(decide.calls.length).toBe(callsBefore);
  });

  it('names the rule that removed a tag', async () => {
    const { service } = await setup();
    const { ticket } = await service.createTicket(mail('ev-4', 'Question', undefined, { tags: ['waiting'] }));
    const thanks = await service.addMessage(ticket.id, { from: 'jan@acme.pl', text: 'Thank you, solved' }, CUSTOMER);
    expect(thanks.ticket).toMatchObject({ status: 'solved', tags: [] });
    expect(thanks.decision?.tagLog).toEqual([{ tag: 'waiting', action: 'remove', ruleId: 'thanks-solves' }]);
    const { audit } = await service.getTicket(ticket.id);
    expect(audit.find((a) => a.action === 'tag.remove')).toMatchObject({ oldValue: 'waiting', actorType: 'rule', actorId: 'thanks-solves', event: 'message.received', data: null });
  });

  it('reopens a pending ticket on a customer message and evaluates message.received in the same transaction', async () => {
    const { service, decide } = await setup();
    const { ticket } = await service.createTicket(mail('reply-1', 'Question'));
    await service.changeStatus(ticket.id, 'pending', AGENT);
    const reply = await service.addMessage(ticket.number, { from: 'jan@acme.pl', text: 'Awaria krytyczna! everything is down', messageId: '<reply-1-answer@mail>' }, CUSTOMER);
    expect(reply.created).toBe(true);
    expect(reply.ticket).toMatchObject({ status: 'open', priority: 'P1', tags: ['outage'] });
    expect(decide.calls.at(-1)).toMatchObject({ event: 'message.received', ticket: { status: 'open' }, message: { text: 'Awaria krytyczna! everything is down' }, customer: { id: ticket.customerId } });

    const { audit, messages, decisions, ticket: stored } = await service.getTicket(ticket.id);
    expect(stored).toEqual(reply.ticket);
    expect(messages).toHaveLength(2);
    // the reopen is part of message.received: it raises no status.changed of its own
    expect(decisions.map((d) => d.event)).toEqual(['ticket.created', 'status.changed', 'message.received']);
    expect(decide.calls.map((c) => c.event)).toEqual(['ticket.created', 'status.changed', 'message.received']);
    const reopen = audit.filter((a) => a.action === 'status.change').at(-1);
    expect(reopen).toMatchObject({ actorType: 'system', actorId: 'system', oldValue: 'pending', newValue: 'open', event: 'message.received' });
    expect(audit.find((a) => a.field === 'priority')).toMatchObject({ actorId: 'critical-outage', event: 'message.received' });

    // the same Message-ID again changes nothing
    const callsBefore = decide.calls.length;
    const again = await service.addMessage(ticket.id, { from: 'jan@acme.pl', text: 'Awaria krytyczna! everything is down', messageId: '<reply-1-answer@mail>' }, CUSTOMER);
    expect(again.created).toBe(false);
    expect(decide.calls.length).toBe(callsBefore);
    expect((await service.getTicket(ticket.id)).messages).toHaveLength(2);
  });

  it('reopens a solved ticket (clearing solvedAt), keeps a closed one closed, and records the first response', async () => {
    const { service, decide } = await setup();
    const { ticket } = await service.createTicket(mail('reply-2', 'Question'));
    const answered = await service.addMessage(ticket.id, { direction: 'outbound', from: 'support@triage.example', text: 'We are on it' }, AGENT);
    expect(answered.decision).toBeNull();
    expect(answered.ticket.firstResponseAt).toEqual(expect.any(String));
    const second = await service.addMessage(ticket.id, { direction: 'outbound', text: 'Update' }, AGENT);
    expect(second.ticket.firstResponseAt).toBe(answered.ticket.firstResponseAt);
    const note = await service.addMessage(ticket.id, { direction: 'outbound', kind: 'internal', text: 'note to self' }, AGENT);
    expect(note.message.kind).toBe('internal');

    await service.changeStatus(ticket.id, 'solved', AGENT);
    const reopened = await service.addMessage(ticket.id, { from: 'jan@acme.pl', text: 'still broken' }, CUSTOMER);
    expect(reopened.ticket).toMatchObject({ status: 'open', solvedAt: null });

    // a rule may solve it again from message.received
    const thanks = await service.addMessage(ticket.id, { from: 'jan@acme.pl', text: 'Thank you, solved' }, CUSTOMER);
    expect(thanks.ticket.status).toBe('solved');
    expect(thanks.ticket.solvedAt).toEqual(expect.any(String));

    await service.changeStatus(ticket.id, 'closed', AGENT);
    const late = await service.addMessage(ticket.id, { from: 'jan@acme.pl', text: 'one more thing' }, CUSTOMER);
    expect(late.ticket.status).toBe('closed');
    expect(decide.calls.filter((c) => c.event === 'message.received')).toHaveLength(3);
  });

  it('resolves one customer across e-mail, phone formats and company domain, but never by a free-mail domain', async () => {
    const { db, service } = await setup({ defaultCountryCode: '48' });
    const byMail = await service.createTicket(mail('c-1', 'Hello', 'Jan Kowalski <Jan@ACME.pl>'));
    const acme = byMail.ticket.customerId;
    expect(acme).toEqual(expect.any(String));

    const call = await service.createTicket({ source: 'pbx', externalId: 'call-1', subject: 'Call from +48 600 100 200', channel: 'phone', customer: { phone: '+48 600 100 200', email: 'jan@acme.pl' } });
    expect(call.ticket.customerId).toBe(acme);
    for (const [i, phone] of ['0048600100200', '(+48) 600-100-200', '600 100 200'].entries()) {
      const t = await service.createTicket({ source: 'pbx', externalId: `call-${i + 2}`, subject: 'Call', channel: 'phone', customer: { phone } });
      expect(t.ticket.customerId, phone).toBe(acme);
    }
    const colleague = await service.createTicket(mail('c-2', 'Hi', 'anna.nowak@acme.pl'));
    expect(colleague.ticket.customerId).toBe(acme);

    const g1 = await service.createTicket(mail('c-3', 'Hi', 'someone@gmail.com'));
    const g2 = await service.createTicket(mail('c-4', 'Hi', 'other@gmail.com'));
    expect(g1.ticket.customerId).not.toBe(acme);
    expect(g2.ticket.customerId).not.toBe(g1.ticket.customerId);
    expect(await db('customer_identities').where({ kind: 'domain', value: 'gmail.com' })).toEqual([]);
    const again = await service.createTicket(mail('c-5', 'Hi again', 'SomeOne@Gmail.com'));
    expect(again.ticket.customerId).toBe(g1.ticket.customerId);

    // the customer's history across channels
    const history = await service.listTickets({ customerId: acme ?? '' });
    expect(history.map((t) => t.channel).sort()).toEqual(['email', 'email', 'phone', 'phone', 'phone', 'phone']);
    const customer = (await service.getTicket(byMail.ticket.id)).customer;
    expect(customer?.identities).toEqual([
      { kind: 'domain', value: 'acme.pl' },
      { kind: 'email', value: 'anna.nowak@acme.pl' },
      { kind: 'email', value: 'jan@acme.pl' },
      { kind: 'phone', value: '+48600100200' },
    ]);

    // a first contact arriving twice at once still makes one customer
    await Promise.all(Array.from({ length: 5 }, (_, i) => service.createTicket(mail(`c-new-${i}`, 'Hi', 'boss@newco.pl'))));
    expect(await db('customer_identities').where({ kind: 'email', value: 'boss@newco.pl' })).toHaveLength(1);
    expect(await countRows(db, 'customers')).toBe(4);
  });

  it('rolls the whole transaction back when decide throws', async () => {
    const db = await harness.open();
    const decide = createFakeDecide({ throwOn: /explode/ });
    const service = new TicketService({ db, decide });
    await expect(service.createTicket(mail('boom-1', 'please explode', 'x@acme.pl', { tags: ['t1'] }))).rejects.toThrow('fake rule engine exploded');
    for (const table of ['tickets', 'messages', 'ticket_tags', 'audit_events', 'decisions']) expect(await countRows(db, table), table).toBe(0);
    if (kind === 'sqlite') expect((await db('counters').where({ name: 'ticket' }).first()) as unknown).toMatchObject({ value: 0 });
    // the customer resolved before the transaction is kept: it is correct on its own
    expect(await countRows(db, 'customers')).toBe(1);
    // PostgreSQL's sequence is not transactional: the rolled-back create burnt T-000001 (ticket-number.ts)
    expect((await service.createTicket(mail('boom-2', 'calm'))).ticket.number).toBe(kind === 'sqlite' ? 'T-000001' : 'T-000002');

    // the same for message.received
    const { ticket } = await service.createTicket(mail('boom-3', 'calm'));
    await service.changeStatus(ticket.id, 'pending', AGENT);
    await expect(service.addMessage(ticket.id, { text: 'explode now' }, CUSTOMER)).rejects.toThrow('fake rule engine exploded');
    const after = await service.getTicket(ticket.id);
    expect(after.ticket.status).toBe('pending');
    expect(after.messages).toHaveLength(1);
  });

  it('rolls a status change or field update back when its evaluation throws', async () => {
    const db = await harness.open();
    const service = new TicketService({ db, decide: createFakeDecide({ throwOn: /^(status\.changed|ticket\.updated) / }) });
    const { ticket } = await service.createTicket(mail('boom-4', 'calm'));
    const before = await service.getTicket(ticket.id);
    await expect(service.changeStatus(ticket.id, 'pending', AGENT)).rejects.toThrow('fake rule engine exploded');
    await expect(service.updateFields(ticket.id, { team: 'quality' }, AGENT)).rejects.toThrow('fake rule engine exploded');
    expect(await service.getTicket(ticket.id)).toEqual(before);
  });

  it('runs afterDecision inside the transaction (a failure rolls everything back)', async () => {
    const seen: string[] = [];
    const { db, service } = await setup({
      afterDecision: async ({ trx, ticket, decisionId }) => {
        expect(await trx('decisions').where({ id: decisionId }).first()).toBeDefined();
        seen.push(ticket.number);
        if (ticket.subject.includes('outbox down')) throw new Error('outbox write failed');
      },
    });
    await service.createTicket(mail('hook-1', 'fine'));
    expect(seen).toEqual(['T-000001']);
    await expect(service.createTicket(mail('hook-2', 'outbox down'))).rejects.toThrow('outbox write failed');
    expect(await countRows(db, 'tickets')).toBe(1);
  });

  it('updates fields for agents with audit, through the lifecycle for status', async () => {
    const { service } = await setup();
    const { ticket } = await service.createTicket(mail('upd-1', 'Reklamacja'));
    expect(ticket.review).toBe(true);
    const { ticket: updated } = await service.updateFields(ticket.id, { team: 'quality', assignee: 'anna', category: 'complaint', review: false, status: 'open' }, AGENT);
    expect(updated).toMatchObject({ team: 'quality', assignee: 'anna', category: 'complaint', review: false, status: 'open' });
    expect((await service.getTicket(ticket.id)).ticket).toEqual(updated);
    const { audit } = await service.getTicket(ticket.id);
    const agentRows = audit.filter((a) => a.actorType === 'user').map((a) => [a.action, a.field, a.oldValue, a.newValue]);
    expect(agentRows).toEqual([
      ['status.change', 'status', 'new', 'open'],
      ['field.set', 'team', null, 'quality'],
      ['field.set', 'assignee', null, 'anna'],
      ['field.set', 'review', true, false],
    ]);
    expect(await service.updateFields(ticket.id, { team: 'quality' }, AGENT)).toEqual({ ticket: updated, decisions: [], corrections: [] });
    await expectCode(service.updateFields(ticket.id, { status: 'new' }, AGENT), 'TRIAGE_TICKET_ILLEGAL_TRANSITION');
    await expectCode(service.updateFields(ticket.id, { colour: 'red' } as never, AGENT), 'TRIAGE_TICKET_INVALID');
    await expectCode(service.updateFields(ticket.id, { customerId: 'no-such-customer' }, AGENT), 'TRIAGE_TICKET_INVALID');
  });

  it('lists tickets by status, team and customer, newest first, with a limit', async () => {
    const { service } = await setup();
    const a = await service.createTicket(mail('l-1', 'Faktura 1', undefined, { createdAt: '2025-03-01T10:00:00Z' }));
    const b = await service.createTicket(mail('l-2', 'Faktura 2', undefined, { createdAt: '2025-03-02T10:00:00+01:00' }));
    const c = await service.createTicket(mail('l-3', 'Other', 'z@zeta.pl', { createdAt: new Date('2025-03-03T10:00:00Z') }));
    await service.changeStatus(c.ticket.id, 'open', AGENT);
    expect((await service.listTickets()).map((t) => t.number)).toEqual([c, b, a].map((r) => r.ticket.number));
    expect((await service.listTickets({ team: 'finance' })).map((t) => t.externalId)).toEqual(['l-2', 'l-1']);
    expect((await service.listTickets({ status: 'open' })).map((t) => t.externalId)).toEqual(['l-3']);
    expect((await service.listTickets({ status: ['new', 'open'], limit: 2 })).map((t) => t.externalId)).toEqual(['l-3', 'l-2']);
    expect((await service.listTickets({ customerId: a.ticket.customerId ?? '' })).map((t) => t.externalId)).toEqual(['l-2', 'l-1']);
    expect(b.ticket.createdAt).toBe('2025-03-02T09:00:00.000Z');
    expect((await service.listTickets({ team: 'finance' }))[0]?.tags).toEqual(['finance']);
  });

  it('round-trips JSON columns and refuses invalid input with TRIAGE_TICKET_INVALID', async () => {
    const { service } = await setup();
    const attachments = [{ filename: 'faktura.pdf', contentType: 'application/pdf', size: 1234, ref: 'blob:1' }];
    const { ticket } = await service.createTicket(mail('j-1', 'Zażółć gęślą jaźń 😀', undefined, { message: { from: { address: 'jan@acme.pl', name: 'Jan' }, html: '<p>hi</p>', headers: { received: ['a', 'b'], 'x-n': 1 }, attachments, data: { references: ['<a@b>'], auto: false } } }));
    const { messages } = await service.getTicket(ticket.id);
    expect(messages[0]).toMatchObject({ subject: 'Zażółć gęślą jaźń 😀', html: '<p>hi</p>', headers: { received: ['a', 'b'], 'x-n': 1 }, attachments, data: { references: ['<a@b>'], auto: false }, from: { address: 'jan@acme.pl', name: 'Jan', domain: 'acme.pl' }, to: [], cc: [] });

    await expectCode(service.createTicket({ source: 'api', externalId: '', subject: 'x' }), 'TRIAGE_TICKET_INVALID');
    await expectCode(service.createTicket({ source: 'api', externalId: 'x', createdAt: '2025-03-01T10:00:00' }), 'TRIAGE_TICKET_INVALID');
    await expectCode(service.createTicket({ source: 'api', externalId: 'x', fields: { status: 'open' } as never }), 'TRIAGE_TICKET_INVALID');
    await expectCode(service.createTicket({ source: 'api', externalId: 'x', message: { direction: 'sideways' as never } }), 'TRIAGE_TICKET_INVALID');
    await expectCode(service.getTicket('no-such-ticket'), 'TRIAGE_TICKET_NOT_FOUND');
  });
});

function postgresUrlOf(conn: unknown): string {
  if (typeof conn === 'string') return conn;
  const c = conn as { user?: string; password?: string; host?: string; port?: number | string; database?: string };
  const auth = c.user ? `${encodeURIComponent(c.user)}${c.password ? `:${encodeURIComponent(c.password)}` : ''}@` : '';
  return `postgres://${auth}${c.host ?? '127.0.0.1'}:${c.port ?? 5432}/${c.database ?? ''}`;
}
