/**
 * E-mail end to end: the real server (startServer, shipped rules), an email
 * connection in connections.yaml pointing at a real SMTP server on loopback.
 * An e-mail ticket created over HTTP is acknowledged by rule
 * `acknowledge-email`: the outbox row is delivered by the worker, the SMTP
 * server receives the acknowledgement with the ticket number, and the ticket
 * records it as an outbound message that is not a first response.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainOutbox } from '../../engine/outbox/drain-outbox.js';
import { packageRoot } from '../../engine/runtime/package-root.js';
import { startServer, type RunningServer } from '../../engine/server/start-server.js';
import { startSmtpServer, type FakeSmtpServer } from '../fakes/smtp-server.js';

const PASSWORD = 'e2e-smtp-pass-31337';

describe('e-mail ticket → acknowledge → SMTP (e2e)', () => {
  let dir: string;
  let smtp: FakeSmtpServer;
  let server: RunningServer;
  const adminKey = `trg_${randomBytes(32).toString('base64url')}`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-email-e2e-'));
    smtp = await startSmtpServer({ user: 'triage', password: PASSWORD });
    await writeFile(
      join(dir, 'connections.yaml'),
      `connections:\n  mail:\n    connector: email\n    host: 127.0.0.1\n    port: ${smtp.port}\n    user: triage\n    password: \${env:SMTP_PASSWORD}\n    from: "Support <support@example.com>"\n    allowHosts: ["127.0.0.1"]\n    timeoutMs: 2000\n`,
    );
    await writeFile(join(dir, 'triage.config.yaml'), `rules:\n  watch: false\nconnectionsFile: ${join(dir, 'connections.yaml')}\nemail:\n  connection: mail\n  replyTo: support@example.com\n`);
    server = await startServer({
      configFile: join(dir, 'triage.config.yaml'),
      env: { TRIAGE_SQLITE_PATH: join(dir, 'triage.db'), TRIAGE_RULES: join(packageRoot(), 'rules', 'default'), TRIAGE_BOOTSTRAP_KEY: adminKey, SMTP_PASSWORD: PASSWORD },
      listen: false,
      logger: false,
      outboxWorker: false,
      notice: () => undefined,
    });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('acknowledges the customer once, with the ticket number, and records the outbound message', async () => {
    const created = await server.app.inject({
      method: 'POST',
      url: '/v1/tickets',
      headers: { authorization: `Bearer ${adminKey}` },
      payload: { subject: 'Invoice question', channel: 'email', message: { from: 'Anna Nowak <anna@customer.example>', text: 'Hello, I have a question about my invoice.' } },
    });
    expect(created.statusCode).toBe(201);
    const ticket = (created.json() as { ticket: { id: string; number: string } }).ticket;

    const pending = await server.outbox.store.list({ ticketId: ticket.id });
    expect(pending.entries.map((e) => [e.actionType, e.ruleId, e.status])).toEqual([['acknowledge', 'acknowledge-email', 'pending']]);

    await drainOutbox({ workers: [server.outbox.worker], store: server.outbox.store });

    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0];
    expect(mail?.envelope).toEqual({ from: 'support@example.com', to: ['anna@customer.example'] });
    expect(mail?.text).toContain(ticket.number);
    expect(mail?.headers).toMatchObject({ subject: `Re: Invoice question [#${ticket.number}]`, 'auto-submitted': 'auto-replied', 'x-loop': 'triage', 'reply-to': 'support@example.com' });

    const [row] = (await server.outbox.store.list({ ticketId: ticket.id })).entries;
    expect(row).toMatchObject({ status: 'done', externalId: mail?.headers['message-id'] });

    const details = await server.tickets.getTicket(ticket.id);
    const outbound = details.messages.filter((m) => m.direction === 'outbound');
    expect(outbound).toMatchObject([{ kind: 'public', to: ['anna@customer.example'], messageId: mail?.headers['message-id']?.replace(/^<|>$/g, ''), text: expect.stringContaining(ticket.number) }]);
    expect(details.ticket.firstResponseAt).toBeNull();
    expect(JSON.stringify({ row, details })).not.toContain(PASSWORD);
  });
});
