/**
 * GDPR erasure on SQLite and PostgreSQL, with the real rule engine (templates
 * put the customer's name and message into decisions and outbox rows) and the
 * real outbox writer.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileRuleSet } from '../../rules/lib/load-rule-set.js';
import { expectCode } from '../../test/helpers/expect-code.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import { writeOutboxRows } from '../outbox/outbox-writer.js';
import { ruleSetDecide } from '../tickets/rule-set-decide.js';
import { TicketService } from '../tickets/ticket-service.js';
import { eraseCustomer } from './erase-customer.js';

const RULES = `
rules:
  - id: complaint
    on: [ticket.created, message.received]
    when: { fact: message, path: text, operator: containsAnyWord, value: [reklamacja] }
    then:
      - set: { category: complaint, priority: P2 }
      - tag: complaint
      - note: { text: "{{customer.name}} wrote: {{message.text}}" }
      - slack.postMessage: { channel: "#complaints", text: "Complaint from {{customer.name}} <{{message.from.address}}>" }
`;

/** Tables whose every value is searched for leftovers of the erased person. */
const TABLES = ['tickets', 'messages', 'customers', 'customer_identities', 'ticket_tags', 'audit_events', 'decisions', 'corrections', 'outbox', 'outbox_attempts', 'outbox_events', 'enrichment_jobs', 'gdpr_erasures'];
/** What must not survive anywhere: name, addresses, words of the messages, the subject. */
const PERSONAL = ['Kowalski', 'jan@acme.pl', 'jan.k@gmail.com', '600 100 200', '48600100200', 'zepsuty czajnik', 'zdjecie.jpg', 'Hello Jan', 'ACME-X-Trace'];

async function dump(db: Knex, tables = TABLES): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of tables) out[t] = (await db(t).select()).sort((a: Record<string, unknown>, b: Record<string, unknown>) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return out;
}

