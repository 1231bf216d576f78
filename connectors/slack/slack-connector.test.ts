import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTriageError } from '../../engine/errors/triage-error.js';
import { startSlackApiServer, SLACK_TEAM_ID, type SlackApiServer } from '../../test/fakes/slack-api-server.js';
import { connectorFailure } from '../../test/helpers/connector-failure.js';
import type { ConnectorError } from '../lib/connector-error.js';
import type { ActionCall, ConnectorContext, ConnectorInstance } from '../lib/connector.js';
import { loadConnections } from '../lib/connections.js';
import { slackConnector } from './slack-connector.js';

const TOKEN = 'xoxb-1234567890-test-secret-token-abcdef';
let slack: SlackApiServer;
const logs: string[] = [];
const context: ConnectorContext = { connection: 'alerts', log: (level, message, data) => logs.push(`${level} ${message} ${JSON.stringify(data ?? {})}`) };
const instances: ConnectorInstance[] = [];

function connect(extra: Record<string, unknown> = {}): ConnectorInstance {
  // Loopback is refused by the SSRF guard unless allowed, as in production.
  const instance = slackConnector.create({ token: TOKEN, baseUrl: slack.apiUrl, timeoutMs: 2_000, allowHosts: ['127.0.0.1'], ...extra }, context);
  instances.push(instance);
  return instance;
}

let seq = 0;
function call(params: Record<string, unknown>, signal: AbortSignal = new AbortController().signal): ActionCall {
  seq += 1;
  return { operation: 'postMessage', params, idempotencyKey: `t${seq}:rule:ticket.created:d${seq}:0`, ticket: { id: `t${seq}`, number: `T-${seq}` }, signal };
}

// No secret in anything an operator or a log could see.
const failure = (promise: Promise<unknown>): Promise<ConnectorError> => connectorFailure(promise, TOKEN);

beforeAll(async () => {
  slack = await startSlackApiServer({ token: TOKEN, notInChannel: ['general'] });
});
afterEach(async () => {
  await Promise.all(instances.splice(0).map((i) => i.close?.()));
  slack.reset();
});
afterAll(async () => {
  await slack.close();
  expect(logs.join('\n')).not.toContain(TOKEN);
});

