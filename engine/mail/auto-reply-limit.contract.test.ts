/**
 * Outbound automatic mail on SQLite and PostgreSQL, through a real SMTP server
 * on loopback: the headers that make replies thread and loops stop, the skip
 * for machine mail, and the per-recipient rate limit. Inbound messages are
 * made from the fixture corpus by parseMail, as the IMAP channel stores them
 * (bare Message-IDs, auto flags in data), and what the SMTP server receives
 * is parsed back by parseMail too.
 */
import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emailConnector } from '../../connectors/email/email-connector.js';
import { startSmtpServer, type FakeSmtpServer } from '../../test/fakes/smtp-server.js';
import { actionsFromTicketDecide, connectionsOf, VirtualClock } from '../../test/helpers/outbox-fixture.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import { createOutbox, type Outbox, type OutboxOptions } from '../outbox/create-outbox.js';
import { drainOutbox } from '../outbox/drain-outbox.js';
import type { OutboxAttempt, OutboxEntry } from '../outbox/outbox-entry.js';
import type { MessageInput } from '../tickets/message.js';
import { TicketService } from '../tickets/ticket-service.js';
import { parseMail, type ParsedMail } from './parse-mail.js';

const fixture = (name: string): Promise<ParsedMail> => parseMail(readFileSync(`test/fixtures/mail/${name}`));

/** A parsed mail as the inbound channel records it. */
function inbound(mail: ParsedMail, from?: string): MessageInput {
  return {
    from: from ?? (mail.from === null ? 'unknown@example.com' : { address: mail.from.address, name: mail.from.name }),
    subject: mail.subject,
    text: mail.text,
    messageId: mail.messageId,
    ...(mail.inReplyTo === null ? {} : { inReplyTo: mail.inReplyTo }),
    headers: mail.headers,
    data: { references: mail.references, auto: mail.auto, newText: mail.newText },
  };
}

