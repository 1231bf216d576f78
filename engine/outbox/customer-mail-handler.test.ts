import type { Knex } from 'knex';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emailConnector, emailMessageId } from '../../connectors/email/email-connector.js';
import type { ConnectorInstance } from '../../connectors/lib/connector.js';
import { startSmtpServer, type FakeSmtpServer } from '../../test/fakes/smtp-server.js';
import { actionsFromTicketDecide, connectionsOf, ScriptedConnector, VirtualClock } from '../../test/helpers/outbox-fixture.js';
import { createStoreHarness, type StoreHarness } from '../../test/helpers/store-harness.js';
import { TicketService } from '../tickets/ticket-service.js';
import type { MessageInput } from '../tickets/message.js';
import { createOutbox, type Outbox, type OutboxOptions } from './create-outbox.js';
import { replySubject } from './customer-mail-handler.js';
import { drainOutbox } from './drain-outbox.js';

const PASSWORD = 'smtp-secret-5550123';

describe('reply, acknowledge and escalate handlers (real SMTP on loopback)', () => {
  let harness: StoreHarness;
  let smtp: FakeSmtpServer;
  let db: Knex;
  let clock: VirtualClock;
  let slack: ScriptedConnector;
  let counter = 0;

  beforeAll(async () => {
    harness = createStoreHarness('sqlite');
    smtp = await startSmtpServer({ user: 'triage', password: PASSWORD });
  });
  afterAll(async () => {
    await smtp.close();
    await harness.close();
  });
  beforeEach(async () => {
    db = await harness.open();
    clock = new VirtualClock();
    slack = new ScriptedConnector();
  });
  afterEach(() => smtp.reset());

  function setup(options: { password?: string; email?: OutboxOptions['email']; escalation?: OutboxOptions['escalation'] } = {}): { outbox: Outbox; tickets: TicketService } {
    const mail: ConnectorInstance = emailConnector.create(
      { host: smtp.host, port: smtp.port, user: 'triage', password: options.password ?? PASSWORD, from: 'Support <support@example.com>', allowHosts: ['127.0.0.1'], timeoutMs: 2000 },
      { connection: 'email', log: () => undefined },
    );
    const bound: { tickets?: TicketService } = {};
    const outbox = createOutbox({
      db,
      connections: connectionsOf({ email: mail, slack }, [PASSWORD]),
      tickets: { addMessage: (...a) => bound.tickets!.addMessage(...a), getTicket: (id) => bound.tickets!.getTicket(id) },
      ...(options.email === undefined ? {} : { email: options.email }),
      ...(options.escalation === undefined ? {} : { escalation: options.escalation }),
      worker: { now: clock.now, maxAttempts: 3 },
    });
    bound.tickets = new TicketService({ db, decide: actionsFromTicketDecide(), now: clock.now, afterDecision: (ctx) => outbox.afterDecision(ctx) });
    return { outbox, tickets: bound.tickets };
  }

  async function ticket(tickets: TicketService, actions: { type: string; params?: Record<string, unknown> }[], message: MessageInput | null = { from: 'Anna Nowak <anna@customer.example>', text: 'The printer is on fire', messageId: '<c1@customer.example>' }) {
    counter += 1;
    const { ticket: t } = await tickets.createTicket({ source: 'test', externalId: `mail-${counter}`, subject: 'Printer broken', channel: 'email', data: { actions }, ...(message === null ? {} : { message }) });
    return t;
  }

  const drain = (outbox: Outbox) => drainOutbox({ workers: [outbox.worker], store: outbox.store, waitUntil: (due) => Promise.resolve(clock.set(due)) });
  /** Rows oldest first, each with its attempt log. */
  const rowsOf = async (outbox: Outbox) => {
    const { entries } = await outbox.store.list({ limit: 100 });
    const rows = [...entries].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.actionIndex - b.actionIndex);
    return Promise.all(rows.map(async (e) => ({ ...e, log: await outbox.store.attempts(e.id) })));
  };

  it('reply: sends to the customer in their thread and records the outbound message (first response)', async () => {
    const { outbox, tickets } = setup();
    const t = await ticket(tickets, [{ type: 'reply', params: { text: 'We are on it.' } }]);
    clock.advance(60_000);
    await tickets.addMessage(t.id, { from: 'anna@customer.example', text: 'Any news?', messageId: '<c2@customer.example>', data: { references: ['<c1@customer.example>'] } }, { type: 'user', id: 'u' });
    await drain(outbox);
    expect(smtp.messages).toHaveLength(1);
    const got = smtp.messages[0];
    expect(got?.envelope.to).toEqual(['anna@customer.example']);
    expect(got?.text).toBe('We are on it.');
    expect(got?.headers).toMatchObject({ subject: `Re: Printer broken [#${t.number}]`, 'in-reply-to': '<c2@customer.example>', references: '<c1@customer.example> <c2@customer.example>', 'auto-submitted': 'auto-generated' });
    const details = await tickets.getTicket(t.id);
    const outbound = details.messages.filter((m) => m.direction === 'outbound');
    expect(outbound).toHaveLength(1);
    expect(outbound[0]).toMatchObject({ kind: 'public', to: ['anna@customer.example'], text: 'We are on it.', messageId: got?.headers['message-id']?.replace(/^<|>$/g, '') });
    expect(details.ticket.firstResponseAt).not.toBeNull();
    expect((await rowsOf(outbox))[0]).toMatchObject({ status: 'done', externalId: got?.headers['message-id'] });
  });

  it('acknowledge: auto-replied, text + FAQ link, recorded but NOT a first response; a rule subject wins', async () => {
    const { outbox, tickets } = setup({ email: { from: 'Helpdesk <help@example.com>', replyTo: 'inbox@example.com' } });
    await ticket(tickets, [{ type: 'acknowledge', params: { text: 'Got it, ticket number follows.', faqUrl: 'https://help.example.com/faq' } }, { type: 'reply', params: { subject: 'Custom', text: 'hi' } }]);
    await drain(outbox);
    expect(smtp.messages).toHaveLength(2);
    const [ack, reply] = [smtp.messages.find((m) => m.headers['auto-submitted'] === 'auto-replied'), smtp.messages.find((m) => m.headers.subject === 'Custom')];
    expect(ack?.text).toBe('Got it, ticket number follows.\n\nhttps://help.example.com/faq');
    expect(ack?.headers).toMatchObject({ from: 'Helpdesk <help@example.com>', 'reply-to': 'inbox@example.com', 'in-reply-to': '<c1@customer.example>' });
    expect(reply).toBeDefined();
  });

  it('acknowledge alone does not set firstResponseAt', async () => {
    const { outbox, tickets } = setup();
    const t = await ticket(tickets, [{ type: 'acknowledge' }]);
    await drain(outbox);
    expect(smtp.messages[0]?.text).toBe(`We received your request ${t.number}.`);
    const details = await tickets.getTicket(t.id);
    expect(details.messages.filter((m) => m.direction === 'outbound')).toMatchObject([{ kind: 'public', data: { automatic: true, action: 'acknowledge' } }]);
    expect(details.ticket.firstResponseAt).toBeNull();
  });

  it('acknowledge is not sent to machine mail (R3); the row ends done with the reason', async () => {
    const { outbox, tickets } = setup();
    await ticket(tickets, [{ type: 'acknowledge' }], { from: 'mailer-daemon@example.org', text: 'Out of office', data: { auto: { isAutoReply: true } } });
    await ticket(tickets, [{ type: 'acknowledge' }], { from: 'robot@example.org', text: 'x', headers: { 'auto-submitted': 'auto-generated' } });
    await drain(outbox);
    expect(smtp.attempts()).toBe(0);
    expect((await rowsOf(outbox)).map((r) => [r.status, r.log[0]?.detail])).toEqual([
      ['done', expect.stringContaining('machine mail')],
      ['done', expect.stringContaining('machine mail')],
    ]);
  });

  it('without a mail connection every row is dead with TRIAGE_OUTBOX_NO_CONNECTION, before the ticket is read', async () => {
    let reads = 0;
    const bound: { tickets?: TicketService } = {};
    const outbox = createOutbox({
      db,
      // A connections file without any email connection.
      connections: connectionsOf({ slack }, []),
      tickets: {
        addMessage: (...a) => bound.tickets!.addMessage(...a),
        getTicket: (id) => {
          reads += 1;
          return bound.tickets!.getTicket(id);
        },
      },
      worker: { now: clock.now, maxAttempts: 3 },
    });
    const tickets = new TicketService({ db, decide: actionsFromTicketDecide(), now: clock.now, afterDecision: (ctx) => outbox.afterDecision(ctx) });
    bound.tickets = tickets;
    await ticket(tickets, [{ type: 'acknowledge' }]);
    // Machine mail too: the configuration error is the answer for every row, not a skip.
    await ticket(tickets, [{ type: 'reply', params: { text: 'x' } }], { from: 'mailer-daemon@example.org', text: 'Out of office', data: { auto: { isAutoReply: true } } });
    await drain(outbox);
    expect((await rowsOf(outbox)).map((r) => [r.status, r.lastError?.code])).toEqual([
      ['dead', 'TRIAGE_OUTBOX_NO_CONNECTION'],
      ['dead', 'TRIAGE_OUTBOX_NO_CONNECTION'],
    ]);
    expect(reads).toBe(0);
    expect(smtp.attempts()).toBe(0);
    // With the worker running, such a row is dead as soon as its ticket is stored: nothing is handed over for nothing.
    outbox.worker.start();
    try {
      await ticket(tickets, [{ type: 'acknowledge' }]);
      expect((await rowsOf(outbox)).map((r) => [r.status, r.attempts, r.lastError?.code])).toEqual([
        ['dead', 1, 'TRIAGE_OUTBOX_NO_CONNECTION'],
        ['dead', 1, 'TRIAGE_OUTBOX_NO_CONNECTION'],
        ['dead', 1, 'TRIAGE_OUTBOX_NO_CONNECTION'],
      ]);
    } finally {
      await outbox.worker.stop();
    }
    expect(reads).toBe(0);
  });

  it('no customer address → dead with TRIAGE_OUTBOX_NO_RECIPIENT', async () => {
    const { outbox, tickets } = setup();
    await ticket(tickets, [{ type: 'reply', params: { text: 'x' } }], null);
    await drain(outbox);
    expect((await rowsOf(outbox))[0]).toMatchObject({ status: 'dead', lastError: { code: 'TRIAGE_OUTBOX_NO_RECIPIENT' } });
    expect(smtp.attempts()).toBe(0);
  });

  it('a 4xx is retried and then delivered once; a 5xx is dead at once', async () => {
    const { outbox, tickets } = setup();
    smtp.enqueue({ kind: 'temp' }, { kind: 'drop' });
    await ticket(tickets, [{ type: 'reply', params: { text: 'first' } }]);
    await drain(outbox);
    const [row] = await rowsOf(outbox);
    expect(row).toMatchObject({ status: 'done' });
    expect(row?.log.map((a) => a.outcome)).toEqual(['retry', 'retry', 'ok']);
    expect(smtp.messages).toHaveLength(1);

    smtp.reset();
    smtp.enqueue({ kind: 'perm', message: 'User unknown' });
    await ticket(tickets, [{ type: 'reply', params: { text: 'second' } }]);
    await drain(outbox);
    const dead = (await rowsOf(outbox)).find((r) => r.status === 'dead');
    expect(dead).toMatchObject({ lastError: { code: 'TRIAGE_CONNECTOR_REJECTED', message: expect.stringContaining('User unknown') } });
    expect(dead?.log).toHaveLength(1);
    expect(smtp.messages).toHaveLength(0);
  });

  it('an auth failure is dead at once and no password reaches the stored errors', async () => {
    const { outbox, tickets } = setup({ password: 'bad-password-77' });
    await ticket(tickets, [{ type: 'reply', params: { text: 'x' } }]);
    await drain(outbox);
    const [row] = await rowsOf(outbox);
    expect(row).toMatchObject({ status: 'dead', lastError: { code: 'TRIAGE_CONNECTOR_AUTH' } });
    expect(JSON.stringify(row)).not.toMatch(/bad-password-77|smtp-secret-5550123/);
  });

  it('escalate: e-mail and Slack targets of the role; an unconfigured role is dead naming the config key', async () => {
    const { outbox, tickets } = setup({ escalation: { 'team-lead': { email: 'lead@example.com', slack: { channel: '#escalations' } } } });
    const t = await ticket(tickets, [{ type: 'escalate', params: { to: 'team-lead', reason: 'VIP customer, card 4111 1111 1111 1111' } }, { type: 'escalate', params: { to: 'cto' } }]);
    await drain(outbox);
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]?.envelope.to).toEqual(['lead@example.com']);
    expect(smtp.messages[0]?.headers.subject).toBe(`[#${t.number}] Escalated to team-lead: Printer broken`);
    expect(smtp.messages[0]?.text).toContain('Reason: VIP customer');
    expect(smtp.messages[0]?.text).not.toContain('4111 1111 1111 1111'); // PII masked (R20)
    expect(slack.calls).toMatchObject([{ operation: 'postMessage', params: { channel: '#escalations', text: expect.stringContaining('VIP customer') } }]);
    const rows = await rowsOf(outbox);
    expect(rows.find((r) => r.params.to === 'team-lead')).toMatchObject({ status: 'done' });
    expect(rows.find((r) => r.params.to === 'cto')).toMatchObject({ status: 'dead', lastError: { code: 'TRIAGE_OUTBOX_NO_ESCALATION_TARGET', message: expect.stringContaining('escalation.cto.email') } });
  });

  it('reply subjects do not stack Re: or the number', () => {
    expect(replySubject('Printer', 'T-1')).toBe('Re: Printer [#T-1]');
    expect(replySubject('RE: Printer [#T-1]', 'T-1')).toBe('RE: Printer [#T-1]');
    expect(emailMessageId('k')).toBe(emailMessageId('k'));
  });
});
