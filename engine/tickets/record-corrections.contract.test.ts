/**
 * Agents' tag changes and manual corrections of rule decisions (R13): the same
 * contract on SQLite and PostgreSQL (each test gets a fresh database).
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode } from '../../test/helpers/expect-code.js';
import { createFakeDecide, FAKE_RULE_SET_VERSION, type FakeDecide } from '../../test/helpers/fake-decide.js';
import { countRows } from '../../test/helpers/row-counts.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import { SYSTEM_ACTOR, type Actor } from './audit-event.js';
import type { CreateTicketInput } from './ticket-input.js';
import { TicketService } from './ticket-service.js';

const AGENT: Actor = { type: 'user', id: 'agent-anna' };
const OTHER_AGENT: Actor = { type: 'user', id: 'agent-bob' };

function mail(externalId: string, subject: string): CreateTicketInput {
  return { source: 'imap:support', externalId, subject, channel: 'email', message: { from: 'jan@acme.pl', text: subject } };
}

describe.each<StoreKind>(['sqlite', 'postgres'])('agent changes and corrections (%s)', (kind) => {
  let harness: StoreHarness;

  beforeAll(() => {
    harness = createStoreHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  async function setup(decide: FakeDecide = createFakeDecide()): Promise<{ db: Knex; service: TicketService; decide: FakeDecide }> {
    const db = await harness.open();
    let t = Date.parse('2025-03-10T08:00:00.000Z');
    return { db, decide, service: new TicketService({ db, decide, now: () => new Date((t += 1000)) }) };
  }

  it('records a correction when an agent overrides a field or tag a rule set, in the same transaction', async () => {
    const { service } = await setup();
    const { ticket } = await service.createTicket(mail('c-1', 'Faktura 03/2025'));
    expect(ticket).toMatchObject({ category: 'invoice', team: 'finance', priority: 'P3', tags: ['finance'] });

    const result = await service.updateFields(ticket.number, { priority: 'P1', team: 'sales', category: 'invoice', assignee: 'anna', tags: { add: ['urgent'], remove: ['finance'] } }, AGENT);
    // tag-assigned reacts to ticket.updated, after the agent's change
    expect(result.ticket).toMatchObject({ priority: 'P1', team: 'sales', assignee: 'anna', tags: ['assigned', 'urgent'] });
    const summary = result.corrections.map((c) => [c.field, c.ruleId, c.oldValue, c.newValue]);
    // category was set to the value it had (nothing changed); assignee and the added tag were never a rule's
    expect(summary).toEqual([
      ['priority', 'invoice-to-finance', 'P3', 'P1'],
      ['team', 'invoice-to-finance', 'finance', 'sales'],
      ['tags', 'invoice-to-finance', 'finance', null],
    ]);
    for (const c of result.corrections) expect(c).toMatchObject({ ticketId: ticket.id, ruleSetVersion: FAKE_RULE_SET_VERSION, actor: 'agent-anna', at: result.ticket.updatedAt });

    const details = await service.getTicket(ticket.id);
    expect(details.corrections).toEqual(result.corrections);
    // each correction points at the agent's audit row that made the change
    for (const c of details.corrections) {
      const row = details.audit.find((a) => a.seq === c.auditSeq);
      expect(row).toMatchObject({ actorType: 'user', actorId: 'agent-anna', event: 'ticket.updated' });
      expect(row?.field ?? 'tags').toBe(c.field);
    }
    // the agent's tag rows are audited like a rule's
    expect(details.audit.filter((a) => a.action.startsWith('tag.') && a.actorType === 'user').map((a) => [a.action, a.oldValue, a.newValue])).toEqual([
      ['tag.add', null, 'urgent'],
      ['tag.remove', 'finance', null],
    ]);

    // the rule's value is gone now: changing it again corrects the agent, not the rule
    const again = await service.updateFields(ticket.id, { priority: 'P2', tags: { add: ['finance'] } }, OTHER_AGENT);
    expect(again.corrections).toEqual([]);
    expect((await service.getTicket(ticket.id)).corrections).toHaveLength(3);
  });

  it('corrects a status a rule set, and a tag a rule removed, through changeStatus and updateFields', async () => {
    const { service } = await setup();
    const { ticket } = await service.createTicket(mail('c-2', 'Question'));
    await service.updateFields(ticket.id, { status: 'pending', tags: { add: ['waiting'] } }, AGENT);
    // a customer's message: the rule thanks-solves solves the ticket and drops the waiting tag
    const reply = await service.addMessage(ticket.id, { text: 'Thank you, solved' }, SYSTEM_ACTOR);
    expect(reply.ticket).toMatchObject({ status: 'solved', tags: [] });

    const reopened = await service.changeStatus(ticket.id, 'open', AGENT);
    expect(reopened.corrections.map((c) => [c.field, c.ruleId, c.oldValue, c.newValue])).toEqual([['status', 'thanks-solves', 'solved', 'open']]);
    const retagged = await service.updateFields(ticket.id, { tags: { add: ['waiting'] } }, AGENT);
    expect(retagged.corrections.map((c) => [c.field, c.ruleId, c.oldValue, c.newValue])).toEqual([['tags', 'thanks-solves', null, 'waiting']]);
    expect((await service.getTicket(ticket.id)).corrections.map((c) => c.field)).toEqual(['status', 'tags']);
  });

  it('records no correction for system changes, the review tag, withheld suggestions or values an agent set', async () => {
    const { db, service } = await setup();
    const invoice = await service.createTicket(mail('c-3', 'Faktura'));
    expect((await service.updateFields(invoice.ticket.id, { priority: 'P2' }, SYSTEM_ACTOR)).corrections).toEqual([]);
    expect((await service.updateFields(invoice.ticket.id, { priority: 'P1' }, AGENT)).corrections).toEqual([]);

    // under review (R11): team was only suggested, the review tag comes from the confidence
    const review = await service.createTicket(mail('c-4', 'Reklamacja'));
    expect(review.ticket).toMatchObject({ review: true, team: null, tags: ['needs-review'] });
    const reviewed = await service.updateFields(review.ticket.id, { team: 'quality', review: false, tags: { remove: ['needs-review'] } }, AGENT);
    // category was applied by guess-complaint: confirming it is no change, so no correction either
    expect(reviewed.corrections).toEqual([]);
    expect(await countRows(db, 'corrections')).toBe(0);
  });

  it('keeps nothing of the change, corrections included, when its evaluation throws', async () => {
    const { db, service } = await setup(createFakeDecide({ throwOn: /^ticket\.updated / }));
    const { ticket } = await service.createTicket(mail('c-5', 'Faktura'));
    const before = await service.getTicket(ticket.id);
    await expect(service.updateFields(ticket.id, { priority: 'P1', tags: { remove: ['finance'] } }, AGENT)).rejects.toThrow('fake rule engine exploded');
    expect(await service.getTicket(ticket.id)).toEqual(before);
    expect(await countRows(db, 'corrections')).toBe(0);
  });

  it('adds and removes tags for agents: ticket.updated is evaluated, unknown tags and no-ops change nothing', async () => {
    const { service, decide } = await setup();
    const { ticket } = await service.createTicket(mail('t-1', 'Question'));
    const calls = decide.calls.length;
    const result = await service.updateFields(ticket.id, { tags: { add: [' vip ', 'vip', 'b2b'], remove: ['never-there'] } }, AGENT);
    expect(result.ticket.tags).toEqual(['b2b', 'vip']);
    expect(decide.calls.slice(calls).map((c) => c.event)).toEqual(['ticket.updated']);
    expect((await service.getTicket(ticket.id)).ticket.tags).toEqual(['b2b', 'vip']);

    const noop = await service.updateFields(ticket.id, { tags: { add: ['vip'], remove: ['gone'] } }, AGENT);
    expect(noop).toEqual({ ticket: (await service.getTicket(ticket.id)).ticket, decisions: [], corrections: [] });

    await expectCode(service.updateFields(ticket.id, { tags: { add: ['x'], remove: ['x'] } }, AGENT), 'TRIAGE_TICKET_INVALID');
    await expectCode(service.updateFields(ticket.id, { tags: { add: 'x' } } as never, AGENT), 'TRIAGE_TICKET_INVALID');
    await expectCode(service.updateFields(ticket.id, { tags: { toggle: ['x'] } } as never, AGENT), 'TRIAGE_TICKET_INVALID');
  });
});
