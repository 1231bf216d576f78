import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JIRA_ACCOUNT_ID, startJiraApiServer, type JiraApiServer } from '../../test/fakes/jira-api-server.js';
import { connectorFailure } from '../../test/helpers/connector-failure.js';
import type { ConnectorError } from '../lib/connector-error.js';
import type { ActionCall, ConnectorContext, ConnectorInstance } from '../lib/connector.js';
import { loadConnections } from '../lib/connections.js';
import { dedupeLabel } from './dedupe-label.js';
import { jiraConnector } from './jira-connector.js';

const EMAIL = 'triage-bot@example.com';
const TOKEN = 'ATATT3xFfGF0-jira-test-secret-token-0123456789';
const BASIC = Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64');
let jira: JiraApiServer;
const logs: string[] = [];
const context: ConnectorContext = { connection: 'ops', log: (level, message, data) => logs.push(`${level} ${message} ${JSON.stringify(data ?? {})}`) };
const instances: ConnectorInstance[] = [];

function connect(extra: Record<string, unknown> = {}): ConnectorInstance {
  // Loopback is refused by the SSRF guard unless allowed, as in production.
  const instance = jiraConnector.create({ host: jira.url, email: EMAIL, apiToken: TOKEN, timeoutMs: 2_000, allowHosts: ['127.0.0.1'], ...extra }, context);
  instances.push(instance);
  return instance;
}

let seq = 0;
function call(operation: string, params: Record<string, unknown>, extra: Partial<ActionCall> = {}): ActionCall {
  seq += 1;
  return {
    operation,
    params,
    idempotencyKey: `ticket-${seq}:p1-outage:ticket.created:decision-${seq}:1`,
    ticket: { id: `ticket-${seq}`, number: `T-00000${seq}` },
    signal: new AbortController().signal,
    ...extra,
  };
}

const failure = (promise: Promise<unknown>): Promise<ConnectorError> => connectorFailure(promise, TOKEN, BASIC);

const issueParams = { project: 'OPS', type: 'Incident', summary: 'T-000042 Awaria krytyczna', description: 'Line one\nline two\n\nSecond paragraph', priority: 'Highest', labels: ['p1'], connection: 'ops' };

beforeAll(async () => {
  jira = await startJiraApiServer({ email: EMAIL, apiToken: TOKEN });
});
afterEach(async () => {
  await Promise.all(instances.splice(0).map((i) => i.close?.()));
  jira.reset();
});
afterAll(async () => {
  await jira.close();
  expect(logs.join('\n')).not.toContain(TOKEN);
});