describe.each<StoreKind>(['sqlite', 'postgres'])('automatic customer mail (%s)', (kind) => {
  let harness: StoreHarness;
  let smtp: FakeSmtpServer;
  let db: Knex;
  let clock: VirtualClock;
  let counter = 0;

  beforeAll(async () => {
    harness = createStoreHarness(kind);
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp.close();
    await harness.close();
  });
  beforeEach(async () => {
    db = await harness.open();
    clock = new VirtualClock('2026-03-02T08:00:00.000Z');
  });
  afterEach(() => smtp.reset());

  function setup(email: OutboxOptions['email'] = {}): { outbox: Outbox; tickets: TicketService } {
    const mail = emailConnector.create(
      { host: smtp.host, port: smtp.port, from: 'Serwis <serwis@example.com>', allowHosts: ['127.0.0.1'], timeoutMs: 2000 },
      { connection: 'email', log: () => undefined },
    );
    const bound: { tickets?: TicketService } = {};
    const outbox = createOutbox({
      db,
      connections: connectionsOf({ email: mail }),
      tickets: { addMessage: (...a) => bound.tickets!.addMessage(...a), getTicket: (id) => bound.tickets!.getTicket(id) },
      email,
      worker: { now: clock.now, maxAttempts: 2 },
    });
    bound.tickets = new TicketService({ db, decide: actionsFromTicketDecide(), now: clock.now, afterDecision: (ctx) => outbox.afterDecision(ctx) });
    return { outbox, tickets: bound.tickets };
  }

  async function ticket(tickets: TicketService, actions: { type: string; params?: Record<string, unknown> }[], message: MessageInput) {
    counter += 1;
    const { ticket: t } = await tickets.createTicket({ source: 'email', externalId: `auto-${counter}`, subject: message.subject ?? 'x', channel: 'email', data: { actions }, message });
    return t;
  }

  const drain = (outbox: Outbox) => drainOutbox({ workers: [outbox.worker], store: outbox.store, waitUntil: (due) => Promise.resolve(clock.set(due)) });
  const rows = async (outbox: Outbox): Promise<(OutboxEntry & { log: OutboxAttempt[] })[]> => {
    const { entries } = await outbox.store.list({ limit: 100 });
    const sorted = [...entries].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.actionIndex - b.actionIndex);
    return Promise.all(sorted.map(async (e) => ({ ...e, log: await outbox.store.attempts(e.id) })));
  };

  it('acknowledgement: ticket tag, Auto-Submitted, our X-Loop and Message-ID, threaded to the customer mail; it loops back recognized', async () => {
    const { outbox, tickets } = setup({ loopMarker: 'helpdesk-test' });
    const customer = await fixture('polish-encoded-subject.eml');
    const t = await ticket(tickets, [{ type: 'acknowledge', params: { text: 'Zgłoszenie przyjęte.', faqUrl: 'https://pomoc.example.pl/faq' } }], inbound(customer));
    await drain(outbox);

    expect(smtp.messages).toHaveLength(1);
    const sent = smtp.messages[0];
    expect(sent?.envelope).toEqual({ from: 'serwis@example.com', to: ['pawel.wisniewski@klient.pl'] });
    expect(sent?.headers).toMatchObject({ 'auto-submitted': 'auto-replied', 'x-loop': 'helpdesk-test', 'in-reply-to': '<CAF=k3x9Yb7@mail.klient.pl>', references: '<CAF=k3x9Yb7@mail.klient.pl>' });
    expect(sent?.headers['message-id']).toMatch(/^<[0-9a-f]{32}@triage>$/);

    const back = await parseMail(Buffer.from(sent?.raw ?? ''), { loopMarker: 'helpdesk-test' });
    expect(back.subject).toBe(`Re: Zgłoszenie: awaria drukarki w księgowości – pilne! [#${t.number}]`);
    expect(back.text).toBe('Zgłoszenie przyjęte.\n\nhttps://pomoc.example.pl/faq');
    expect(back).toMatchObject({ inReplyTo: customer.messageId, references: [customer.messageId] });
    // our own mail arriving in the support mailbox again (a forwarding loop) is flagged by X-Loop
    expect(back.auto).toEqual({ isAutoReply: true, isBounce: false, isBulk: false, reason: 'X-Loop: helpdesk-test' });

    // recorded bare, like the inbound channel stores ids: the customer's answer threads by it
    const details = await tickets.getTicket(t.id);
    const outbound = details.messages.filter((m) => m.direction === 'outbound');
    expect(outbound).toMatchObject([{ messageId: back.messageId, inReplyTo: customer.messageId, to: ['pawel.wisniewski@klient.pl'], data: { automatic: true } }]);
    expect(details.ticket.firstResponseAt).toBeNull();
  });

  it('a templated reply to a reply that threads by References only carries the whole chain', async () => {
    const { outbox, tickets } = setup();
    const customer = await fixture('reply-references-only.eml');
    const t = await ticket(tickets, [{ type: 'reply', params: { text: 'Dziękujemy, zamykamy zgłoszenie.' } }], inbound(customer));
    await drain(outbox);
    expect(smtp.messages).toHaveLength(1);
    const back = await parseMail(Buffer.from(smtp.messages[0]?.raw ?? ''));
    expect(back).toMatchObject({
      subject: `Re: Awaria drukarki [#${t.number}]`,
      inReplyTo: 'CAHx=reply-42@mail.klient.pl',
      references: ['CAF=k3x9Yb7@mail.klient.pl', '8a1f0c2e9b7d4e6f8a1f0c2e9b7d4e6f@triage', 'CAHx=reply-42@mail.klient.pl'],
      auto: { isAutoReply: true, isBounce: false, isBulk: false, reason: 'X-Loop: triage' },
    });
    expect(smtp.messages[0]?.headers).toMatchObject({ 'auto-submitted': 'auto-generated', 'x-loop': 'triage' });
  });

  it('never answers machine mail: out of office, bounce, list, our own loop — rows end done with the reason', async () => {
    const { outbox, tickets } = setup();
    const cases = ['out-of-office.eml', 'out-of-office-subject-only.eml', 'dsn-bounce.eml', 'mailing-list.eml', 'no-message-id-own-loop.eml'];
    for (const name of cases) {
      await ticket(tickets, [{ type: 'acknowledge' }, { type: 'reply', params: { text: 'x' } }], inbound(await fixture(name)));
      clock.advance(1000); // rows sort by creation time
    }
    // headers alone (mail stored before auto flags existed, or by the API) count too
    await ticket(tickets, [{ type: 'acknowledge' }], { from: 'desk@partner.example', text: 'x', headers: { 'x-loop': 'triage' } });
    await drain(outbox);

    expect(smtp.attempts()).toBe(0);
    const details = (await rows(outbox)).map((r) => [r.actionType, r.status, r.log[0]?.detail]);
    expect(details).toEqual([
      ['acknowledge', 'done', "not sent: the customer's message is machine mail (isAutoReply: Auto-Submitted: auto-replied)"],
      ['reply', 'done', "not sent: the customer's message is machine mail (isAutoReply: Auto-Submitted: auto-replied)"],
      ['acknowledge', 'done', "not sent: the customer's message is machine mail (isAutoReply: Subject: Nieobecność w biurze)"],
      ['reply', 'done', "not sent: the customer's message is machine mail (isAutoReply: Subject: Nieobecność w biurze)"],
      ['acknowledge', 'done', "not sent: the customer's message is machine mail (isAutoReply: Content-Type: multipart/report; report-type=delivery-status)"],
      ['reply', 'done', "not sent: the customer's message is machine mail (isAutoReply: Content-Type: multipart/report; report-type=delivery-status)"],
      ['acknowledge', 'done', "not sent: the customer's message is machine mail (isBulk: Precedence: bulk)"],
      ['reply', 'done', "not sent: the customer's message is machine mail (isBulk: Precedence: bulk)"],
      ['acknowledge', 'done', "not sent: the customer's message is machine mail (isAutoReply: X-Loop: triage)"],
      ['reply', 'done', "not sent: the customer's message is machine mail (isAutoReply: X-Loop: triage)"],
      ['acknowledge', 'done', "not sent: the customer's message is machine mail (X-Loop: triage)"],
    ]);
  });

  it('rate limit per recipient: over email.autoReplyLimit not sent (skipped, not retried), any address case; a new window sends again', async () => {
    const { outbox, tickets } = setup({ autoReplyLimit: { max: 2, perMinutes: 60 } });
    const customer = await fixture('windows-1250-body.eml');
    for (const from of ['m.lecka@poczta.example.pl', 'M.Lecka@Poczta.example.pl', 'm.lecka@poczta.example.pl']) {
      await ticket(tickets, [{ type: 'acknowledge' }], { ...inbound(customer, from), messageId: `${counter}-${customer.messageId}` });
      clock.advance(60_000);
      await drain(outbox);
    }
    // another customer is not affected
    await ticket(tickets, [{ type: 'acknowledge' }], { ...inbound(customer, 'someone.else@poczta.example.pl'), messageId: `other-${customer.messageId}` });
    await drain(outbox);
    expect(smtp.messages.map((m) => m.envelope.to[0]?.toLowerCase())).toEqual(['m.lecka@poczta.example.pl', 'm.lecka@poczta.example.pl', 'someone.else@poczta.example.pl']);
    const third = (await rows(outbox))[2];
    expect(third).toMatchObject({ status: 'done', attempts: 1 });
    expect(third?.log.map((a) => [a.outcome, a.detail])).toEqual([['ok', 'not sent: 2 automatic mails to m.lecka@poczta.example.pl in the last 60 min reached email.autoReplyLimit (max 2)']]);

    clock.advance(60 * 60_000);
    await ticket(tickets, [{ type: 'acknowledge' }], { ...inbound(customer), messageId: `later-${customer.messageId}` });
    await drain(outbox);
    expect(smtp.messages).toHaveLength(4);
  });

  it('max 0 turns the limit off', async () => {
    const { outbox, tickets } = setup({ autoReplyLimit: { max: 0 } });
    const customer = await fixture('koi8-r.eml');
    for (let i = 0; i < 7; i++) await ticket(tickets, [{ type: 'acknowledge' }], { ...inbound(customer), messageId: `${i}-${customer.messageId}` });
    await drain(outbox);
    expect(smtp.messages).toHaveLength(7);
  });
});
