/**
 * The e-mail channel end to end: the real server (startServer, shipped
 * rules) reads a real Dovecot mailbox over IMAP, the new ticket is
 * acknowledged over a real SMTP server on loopback, and the customer's reply
 * to that acknowledgement threads back into the same ticket. /readyz and
 * /metrics show each mailbox's health; a mailbox that cannot log in is shown
 * as failing without making the instance unready.
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
import { buildMail } from '../helpers/build-mail.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';

const SMTP_PASSWORD = 'e2e-smtp-pass-4242';

describe('IMAP → ticket → acknowledgement → reply threads back (e2e)', () => {
  let dir: string;
  let smtp: FakeSmtpServer;
  let dovecot: Dovecot;
  let server: RunningServer;
  const adminKey = `trg_${randomBytes(32).toString('base64url')}`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-mail-e2e-'));
    smtp = await startSmtpServer({ user: 'triage', password: SMTP_PASSWORD });
    dovecot = await startDovecot();
    await writeFile(
      join(dir, 'connections.yaml'),
      `connections:\n  mail:\n    connector: email\n    host: 127.0.0.1\n    port: ${smtp.port}\n    user: triage\n    password: \${env:SMTP_PASSWORD}\n    from: "Support <support@example.com>"\n    allowHosts: ["127.0.0.1"]\n    timeoutMs: 2000\n`,
    );
    await writeFile(
      join(dir, 'triage.config.yaml'),
      [
        'rules:',
        '  watch: false',
        `connectionsFile: ${join(dir, 'connections.yaml')}`,
        'email:',
        '  connection: mail',
        '  replyTo: support@example.com',
        'mail:',
        '  maxBackoffSeconds: 1',
        '  mailboxes:',
        `    - { name: support, host: 127.0.0.1, port: ${dovecot.port}, tls: false, user: ${dovecot.user}, password: "\${env:IMAP_PASSWORD}", pollSeconds: 3600 }`,
        `    - { name: broken, host: 127.0.0.1, port: ${dovecot.port}, tls: false, user: ${dovecot.user}, password: "\${env:WRONG_PASSWORD}" }`,
        '',
      ].join('\n'),
    );
    server = await startServer({
      configFile: join(dir, 'triage.config.yaml'),
      env: {
        TRIAGE_SQLITE_PATH: join(dir, 'triage.db'),
        TRIAGE_RULES: join(packageRoot(), 'rules', 'default'),
        TRIAGE_BOOTSTRAP_KEY: adminKey,
        SMTP_PASSWORD,
        IMAP_PASSWORD: dovecot.password,
        WRONG_PASSWORD: 'not-the-password',
      },
      listen: false,
      logger: false,
      outboxWorker: false,
      mailIngest: true,
      notice: () => undefined,
    });
  });
  afterAll(async () => {
    await server?.close();
    await dovecot?.stop();
    await smtp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function until<T>(read: () => Promise<T | undefined>): Promise<T> {
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('ingests, acknowledges, threads the reply to the acknowledgement, and reports mailbox health', async () => {
    await dovecot.append([buildMail({ messageId: '<pump-1@customer.example>', from: 'Anna Nowak <anna@customer.example>', subject: 'Pump broken', text: 'Hello, the pump in hall 3 is broken.' })]);
    const row = await until(async () => (await server.db('tickets').where({ source: 'email' }).first('id', 'number')) as { id: string; number: string } | undefined);

    await drainOutbox({ workers: [server.outbox.worker], store: server.outbox.store });
    const ack = smtp.messages[0];
    expect(ack?.headers.subject).toBe(`Re: Pump broken [#${row.number}]`);
    expect(ack?.headers['in-reply-to']).toBe('<pump-1@customer.example>');

    // The customer answers the acknowledgement: In-Reply-To is our own outbound Message-ID.
    await dovecot.append([
      buildMail({ messageId: '<pump-2@customer.example>', from: 'Anna Nowak <anna@customer.example>', subject: 'Re: Pump broken', inReplyTo: ack?.headers['message-id'] as string, text: 'Photos attached later.' }),
    ]);
    const messages = await until(async () => {
      const details = await server.tickets.getTicket(row.id);
      return details.messages.length >= 3 ? details.messages : undefined;
    });
    expect(messages.map((m) => [m.direction, m.messageId])).toEqual([
      ['inbound', 'pump-1@customer.example'],
      ['outbound', expect.any(String)],
      ['inbound', 'pump-2@customer.example'],
    ]);
    expect(await server.db('tickets').where({ source: 'email' })).toHaveLength(1);

    const ready = await until(async () => {
      const res = await server.app.inject({ method: 'GET', url: '/readyz' });
      const body = res.json() as { status: string; mailboxes: Array<{ name: string; condition: string; failures: number; lastError: string | null }> };
      const support = body.mailboxes.find((m) => m.name === 'support');
      const broken = body.mailboxes.find((m) => m.name === 'broken');
      return support?.condition === 'ok' && broken?.condition === 'failing' ? { res, body } : undefined;
    });
    // A failing mailbox is visible but does not make the instance unready.
    expect(ready.res.statusCode).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.mailboxes.find((m) => m.name === 'broken')?.lastError).toBeTruthy();

    const metrics = (await server.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/triage_mailbox_up\{mailbox="support"\} 1/);
    expect(metrics).toMatch(/triage_mailbox_up\{mailbox="broken"\} 0/);
    expect(metrics).toMatch(/triage_mailbox_backlog\{mailbox="support"\} 0/);
    expect(metrics).toMatch(/triage_mail_messages_total\{mailbox="support",outcome="created"\} 1/);
    expect(metrics).not.toContain(dovecot.password);
  });
});