describe('jira connector', () => {
  it('declares createIssue (deduplicated) and addComment (at least once) compatible with the rule catalogue', () => {
    expect(jiraConnector).toMatchObject({ name: 'jira', kind: 'action' });
    expect(jiraConnector.operations.map((o) => [o.name, o.idempotency, o.templates])).toEqual([
      ['createIssue', 'key', ['summary', 'description']],
      ['addComment', 'none', ['body']],
    ]);
    expect(jiraConnector.credentials).toMatchObject({ required: ['host', 'email', 'apiToken'], properties: { apiToken: { 'x-sensitive': true } } });
  });

  it('creates the issue with Basic auth, ADF description and a dedupe label, and returns the key', async () => {
    const c = call('createIssue', issueParams);
    const result = await connect().execute!(c);
    const label = dedupeLabel(c.idempotencyKey);
    expect(jira.requests.map((r) => [r.method, r.path, r.authorized, r.outcome])).toEqual([
      ['GET', '/rest/api/3/search/jql', true, 'accepted'],
      ['POST', '/rest/api/3/issue', true, 'accepted'],
    ]);
    expect(jira.requests[0]!.query.get('jql')).toBe(`labels = "${label}"`);
    expect(jira.issues).toEqual([
      expect.objectContaining({
        key: 'OPS-1',
        project: 'OPS',
        issueType: 'Incident',
        summary: 'T-000042 Awaria krytyczna',
        priority: 'Highest',
        labels: ['p1', label],
        description: {
          type: 'doc',
          version: 1,
          content: [
            { type: 'paragraph', content: [{ type: 'text', text: 'Line one' }, { type: 'hardBreak' }, { type: 'text', text: 'line two' }] },
            { type: 'paragraph', content: [{ type: 'text', text: 'Second paragraph' }] },
          ],
        },
      }),
    ]);
    expect(result).toEqual({ externalId: 'OPS-1', detail: `created OPS-1 at ${jira.url}` });
  });

  it('is effectively once: a repeat after a lost answer finds the issue by its label instead of creating another', async () => {
    const c = call('createIssue', issueParams);
    jira.setFaults((r) => (r.method === 'POST' && r.path === '/rest/api/3/issue' ? { kind: 'acceptThenReset' } : undefined));
    expect(await failure(connect().execute!(c))).toMatchObject({ code: 'TRIAGE_CONNECTOR_NETWORK', retryable: true });
    expect(jira.issues).toHaveLength(1);
    jira.setFaults(undefined);

    const again = await connect().execute!(c);
    expect(again).toEqual({ externalId: 'OPS-1', detail: `OPS-1 already existed (found by label ${dedupeLabel(c.idempotencyKey)}); not created again` });
    expect(jira.issues).toHaveLength(1);

    // Another action (another key) is another issue.
    expect(await connect().execute!(call('createIssue', issueParams))).toMatchObject({ externalId: 'OPS-2' });
  });

  it('flattens and cuts the summary to what Jira accepts, and leaves an empty description out', async () => {
    await connect().execute!(call('createIssue', { project: 'OPS', type: 'Task', summary: `Line\nbreak ${'x'.repeat(300)}`, description: ' \n ' }));
    const issue = jira.issues[0]!;
    expect(issue.summary).toHaveLength(255);
    expect(issue.summary.startsWith('Line break xxx')).toBe(true);
    expect(issue.summary.endsWith('…')).toBe(true);
    expect(issue.description).toBeUndefined();
  });

  it('maps 400 to a permanent error naming the field, with a Jira-specific hint', async () => {
    const e = await failure(connect().execute!(call('createIssue', { ...issueParams, project: 'NOPE', priority: 'Urgent!' })));
    expect(e).toMatchObject({ code: 'TRIAGE_CONNECTOR_REJECTED', retryable: false, status: 400 });
    expect(e.message).toContain('valid project is required');
    expect(e.message).toContain('priority');
    expect(e.hint).toMatch(/project key, issue type and priority/);
    expect(jira.issues).toEqual([]);
  });

  it('maps bad credentials to a permanent auth error that names the connection, never the token', async () => {
    const wrong = 'ATATT-wrong-token-987654321';
    const e = await failure(connect({ apiToken: wrong }).execute!(call('createIssue', issueParams)));
    expect(e).toMatchObject({ code: 'TRIAGE_CONNECTOR_AUTH', retryable: false, status: 401 });
    expect(e.hint).toContain('connection "ops"');
    expect(e.message + e.hint).not.toContain(wrong);
    expect(jira.requests.map((r) => r.authorized)).toEqual([false]);
  });

  it('maps 429 (Retry-After), 5xx, timeouts and resets to retryable errors, one request each, creating nothing', async () => {
    jira.enqueue({ kind: 'rateLimit', retryAfter: 12 });
    expect(await failure(connect().execute!(call('createIssue', issueParams)))).toMatchObject({ code: 'TRIAGE_CONNECTOR_RATE_LIMITED', retryable: true, retryAfterMs: 12_000, status: 429 });
    expect(jira.requests).toHaveLength(1);

    jira.enqueue({ kind: 'status', status: 503, headers: { 'retry-after': '4' } });
    expect(await failure(connect().execute!(call('createIssue', issueParams)))).toMatchObject({ code: 'TRIAGE_CONNECTOR_UNAVAILABLE', retryable: true, status: 503, retryAfterMs: 4_000 });

    jira.enqueue({ kind: 'status', status: 500, body: `{"errorMessages":["boom ${TOKEN}"]}` });
    const e500 = await failure(connect().execute!(call('createIssue', issueParams)));
    expect(e500).toMatchObject({ code: 'TRIAGE_CONNECTOR_UNAVAILABLE', retryable: true, status: 500 });
    expect(e500.message).toContain('boom ***');

    jira.enqueue({ kind: 'hang' });
    expect(await failure(connect({ timeoutMs: 150 }).execute!(call('createIssue', issueParams)))).toMatchObject({ code: 'TRIAGE_CONNECTOR_TIMEOUT', retryable: true });

    jira.enqueue({ kind: 'reset' });
    expect(await failure(connect().execute!(call('createIssue', issueParams)))).toMatchObject({ code: 'TRIAGE_CONNECTOR_NETWORK', retryable: true });
    expect(jira.requests).toHaveLength(5);
    expect(jira.issues).toEqual([]);
  });

  it('comments on the given issue with an ADF body', async () => {
    const issue = jira.seedIssue({ project: 'OPS', summary: 'existing' });
    const result = await connect().execute!(call('addComment', { issue: issue.key, body: 'Customer called again.\nStill down.' }));
    expect(result).toEqual({ externalId: issue.key, detail: expect.stringMatching(new RegExp(`^commented on ${issue.key} \\(comment \\d+\\)$`)) });
    expect(jira.requests.map((r) => [r.method, r.path, r.authorized])).toEqual([['POST', `/rest/api/3/issue/${issue.key}/comment`, true]]);
    expect(jira.issue(issue.key)?.comments).toEqual([
      { id: expect.any(String), body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Customer called again.' }, { type: 'hardBreak' }, { type: 'text', text: 'Still down.' }] }] } },
    ]);
  });

  it("comments by default on the issue the ticket's createIssue created, and waits (retryable) until there is one", async () => {
    const issue = jira.seedIssue({ project: 'OPS', summary: 'created by the ticket' });
    const asked: string[] = [];
    const linked = await connect().execute!(
      call('addComment', { body: 'Update' }, { linkedExternalId: async (type) => (asked.push(type), issue.key) }),
    );
    expect(asked).toEqual(['jira.createIssue']);
    expect(linked.externalId).toBe(issue.key);
    expect(jira.issue(issue.key)?.comments).toHaveLength(1);

    const notYet = await failure(connect().execute!(call('addComment', { body: 'Update' }, { linkedExternalId: async () => undefined })));
    expect(notYet).toMatchObject({ code: 'TRIAGE_CONNECTOR_NOT_LINKED_YET', retryable: true });
    expect(notYet.message).toMatch(/ticket T-\d+ has no Jira issue/);

    const noLookup = await failure(connect().execute!(call('addComment', { body: 'Update' })));
    expect(noLookup).toMatchObject({ code: 'TRIAGE_CONNECTOR_INVALID_CALL', retryable: false });
    expect(jira.requests).toHaveLength(1);
  });

  it('maps a comment on a missing issue to a permanent error with a hint', async () => {
    const e = await failure(connect().execute!(call('addComment', { issue: 'OPS-999', body: 'x' })));
    expect(e).toMatchObject({ code: 'TRIAGE_CONNECTOR_REJECTED', retryable: false, status: 404 });
    expect(e.hint).toMatch(/does not exist/);
  });

  it('test() calls myself; a bad token fails without leaking it', async () => {
    expect(await connect().test()).toEqual({ ok: true, detail: `myself ok as triage bot (${JIRA_ACCOUNT_ID}) at ${jira.url}` });
    expect(jira.requests.map((r) => [r.method, r.path, r.authorized])).toEqual([['GET', '/rest/api/3/myself', true]]);
    const bad = await connect({ apiToken: 'ATATT-bad-000000' }).test();
    expect(bad.ok).toBe(false);
    expect(bad.detail).toContain('TRIAGE_CONNECTOR_AUTH');
    expect(bad.detail).not.toContain('ATATT-bad-000000');
  });

  it('refuses invalid params and unknown operations without calling Jira', async () => {
    const instance = connect();
    for (const params of [{ ...issueParams, summary: '  ' }, { ...issueParams, labels: ['has space'] }, { ...issueParams, project: 7 }]) {
      expect(await failure(instance.execute!(call('createIssue', params)))).toMatchObject({ code: 'TRIAGE_CONNECTOR_INVALID_CALL', retryable: false });
    }
    expect(await failure(instance.execute!(call('addComment', { body: '' })))).toMatchObject({ code: 'TRIAGE_CONNECTOR_INVALID_CALL', retryable: false });
    expect(await failure(instance.execute!(call('transition', {})))).toMatchObject({ code: 'TRIAGE_CONNECTOR_INVALID_CALL', retryable: false });
    expect(jira.requests).toEqual([]);
  });

  it('keeps the SSRF guard: a loopback host is refused unless the connection allows it', async () => {
    const guarded = jiraConnector.create({ host: jira.url, email: EMAIL, apiToken: TOKEN, timeoutMs: 2_000 }, context);
    instances.push(guarded);
    expect(await failure(guarded.execute!(call('createIssue', issueParams)))).toMatchObject({ code: 'TRIAGE_CONNECTOR_BLOCKED_TARGET', retryable: false });
    expect(jira.requests).toEqual([]);
  });

  it('loads from connections.yaml with the API token from the environment and masks it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-jira-'));
    try {
      const file = join(dir, 'connections.yaml');
      await writeFile(file, `connections:\n  ops:\n    connector: jira\n    host: ${jira.url}\n    email: ${EMAIL}\n    apiToken: \${env:JIRA_API_TOKEN}\n    timeoutMs: \${env:JIRA_TIMEOUT}\n    allowPrivate: true\n`);
      const connections = await loadConnections({ file, env: { JIRA_API_TOKEN: TOKEN, JIRA_TIMEOUT: '3000' } });
      try {
        expect(connections.list()).toEqual([{ name: 'ops', connector: 'jira', kind: 'action', settings: { host: jira.url, email: EMAIL, apiToken: '***', timeoutMs: 3000, allowPrivate: true } }]);
        expect(await connections.instance('ops').test()).toMatchObject({ ok: true });
      } finally {
        await connections.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
