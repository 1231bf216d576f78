/**
 * IMAP ingest against a real Dovecot, on SQLite and PostgreSQL, with the
 * shipped rule set: new mail → ticket, threading by References and by the
 * subject tag, exactly once on duplicate APPEND and on a UIDVALIDITY change,
 * unparseable mail kept, processed mail moved only after commit, auto-replies
 * never acknowledged, flag mode, and a failing mailbox reported.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuleSet } from '../../rules/lib/load-rule-set.js';
import type { RuleSet } from '../../rules/lib/rule-set.js';
import { buildMail } from '../../test/helpers/build-mail.js';
import { startDovecot, type Dovecot } from '../../test/helpers/dovecot.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import { ruleSetDecide } from '../tickets/rule-set-decide.js';
import { TicketService } from '../tickets/ticket-service.js';
import { MailBlobStore, sha256Hex } from './mail-blob-store.js';
import { MailIngest } from './mail-ingest.js';
import { mailSettings, type MailboxSettings, type ProcessedAction } from './mail-settings.js';
import { readMailboxHealth } from './mailbox-health.js';
import { MailboxPoller, type MailLog } from './mailbox-poller.js';
import { MailboxStateStore } from './mailbox-state-store.js';

let dovecot: Dovecot;
let ruleSet: RuleSet;
let folderSeq = 0;

beforeAll(async () => {
  dovecot = await startDovecot();
  const loaded = await loadRuleSet('rules/default');
  if (!loaded.ok) throw new Error('rules/default does not validate');
  ruleSet = loaded.ruleSet;
});
afterAll(async () => {
  await dovecot.stop();
});

describe.each<StoreKind>(['sqlite', 'postgres'])('IMAP ingest (%s)', (kind) => {
  let harness: StoreHarness;
  beforeAll(() => {
    harness = createStoreHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  interface Setup {
    db: Knex;
    tickets: TicketService;
    folder: string;
    done: string;
    poller: MailboxPoller;
    logs: Array<{ level: string; message: string; data?: Record<string, unknown> }>;
    mailbox: MailboxSettings;
  }

  async function setup(options: { processed?: ProcessedAction; password?: string; tickets?: (t: TicketService) => Pick<TicketService, 'createTicket' | 'addMessage'> } = {}): Promise<Setup> {
    const db = await harness.open();
    const tickets = new TicketService({ db, decide: ruleSetDecide(() => ruleSet) });
    const folder = `in-${kind}-${++folderSeq}`;
    const done = `${folder}-done`;
    await dovecot.createFolder(folder);
    const mailbox = mailSettings({
      mailboxes: [{ name: 'support', host: dovecot.host, port: dovecot.port, tls: false, user: dovecot.user, password: options.password ?? dovecot.password, folder, processed: options.processed ?? { moveTo: done }, pollSeconds: 3600 }],
    }).mailboxes[0] as MailboxSettings;
    const logs: Setup['logs'] = [];
    const log: MailLog = (level, message, data) => logs.push({ level, message, ...(data === undefined ? {} : { data }) });
    const ingest = new MailIngest({ db, tickets: options.tickets === undefined ? tickets : options.tickets(tickets) });
    const poller = new MailboxPoller({ mailbox, ingest, state: new MailboxStateStore(db), maxBackoffSeconds: 2, log });
    return { db, tickets, folder, done, poller, logs, mailbox };
  }

  const emailTickets = async (db: Knex): Promise<Array<{ id: string; number: string; external_id: string; status: string; created_at: string }>> =>
    (await db('tickets').where({ source: 'email' }).orderBy('number')) as Array<{ id: string; number: string; external_id: string; status: string; created_at: string }>;

  it('turns a new message into a ticket with its fields, attachment bytes, raw message and arrival time, then moves it', async () => {
    const s = await setup();
    const pdf = Buffer.from('%PDF-1.4 invoice 12/2026');
    const raw = buildMail({
      messageId: '<order-1@acme.example>',
      from: 'Jan Kowalski <jan@acme.example>',
      cc: 'Ewa <ewa@acme.example>',
      subject: 'Where is my order?',
      text: 'Hello, where is my order 1234?',
      attachment: { filename: 'invoice.pdf', contentType: 'application/pdf', content: pdf },
    });
    const arrived = new Date('2026-01-05T10:01:02.000Z');
    await dovecot.append([raw], s.folder, arrived);
    await s.poller.drain();
    await s.poller.stop();

    const [ticket, ...others] = await emailTickets(s.db);
    expect(others).toEqual([]);
    expect(ticket?.external_id).toBe('order-1@acme.example');
    // The SLA clock starts at arrival (INTERNALDATE), not when ingest ran.
    expect(ticket?.created_at).toBe('2026-01-05T10:01:02.000Z');
    const details = await s.tickets.getTicket(ticket?.number as string);
    expect(details.ticket).toMatchObject({ channel: 'email', subject: 'Where is my order?' });
    expect(details.ticket.data).toMatchObject({ mailbox: 'support' });
    const [message] = details.messages;
    expect(message).toMatchObject({ direction: 'inbound', messageId: 'order-1@acme.example', cc: ['ewa@acme.example'], from: { address: 'jan@acme.example', name: 'Jan Kowalski' } });
    expect(message?.text).toContain('where is my order 1234');
    expect(message?.data).toMatchObject({ mailbox: 'support', rawSha256: sha256Hex(raw), auto: { isAutoReply: false, isBounce: false, isBulk: false } });
    expect(message?.attachments).toEqual([expect.objectContaining({ filename: 'invoice.pdf', contentType: 'application/pdf', size: pdf.length, sha256: sha256Hex(pdf), ref: `sha256:${sha256Hex(pdf)}` })]);
    const blobs = new MailBlobStore(s.db);
    expect(await blobs.get(sha256Hex(pdf))).toEqual(pdf);
    expect(await blobs.get(sha256Hex(raw))).toEqual(raw);
    // A person's mail is acknowledged by rules/default.
    expect(details.decisions[0]?.decision.actions.map((a) => a.type)).toContain('acknowledge');
    expect(await dovecot.uids(s.folder)).toEqual([]);
    expect(await dovecot.uids(s.done)).toHaveLength(1);
    const [health] = await readMailboxHealth(s.db, { mailboxes: [s.mailbox] });
    expect(health).toMatchObject({ name: 'support', condition: 'ok', backlog: 0, ingested: 1, failures: 0 });
  });

  it('threads a reply by References only and one by the subject tag only into the same ticket, reopening it', async () => {
    const s = await setup();
    await dovecot.append([buildMail({ messageId: '<first@acme.example>', subject: 'Broken pump' })], s.folder);
    await s.poller.drain();
    const [ticket] = await emailTickets(s.db);
    await s.tickets.changeStatus(ticket?.number as string, 'open', { type: 'user', id: 'anna' });
    await s.tickets.changeStatus(ticket?.number as string, 'pending', { type: 'user', id: 'anna' });
    await dovecot.append(
      [
        // No In-Reply-To, a different subject: only References links it.
        buildMail({ messageId: '<photos@acme.example>', subject: 'photos', references: '<unknown@elsewhere> <first@acme.example>', text: 'Photos after our call.' }),
        buildMail({ messageId: '<tagged@acme.example>', subject: `Re: [#${ticket?.number}] Broken pump`, text: 'Any news?' }),
      ],
      s.folder,
    );
    const round = await s.poller.drain();
    await s.poller.stop();
    expect(round).toMatchObject({ created: 0, appended: 2, duplicates: 0 });
    expect(await emailTickets(s.db)).toHaveLength(1);
    const details = await s.tickets.getTicket(ticket?.number as string);
    expect(details.messages.map((m) => m.messageId)).toEqual(['first@acme.example', 'photos@acme.example', 'tagged@acme.example']);
    expect(details.ticket.status).toBe('open');
    expect(details.decisions.map((d) => d.event)).toContain('message.received');
  });

  it('ingests a duplicate APPEND of the same message once, and a UIDVALIDITY change rescans without duplicates', async () => {
    const s = await setup({ processed: { flag: '\\Seen' } });
    const raw = buildMail({ messageId: '<dup@acme.example>' });
    await dovecot.append([raw, raw, buildMail({ messageId: '<other@acme.example>' })], s.folder);
    const round = await s.poller.drain();
    expect(round).toMatchObject({ fetched: 3, created: 2, duplicates: 1 });
    expect((await emailTickets(s.db)).map((t) => t.external_id).sort()).toEqual(['dup@acme.example', 'other@acme.example']);
    // Flag mode: the messages stay, flagged; the cursor keeps them from being fetched again.
    expect(await dovecot.uids(s.folder)).toHaveLength(3);
    expect(await s.poller.drain()).toMatchObject({ fetched: 0 });
    // As if the server had rebuilt the folder: a new UIDVALIDITY makes the next round rescan from UID 1.
    await s.db('mail_mailboxes').where({ name: 'support' }).update({ uid_validity: '1' });
    const rescan = await s.poller.drain();
    await s.poller.stop();
    expect(rescan).toMatchObject({ fetched: 3, created: 0, appended: 0, duplicates: 3, uidValidityChanged: true });
    expect(await emailTickets(s.db)).toHaveLength(2);
    expect(s.logs.some((l) => l.level === 'warn' && l.message.includes('UIDVALIDITY changed'))).toBe(true);
  });

  it('keeps mail that cannot be parsed as a ticket tagged unparseable with the raw message attached', async () => {
    const s = await setup();
    const raw = Buffer.concat([Buffer.from('\r\n\r\n'), Buffer.from([0x01, 0xff, 0xfe, 0x80, 0x81, 0x0d, 0x0a, 0x1b, 0x5b, 0x41])]);
    await dovecot.append([raw], s.folder);
    const round = await s.poller.drain();
    await s.poller.stop();
    expect(round).toMatchObject({ created: 1 });
    const [ticket] = await emailTickets(s.db);
    const details = await s.tickets.getTicket(ticket?.number as string);
    expect(details.ticket.tags).toContain('unparseable');
    const [message] = details.messages;
    expect(message?.attachments).toEqual([expect.objectContaining({ filename: 'message.eml', contentType: 'message/rfc822', ref: `sha256:${sha256Hex(raw)}` })]);
    expect(await new MailBlobStore(s.db).get(sha256Hex(raw))).toEqual(raw);
    expect(ticket?.external_id).toBe(`sha256-${sha256Hex(raw)}@triage`);
  });

  it('moves a message only after its ticket is committed: a failed commit leaves it in the folder and the cursor before it', async () => {
    let failOn: string | undefined = 'fails@acme.example';
    const s = await setup({
      tickets: (t) => ({
        addMessage: (...args) => t.addMessage(...args),
        createTicket: async (input) => {
          if (input.externalId === failOn) throw new Error('database went away (injected fault)');
          return t.createTicket(input);
        },
      }),
    });
    await dovecot.append([buildMail({ messageId: '<ok-1@acme.example>' }), buildMail({ messageId: '<fails@acme.example>' }), buildMail({ messageId: '<ok-2@acme.example>' })], s.folder);
    await expect(s.poller.drain()).rejects.toThrow(/1 of 3 messages could not be ingested/);
    expect((await emailTickets(s.db)).map((t) => t.external_id).sort()).toEqual(['ok-1@acme.example', 'ok-2@acme.example']);
    // Committed ones are moved; the failed one stays, and the cursor did not pass it.
    expect(await dovecot.uids(s.folder)).toHaveLength(1);
    expect(await dovecot.uids(s.done)).toHaveLength(2);
    const state = await new MailboxStateStore(s.db).get('support');
    expect(state?.backlog).toBe(null);
    failOn = undefined;
    const retry = await s.poller.drain();
    await s.poller.stop();
    expect(retry).toMatchObject({ created: 1, backlog: 0 });
    expect(await emailTickets(s.db)).toHaveLength(3);
    expect(await dovecot.uids(s.folder)).toEqual([]);
  });

  it('stores an auto-reply marked, without an acknowledgement', async () => {
    const s = await setup();
    await dovecot.append(
      [buildMail({ messageId: '<ooo@acme.example>', subject: 'Out of office', headers: { 'Auto-Submitted': 'auto-replied' }, text: 'I am away until Monday.' })],
      s.folder,
    );
    await s.poller.drain();
    await s.poller.stop();
    const [ticket] = await emailTickets(s.db);
    const details = await s.tickets.getTicket(ticket?.number as string);
    expect(details.messages[0]?.data.auto).toMatchObject({ isAutoReply: true });
    expect(details.ticket.tags).toContain('machine-mail');
    expect(details.decisions.flatMap((d) => d.decision.actions.map((a) => a.type))).not.toContain('acknowledge');
  });

  it('runs as a loop: IDLE picks up new mail; a mailbox that cannot log in is recorded as failing and logged at error level', async () => {
    const good = await setup();
    good.poller.start();
    await dovecot.append([buildMail({ messageId: '<idle@acme.example>' })], good.folder);
    while ((await emailTickets(good.db)).length === 0) await new Promise((r) => setTimeout(r, 20));
    await good.poller.stop();
    expect((await emailTickets(good.db))[0]?.external_id).toBe('idle@acme.example');

    const bad = await setup({ password: 'wrong' });
    bad.poller.start();
    while (((await new MailboxStateStore(bad.db).get('support'))?.failures ?? 0) < 2) await new Promise((r) => setTimeout(r, 20));
    await bad.poller.stop();
    const [health] = await readMailboxHealth(bad.db, { mailboxes: [bad.mailbox] });
    expect(health?.condition).toBe('failing');
    expect(health?.lastError).toBeTruthy();
    const errors = bad.logs.filter((l) => l.level === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[1]?.data).toMatchObject({ mailbox: 'support', failures: 2, backoffGrew: true });
    expect(JSON.stringify(bad.logs)).not.toContain('wrong');
  });
});
