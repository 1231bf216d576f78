import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type FakeSmtpServer } from '../../test/fakes/smtp-server.js';
import { ConnectorError } from '../lib/connector-error.js';
import type { ActionCall } from '../lib/connector.js';
import { emailConnector, emailMessageId } from './email-connector.js';

const PASSWORD = 'smtp-pass-8472615';
const logs: unknown[] = [];
const context = { connection: 'mail', log: (level: string, message: string, data?: Record<string, unknown>) => logs.push({ level, message, data }) };

function call(overrides: Partial<ActionCall> = {}): ActionCall {
  return {
    operation: 'send',
    params: { to: 'ops@example.com', subject: 'Awaria [#T-000001]', text: 'Zgłoszenie T-000001 czeka na decyzję — 100% pilne.' },
    idempotencyKey: 't1:rule-a:ticket.created:d1:0',
    ticket: { id: 't1', number: 'T-000001', subject: 'Awaria' },
    signal: AbortSignal.timeout(5000),
    ...overrides,
  };
}

async function failure(promise: Promise<unknown> | undefined): Promise<ConnectorError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ConnectorError) return e;
    throw e;
  }
  throw new Error('expected a ConnectorError');
}

describe('email connector', () => {
  let smtp: FakeSmtpServer;
  const connect = (settings: Record<string, unknown> = {}) =>
    emailConnector.create({ host: smtp.host, port: smtp.port, user: 'triage', password: PASSWORD, from: 'Support <support@example.com>', allowHosts: ['127.0.0.1'], timeoutMs: 2000, ...settings }, context);

  beforeAll(async () => {
    smtp = await startSmtpServer({ user: 'triage', password: PASSWORD });
  });
  afterEach(() => {
    smtp.reset();
    logs.length = 0;
  });
  afterAll(async () => {
    await smtp.close();
  });

  it('sends the message with recipients, body and the loop-protection and idempotency headers', async () => {
    const result = await connect({ replyTo: 'help@example.com' }).execute?.(call({ params: { to: ['ops@example.com', 'lead@example.com'], cc: 'cto@example.com', subject: 'Awaria [#T-000001]', text: 'Zgłoszenie T-000001 czeka — 100% pilne.' } }));
    const key = 't1:rule-a:ticket.created:d1:0';
    expect(result).toMatchObject({ externalId: emailMessageId(key) });
    expect(smtp.messages).toHaveLength(1);
    const got = smtp.messages[0];
    expect(got?.envelope).toEqual({ from: 'support@example.com', to: ['ops@example.com', 'lead@example.com', 'cto@example.com'] });
    expect(got?.user).toBe('triage');
    expect(got?.text).toBe('Zgłoszenie T-000001 czeka — 100% pilne.');
    expect(got?.headers).toMatchObject({
      'message-id': emailMessageId(key),
      'x-triage-idempotency-key': key,
      'auto-submitted': 'auto-generated',
      'x-loop': 'triage',
      'reply-to': 'help@example.com',
      cc: 'cto@example.com',
    });
    expect(emailMessageId(key)).toMatch(/^<[0-9a-f]{32}@triage>$/);
  });

  it('threads replies and marks acknowledgements auto-replied when the handlers ask for it', async () => {
    await connect().execute?.(call({ params: { to: 'anna@example.com', subject: 'Re: Awaria', text: 'ok', inReplyTo: '<c2@mail>', references: ['<c1@mail>', '<c2@mail>'], autoSubmitted: 'auto-replied' } }));
    expect(smtp.messages[0]?.headers).toMatchObject({ 'in-reply-to': '<c2@mail>', references: '<c1@mail> <c2@mail>', 'auto-submitted': 'auto-replied' });
  });

  it('gives a repeated send the same Message-ID, so the duplicate is recognizable (at least once)', async () => {
    const mail = connect();
    await mail.execute?.(call());
    await mail.execute?.(call());
    expect(smtp.messages.map((m) => m.headers['message-id'])).toEqual([emailMessageId(call().idempotencyKey), emailMessageId(call().idempotencyKey)]);
  });

  it('classifies relay faults: 4xx and dropped connections retryable, 5xx permanent', async () => {
    const mail = connect();
    smtp.enqueue({ kind: 'temp', code: 451, message: 'Greylisted, try later' }, { kind: 'perm', code: 550, message: 'No such user' }, { kind: 'drop' });
    expect(await failure(mail.execute?.(call()))).toMatchObject({ code: 'TRIAGE_CONNECTOR_UNAVAILABLE', retryable: true, status: 451, message: expect.stringContaining('Greylisted') });
    expect(await failure(mail.execute?.(call()))).toMatchObject({ code: 'TRIAGE_CONNECTOR_REJECTED', retryable: false, status: 550, message: expect.stringContaining('No such user') });
    expect(await failure(mail.execute?.(call()))).toMatchObject({ code: 'TRIAGE_CONNECTOR_NETWORK', retryable: true });
    expect(smtp.messages).toHaveLength(0);
    await mail.execute?.(call());
    expect(smtp.messages).toHaveLength(1);
  });

  it('an auth failure is permanent, with a hint, and the password appears nowhere', async () => {
    const wrong = 'wrong-pass-1234567';
    const err = await failure(connect({ password: wrong }).execute?.(call()));
    expect(err).toMatchObject({ code: 'TRIAGE_CONNECTOR_AUTH', retryable: false, hint: expect.stringContaining('connection "mail"') });
    const text = `${err.message} ${err.hint} ${JSON.stringify(logs)}`;
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(PASSWORD);
    const test = await connect({ password: wrong }).test();
    expect(test.ok).toBe(false);
    expect(test.detail).toMatch(/^TRIAGE_CONNECTOR_AUTH/);
    expect(test.detail).not.toContain(wrong);
    expect(smtp.messages).toHaveLength(0);
  });

  it('test() verifies the relay and the credentials', async () => {
    await expect(connect().test()).resolves.toEqual({ ok: true, detail: expect.stringContaining('accepted the credentials of triage') });
    expect(smtp.messages).toHaveLength(0);
  });

  it('refuses a loopback relay that is not allow-listed (SSRF guard), before connecting', async () => {
    const err = await failure(connect({ allowHosts: [] }).execute?.(call()));
    expect(err).toMatchObject({ code: 'TRIAGE_CONNECTOR_BLOCKED_TARGET', retryable: false });
    expect(smtp.attempts()).toBe(0);
    await connect({ allowHosts: [], allowPrivate: true }).execute?.(call());
    expect(smtp.messages).toHaveLength(1);
  });

  it('refuses unknown operations and missing params without sending', async () => {
    expect(await failure(connect().execute?.(call({ operation: 'fetch' })))).toMatchObject({ code: 'TRIAGE_CONNECTOR_INVALID_CALL', retryable: false });
    expect(await failure(connect().execute?.(call({ params: { subject: 'x', text: 'y' } })))).toMatchObject({ code: 'TRIAGE_CONNECTOR_INVALID_CALL' });
    expect(smtp.attempts()).toBe(0);
  });

  it('validateSettings checks allowHosts and a user without password', () => {
    expect(emailConnector.validateSettings?.({ host: 'x', from: 'a@b.c', user: 'u', allowHosts: ['bad/99'] })).toEqual([
      'allowHosts: "bad/99" is neither a host name, an IP address nor a CIDR',
      'user is set but password is not (set password: "${env:SMTP_PASSWORD}")',
    ]);
  });
});