describe('slack connector', () => {
  it('declares postMessage compatible with the rule catalogue, at-least-once, with the token sensitive', () => {
    expect(slackConnector).toMatchObject({ name: 'slack', kind: 'action' });
    expect(slackConnector.operations.map((o) => [o.name, o.idempotency, o.templates])).toEqual([['postMessage', 'none', ['text']]]);
    expect(slackConnector.operations[0]?.params).toMatchObject({ required: ['channel', 'text'], properties: { channel: {}, text: {}, connection: {} } });
    expect(slackConnector.credentials).toMatchObject({ required: ['token'], properties: { token: { 'x-sensitive': true }, baseUrl: { default: 'https://slack.com/api/' } } });
  });

  it('posts the message with the bearer token and returns the message ts as external id', async () => {
    const result = await connect().execute!(call({ channel: '#incidents', text: 'P1 from ACME: *outage*', connection: 'alerts' }));
    expect(slack.requests).toHaveLength(1);
    const req = slack.requests[0]!;
    expect(req).toMatchObject({ method: 'chat.postMessage', authorized: true, args: { channel: '#incidents', text: 'P1 from ACME: *outage*' } });
    expect(req.args).not.toHaveProperty('connection');
    expect(slack.messages).toEqual([{ channel: 'C0INCIDENTS', text: 'P1 from ACME: *outage*', ts: expect.stringMatching(/^\d+\.\d{6}$/) }]);
    expect(result).toEqual({ externalId: slack.messages[0]!.ts, detail: `posted to C0INCIDENTS (ts ${slack.messages[0]!.ts})` });
  });

  it('test() calls auth.test and reports the bot and team; a bad token fails without leaking it', async () => {
    const ok = await connect().test();
    expect(ok).toEqual({ ok: true, detail: `auth.test ok as triage-bot (U0TRIAGEBOT) in team triage test (${SLACK_TEAM_ID})` });
    expect(slack.requests.map((r) => [r.method, r.authorized])).toEqual([['auth.test', true]]);

    const bad = await connect({ token: 'xoxb-wrong-token-0000' }).test();
    expect(bad.ok).toBe(false);
    expect(bad.detail).toContain('TRIAGE_CONNECTOR_AUTH');
    expect(bad.detail).toContain('invalid_auth');
    expect(bad.detail).toContain('connection "alerts"');
    expect(bad.detail).not.toContain('xoxb-wrong-token-0000');
  });

  it('maps platform errors: bad channel, not a member and bad token are permanent with a hint; internal_error is retried', async () => {
    const notFound = await failure(connect().execute!(call({ channel: '#nope', text: 'x' })));
    expect(notFound).toMatchObject({ code: 'TRIAGE_CONNECTOR_REJECTED', retryable: false, message: 'slack "alerts" (chat.postMessage) rejected the request with channel_not_found' });
    expect(notFound.hint).toMatch(/channel name or id/);

    const notMember = await failure(connect().execute!(call({ channel: 'general', text: 'x' })));
    expect(notMember).toMatchObject({ code: 'TRIAGE_CONNECTOR_REJECTED', retryable: false });
    expect(notMember.hint).toMatch(/Invite the app/);

    const badToken = await failure(connect({ token: 'xoxb-revoked-9999' }).execute!(call({ channel: '#incidents', text: 'x' })));
    expect(badToken).toMatchObject({ code: 'TRIAGE_CONNECTOR_AUTH', retryable: false, message: 'slack "alerts" (chat.postMessage) refused the credentials (invalid_auth)' });
    expect(badToken.hint).toContain('connection "alerts"');
    expect(badToken.message + badToken.hint).not.toContain('xoxb-revoked-9999');

    slack.enqueue({ kind: 'status', status: 200, body: '{"ok":false,"error":"internal_error"}' });
    const internal = await failure(connect().execute!(call({ channel: '#incidents', text: 'x' })));
    expect(internal).toMatchObject({ code: 'TRIAGE_CONNECTOR_UNAVAILABLE', retryable: true });
    expect(slack.messages).toEqual([]);
  });

  it('maps 429 to retryable with Retry-After in ms (seconds or HTTP date), and never retries by itself', async () => {
    slack.enqueue({ kind: 'rateLimit', retryAfter: 7 });
    const seconds = await failure(connect().execute!(call({ channel: '#incidents', text: 'x' })));
    expect(seconds).toMatchObject({ code: 'TRIAGE_CONNECTOR_RATE_LIMITED', retryable: true, retryAfterMs: 7_000, status: 429 });
    expect(slack.requests).toHaveLength(1);

    slack.enqueue({ kind: 'rateLimit', retryAfter: new Date(Date.now() + 120_000).toUTCString() });
    const date = await failure(connect().execute!(call({ channel: '#incidents', text: 'x' })));
    expect(date).toMatchObject({ code: 'TRIAGE_CONNECTOR_RATE_LIMITED', retryable: true });
    expect(date.retryAfterMs).toBeGreaterThan(60_000);
    expect(date.retryAfterMs).toBeLessThanOrEqual(120_000);

    slack.enqueue({ kind: 'rateLimit' });
    const bare = await failure(connect().execute!(call({ channel: '#incidents', text: 'x' })));
    expect(bare).toMatchObject({ code: 'TRIAGE_CONNECTOR_RATE_LIMITED', retryable: true, retryAfterMs: undefined });
    expect(slack.requests).toHaveLength(3);
    expect(slack.messages).toEqual([]);
  });

  it('maps 5xx, timeouts and connection resets to retryable errors, one request each', async () => {
    slack.enqueue({ kind: 'status', status: 503, headers: { 'retry-after': '30' } });
    expect(await failure(connect().execute!(call({ channel: '#incidents', text: 'x' })))).toMatchObject({ code: 'TRIAGE_CONNECTOR_UNAVAILABLE', retryable: true, status: 503, retryAfterMs: 30_000 });

    slack.enqueue({ kind: 'status', status: 500 });
    expect(await failure(connect().execute!(call({ channel: '#incidents', text: 'x' })))).toMatchObject({ code: 'TRIAGE_CONNECTOR_UNAVAILABLE', retryable: true, status: 500 });

    slack.enqueue({ kind: 'hang' });
    const timeout = await failure(connect({ timeoutMs: 150 }).execute!(call({ channel: '#incidents', text: 'x' })));
    expect(timeout).toMatchObject({ code: 'TRIAGE_CONNECTOR_TIMEOUT', retryable: true, message: 'slack "alerts" (POST http://127.0.0.1:' + slack.url.split(':')[2] + ') did not answer within 150 ms' });

    slack.enqueue({ kind: 'reset' });
    expect(await failure(connect().execute!(call({ channel: '#incidents', text: 'x' })))).toMatchObject({ code: 'TRIAGE_CONNECTOR_NETWORK', retryable: true });
    expect(slack.requests).toHaveLength(4);
    expect(slack.messages).toEqual([]);
  });

  it('is at least once: a message Slack accepted before the connection broke is reported as retryable', async () => {
    slack.enqueue({ kind: 'acceptThenReset' });
    const e = await failure(connect().execute!(call({ channel: '#incidents', text: 'posted, answer lost' })));
    expect(e).toMatchObject({ code: 'TRIAGE_CONNECTOR_NETWORK', retryable: true });
    expect(slack.messages).toHaveLength(1);
  });

  it('stops when the outbox aborts the call', async () => {
    slack.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const pending = connect({ timeoutMs: 60_000 }).execute!(call({ channel: '#incidents', text: 'x' }, controller.signal));
    await new Promise<void>((resolve) => {
      const poll = (): void => (slack.requests.length > 0 ? resolve() : void setImmediate(poll));
      poll();
    });
    controller.abort();
    expect(await failure(pending)).toMatchObject({ code: 'TRIAGE_CONNECTOR_NETWORK', retryable: true, message: expect.stringContaining('cancelled') });
  });

  it('refuses invalid params and unknown operations without calling Slack', async () => {
    const instance = connect();
    expect(await failure(instance.execute!(call({ channel: '', text: 'x' })))).toMatchObject({ code: 'TRIAGE_CONNECTOR_INVALID_CALL', retryable: false });
    expect(await failure(instance.execute!(call({ channel: '#incidents', text: '   ' })))).toMatchObject({ code: 'TRIAGE_CONNECTOR_INVALID_CALL', retryable: false });
    expect(await failure(instance.execute!({ ...call({ channel: '#incidents', text: 'x' }), operation: 'deleteMessage' }))).toMatchObject({ code: 'TRIAGE_CONNECTOR_INVALID_CALL', retryable: false });
    expect(slack.requests).toEqual([]);
  });

  it('keeps the SSRF guard: a loopback base URL is refused unless the connection allows it', async () => {
    const guarded = slackConnector.create({ token: TOKEN, baseUrl: slack.apiUrl, timeoutMs: 2_000 }, context);
    instances.push(guarded);
    expect(await failure(guarded.execute!(call({ channel: '#incidents', text: 'x' })))).toMatchObject({ code: 'TRIAGE_CONNECTOR_BLOCKED_TARGET', retryable: false });
    expect(slack.requests).toEqual([]);
  });

  it('loads from connections.yaml with the token from the environment, defaults filled, a literal token refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-slack-'));
    try {
      const file = join(dir, 'connections.yaml');
      await writeFile(file, `connections:\n  slack:\n    connector: slack\n    token: \${env:SLACK_TOKEN}\n    baseUrl: ${slack.apiUrl}\n    allowHosts: [127.0.0.1]\n`);
      const connections = await loadConnections({ file, env: { SLACK_TOKEN: TOKEN } });
      try {
        expect(connections.list()).toEqual([{ name: 'slack', connector: 'slack', kind: 'action', settings: { token: '***', baseUrl: slack.apiUrl, timeoutMs: 10_000, allowPrivate: false, allowHosts: ['127.0.0.1'] } }]);
        expect(connections.secrets()).toEqual([TOKEN]);
        const result = await connections.instance(connections.connectionFor('slack').name).execute!(call({ channel: '#incidents', text: 'from connections.yaml' }));
        expect(result.externalId).toBe(slack.messages[0]?.ts);
      } finally {
        await connections.close();
      }

      await writeFile(file, 'connections:\n  slack:\n    connector: slack\n    token: xoxb-literal-in-git\n');
      const refused = await loadConnections({ file, env: {} }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isTriageError(refused) && refused.code).toBe('TRIAGE_CONNECTIONS_INVALID');
      expect((refused as Error).message).toContain('TRIAGE_CONNECTIONS_LITERAL_SECRET');
      expect((refused as Error).message).not.toContain('xoxb-literal-in-git');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