describe.each<StoreKind>(['sqlite', 'postgres'])('gdpr erase (%s)', (kind) => {
  let harness: StoreHarness;
  beforeAll(() => {
    harness = createStoreHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  async function seed(): Promise<{ db: Knex; service: TicketService; jan: string; anna: string; janTickets: string[]; annaTicket: string }> {
    const db = await harness.open();
    const compiled = compileRuleSet([{ path: 'rules.yaml', text: RULES }]);
    if (!compiled.ok) throw new Error(compiled.diagnostics.map((d) => d.message).join('\n'));
    let t = Date.parse('2026-01-05T08:00:00.000Z');
    const service = new TicketService({
      db,
      decide: ruleSetDecide(() => compiled.ruleSet),
      now: () => new Date((t += 1000)),
      afterDecision: (ctx) => writeOutboxRows(ctx).then(() => undefined),
    });
    const first = await service.createTicket({
      source: 'imap:service',
      externalId: '<m1@acme>',
      subject: 'Reklamacja: zepsuty czajnik, Jan Kowalski',
      channel: 'email',
      message: {
        from: { address: 'jan@acme.pl', name: 'Jan Kowalski' },
        to: ['service@shop.example'],
        cc: ['jan.k@gmail.com'],
        text: 'Dzień dobry, reklamacja: zepsuty czajnik. Tel. 600 100 200',
        html: '<p>reklamacja: zepsuty czajnik</p>',
        headers: { 'x-trace': 'ACME-X-Trace', from: 'Jan Kowalski <jan@acme.pl>' },
        messageId: '<m1@acme>',
        attachments: [{ filename: 'zdjecie.jpg', contentType: 'image/jpeg', size: 1234, ref: 'blob://zdjecie.jpg' }],
      },
      customer: { phone: '+48 600 100 200' },
      data: { form: { id: 'complaint', type: 'reklamacja', fields: { name: 'Jan Kowalski' } }, call: { callId: 'c-1', status: 'answered', from: '+48 600 100 200', callerName: 'Jan Kowalski' } },
    });
    const jan = first.ticket.customerId ?? '';
    const ticket1 = first.ticket.id;
    await service.addMessage(ticket1, { direction: 'outbound', to: ['jan@acme.pl'], text: 'Hello Jan, we are on it' }, { type: 'user', id: 'agent-ola' });
    await service.addMessage(ticket1, { from: 'Jan Kowalski <jan@acme.pl>', text: 'reklamacja: zepsuty czajnik nadal', messageId: '<m2@acme>' }, { type: 'system', id: 'imap' });
    await service.updateFields(ticket1, { subject: 'Kowalski: czajnik', team: 'quality' }, { type: 'user', id: 'agent-ola' });
    await service.changeStatus(ticket1, 'solved', { type: 'user', id: 'agent-ola' });
    const second = await service.createTicket({ source: 'phone', externalId: 'call-2', subject: 'Phone call from +48 600 100 200', channel: 'phone', customer: { phone: '+48 600 100 200', name: 'Jan Kowalski' }, message: { text: 'Jan Kowalski: reklamacja, zepsuty czajnik' } });
    expect(second.ticket.customerId).toBe(jan);
    const other = await service.createTicket({ source: 'imap:service', externalId: '<a1@other>', subject: 'Reklamacja Anny', channel: 'email', message: { from: 'Anna Nowak <anna@other.pl>', text: 'reklamacja: pralka' } });
    if (await db.schema.hasTable('enrichment_jobs')) {
      await db('enrichment_jobs').insert({ ticket_id: ticket1, lookup: JSON.stringify({ email: 'jan@acme.pl' }), state: 'pending', attempts: 1, next_attempt_at: '2026-01-05T09:00:00.000Z', created_at: '2026-01-05T08:00:00.000Z', updated_at: '2026-01-05T08:00:00.000Z' });
    }
    return { db, service, jan, anna: other.ticket.customerId ?? '', janTickets: [ticket1, second.ticket.id], annaTicket: other.ticket.id };
  }

  it('removes the personal data from customer, identities, tickets, messages, audit, decisions and outbox, keeping statistics', async () => {
    const { db, service, jan, anna, janTickets, annaTicket } = await seed();
    const before = await service.getTicket(janTickets[0] ?? '');
    const annaBefore = await service.getTicket(annaTicket);
    expect(JSON.stringify(await dump(db))).toContain('Kowalski');

    const result = await eraseCustomer(db, jan, { actor: 'cli:dpo', now: () => new Date('2026-02-01T10:00:00.000Z') });
    expect(result).toMatchObject({ customerId: jan, dryRun: false, actor: 'cli:dpo', at: '2026-02-01T10:00:00.000Z', tickets: ['T-000001', 'T-000002'], erasureId: expect.any(String) });
    expect(result.counts).toMatchObject({ tickets: 2, messages: 4, attachments: 1, identities: 3, outbox: 6, enrichmentJobs: 1 });
    expect(result.counts.auditEvents).toBeGreaterThan(0);
    expect(result.counts.decisions).toBe(3);

    // Nothing personal is left anywhere, except in Anna's rows.
    const rows = await dump(db);
    const text = JSON.stringify(rows);
    for (const p of PERSONAL) expect(text, p).not.toContain(p);
    expect(text).toContain('anna@other.pl');

    // Statistics stay: ticket fields, tags, timestamps, the trail's structure.
    const after = await service.getTicket(janTickets[0] ?? '');
    expect(after.ticket).toMatchObject({
      number: before.ticket.number, status: 'solved', category: 'complaint', priority: 'P2', team: 'quality', tags: ['complaint'], channel: 'email',
      createdAt: before.ticket.createdAt, solvedAt: before.ticket.solvedAt, customerId: jan, subject: '[erased]', data: { form: { id: 'complaint', type: 'reklamacja' }, call: { callId: 'c-1', status: 'answered' } },
    });
    expect(after.messages.map((m) => [m.direction, m.from?.address ?? null, m.text, m.to, m.cc])).toEqual([
      ['inbound', '[erased]', '[erased]', ['[erased]'], ['[erased]']],
      ['outbound', null, '[erased]', ['[erased]'], []],
      ['inbound', '[erased]', '[erased]', [], []],
    ]);
    expect(after.messages[0]).toMatchObject({ html: '[erased]', headers: {}, data: {}, messageId: '<m1@acme>', attachments: [{ filename: '[erased]', contentType: 'image/jpeg', size: 1234 }] });
    expect(after.audit.slice(0, -1).map((a) => [a.seq, a.action, a.actorId, a.field])).toEqual(before.audit.map((a) => [a.seq, a.action, a.actorId, a.field]));
    expect(after.audit.find((a) => a.field === 'subject')).toMatchObject({ oldValue: null, newValue: null });
    expect(after.audit.find((a) => a.field === 'team')).toMatchObject({ oldValue: null, newValue: 'quality' });
    expect(after.audit.find((a) => a.action === 'message.add')?.data).toEqual({ messageId: expect.any(String), direction: 'inbound', kind: 'public' });
    expect(after.audit.at(-1)).toMatchObject({ action: 'gdpr.erase', actorType: 'user', actorId: 'cli:dpo', at: '2026-02-01T10:00:00.000Z', data: { erasureId: result.erasureId, counts: { messages: 3, attachments: 1 } } });
    expect(after.decisions.map((d) => d.decision.firedRules)).toEqual(before.decisions.map((d) => d.decision.firedRules));
    expect(after.decisions[0]?.decision.actions.map((a) => a.params)).toEqual([{ text: '[erased]' }, { channel: '[erased]', text: '[erased]' }]);
    expect(after.decisions[0]?.decision.changes).toEqual({ category: 'complaint', priority: 'P2' });
    expect(after.customer).toMatchObject({ id: jan, name: '[erased]', data: {}, identities: [] });

    // Pending notifications about the erased tickets are dropped, with the outbox's own trail.
    const outbox = (await db('outbox').whereIn('ticket_id', janTickets).select('status')) as { status: string }[];
    expect(outbox.map((o) => o.status)).toEqual(Array(6).fill('dropped'));
    expect(await db('outbox_events').where({ actor: 'cli:dpo', action: 'drop' }).count({ n: '*' }).first()).toEqual({ n: kind === 'postgres' ? '6' : 6 });

    // One customer-level record; Anna untouched.
    const records = (await db('gdpr_erasures').select()) as { customer_id: string; actor: string; tickets: number; counts: string }[];
    expect(records).toEqual([expect.objectContaining({ customer_id: jan, actor: 'cli:dpo', tickets: 2 })]);
    expect(JSON.parse(records[0]?.counts ?? '{}')).toEqual(result.counts);
    expect(await service.getTicket(annaTicket)).toEqual(annaBefore);
    expect((await service.getCustomer(anna)).customer.name).toBe('Anna Nowak');
  });

  it('keeps idempotency: a re-delivered mail stays a no-op, a new mail from the address makes a new customer', async () => {
    const { db, service, jan } = await seed();
    await eraseCustomer(db, jan, { actor: 'cli:dpo' });
    const again = await service.createTicket({ source: 'imap:service', externalId: '<m1@acme>', subject: 'Reklamacja: zepsuty czajnik', message: { from: 'jan@acme.pl', text: 'x' } });
    expect(again).toMatchObject({ created: false, ticket: { subject: '[erased]' } });
    const fresh = await service.createTicket({ source: 'imap:service', externalId: '<m9@acme>', subject: 'Nowe', message: { from: 'Jan Kowalski <jan@acme.pl>', text: 'hi' } });
    expect(fresh.created).toBe(true);
    expect(fresh.ticket.customerId).not.toBe(jan);
  });

  it('dry run counts exactly what a real run erases and changes nothing', async () => {
    const { db, jan } = await seed();
    const before = await dump(db);
    const dry = await eraseCustomer(db, jan, { actor: 'cli:dpo', dryRun: true, now: () => new Date('2026-02-01T10:00:00.000Z') });
    expect(dry).toMatchObject({ dryRun: true, erasureId: null, tickets: ['T-000001', 'T-000002'] });
    expect(await dump(db)).toEqual(before);
    const real = await eraseCustomer(db, jan, { actor: 'cli:dpo', now: () => new Date('2026-02-01T10:00:00.000Z') });
    expect(real.counts).toEqual(dry.counts);
  });

  it('erases a customer without tickets, and refuses an unknown one', async () => {
    const { db, service } = await seed();
    const lone = await service.createTicket({ source: 'api', externalId: 'x', subject: 's', customer: { email: 'lone@x.pl', name: 'Lone Wolf' } });
    const id = lone.ticket.customerId ?? '';
    await db('tickets').where({ id: lone.ticket.id }).update({ customer_id: null });
    const r = await eraseCustomer(db, id, { actor: 'cli:dpo' });
    expect(r).toMatchObject({ tickets: [], counts: { tickets: 0, messages: 0, identities: 2 } });
    expect((await service.getCustomer(id)).customer).toMatchObject({ name: '[erased]', identities: [] });
    await expectCode(eraseCustomer(db, 'no-such-customer', { actor: 'cli:dpo' }), 'TRIAGE_CUSTOMER_NOT_FOUND');
  });
});
