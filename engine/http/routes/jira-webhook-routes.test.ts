import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../../rules/lib/rule-types.js';
import { createTestApp, type TestApp } from '../../../test/helpers/test-app.js';
import { rowCounts } from '../../../test/helpers/row-counts.js';
import { outboxRowsFor } from '../../outbox/outbox-writer.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signPayload } from '../auth/verify-signature.js';

const SECRET = 'test-jira-webhook-secret-0123456789abcdef';
const URL = '/v1/channels/jira';
let t: TestApp;
let dir: string;
let channelKey: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'triage-jira-webhook-'));
  const configFile = join(dir, 'triage.config.yaml');
  await writeFile(
    configFile,
    [
      'rules:',
      '  watch: false',
      'channels:',
      '  jira:',
      '    secret: ${env:JIRA_WEBHOOK_SECRET}',
      '    statusMap:',
      '      In Progress: open',
      '      Waiting for customer: pending',
      '      Done: solved',
      '      Closed: closed',
      '',
    ].join('\n'),
  );
  t = await createTestApp({ configFile, env: { JIRA_WEBHOOK_SECRET: SECRET } });
  channelKey = await t.keyWith(['channels']);
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

let seq = 0;
/** A ticket whose jira.createIssue action is done and created `issueKey` (as the outbox records it). */
async function linkedTicket(app: TestApp = t): Promise<{ id: string; number: string; issueKey: string }> {
  seq += 1;
  const created = await app.deps.tickets.createTicket({ source: 'api', externalId: `jira-test-${seq}-${randomUUID()}`, channel: 'api', subject: `Printer ${seq} is jammed` });
  const issueKey = `OPS-${100 + seq}`;
  await recordAction(app, created.ticket.id, 'jira.createIssue', issueKey);
  return { id: created.ticket.id, number: created.ticket.number, issueKey };
}

async function recordAction(app: TestApp, ticketId: string, type: string, externalId: string): Promise<void> {
  const decision: Decision = {
    ruleSetVersion: 'test',
    event: 'ticket.created',
    changes: {},
    changeLog: [],
    suggested: {},
    tags: { added: [], removed: [] },
    tagLog: [],
    actions: [{ type, params: { project: 'OPS', type: 'Incident', summary: 'x' }, ruleId: 'to-jira', index: 0 }],
    firedRules: ['to-jira'],
    confidence: null,
    review: false,
    reviewReasons: [],
  };
  const rows = outboxRowsFor({ ticket: { id: ticketId, updatedAt: new Date().toISOString() }, decision, decisionId: randomUUID() });
  await app.deps.db('outbox').insert(rows.map((r) => ({ ...r, status: 'done', attempts: 1, external_id: externalId })));
}

function transition(issueKey: string, to: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    timestamp: 1767225600000,
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_generic',
    user: { accountId: '5b10a2844c20165700ede21g', displayName: 'Dev Lead' },
    issue: { id: '10042', key: issueKey, self: `https://acme.atlassian.net/rest/api/3/issue/10042`, fields: { summary: 'x', status: { name: to, statusCategory: { key: 'done' } } } },
    changelog: { id: '10500', items: [{ field: 'status', fieldtype: 'jira', fieldId: 'status', from: '3', fromString: 'To Do', to: '10001', toString: to }] },
    ...extra,
  };
}

const post = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${channelKey}` }, app: TestApp = t) =>
  app.app.inject({ method: 'POST', url: URL, payload: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

async function status(id: string): Promise<string> {
  return (await t.deps.tickets.getTicket(id)).ticket.status;
}

describe('POST /v1/channels/jira', () => {
  it('moves the linked ticket through the lifecycle as the Jira issue moves, audited as jira', async () => {
    const ticket = await linkedTicket();
    const started = await post(transition(ticket.issueKey, 'In Progress'));
    expect(started.statusCode).toBe(200);
    expect(started.json()).toEqual({ result: 'applied', issueKey: ticket.issueKey, jiraStatus: 'In Progress', from: 'new', to: 'open', ticket: { id: ticket.id, number: ticket.number, status: 'open' } });

    const done = await post(transition(ticket.issueKey, 'Done'));
    expect(done.json()).toMatchObject({ result: 'applied', from: 'open', to: 'solved', ticket: { status: 'solved' } });

    const details = await t.deps.tickets.getTicket(ticket.id);
    expect(details.audit.filter((a) => a.action === 'status.change').map((a) => [a.actorType, a.actorId, a.oldValue, a.newValue])).toEqual([
      ['system', 'jira', 'new', 'open'],
      ['system', 'jira', 'open', 'solved'],
    ]);
    // status.changed was evaluated like for any other status change.
    expect(details.decisions.map((d) => d.event)).toEqual(expect.arrayContaining(['status.changed']));
    expect(details.corrections).toEqual([]);
  });

  it('matches Jira status names without regard to case and reports a repeat as unchanged', async () => {
    const ticket = await linkedTicket();
    expect((await post(transition(ticket.issueKey, 'waiting FOR customer'))).json()).toMatchObject({ result: 'applied', to: 'pending', ticket: { status: 'pending' } });
    const before = await rowCounts(t.deps.db);
    const again = await post(transition(ticket.issueKey, 'Waiting for customer'));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ result: 'unchanged', from: 'pending', to: 'pending' });
    expect(await rowCounts(t.deps.db)).toEqual(before);
  });

  it('uses the last status item when one delivery carries several, and the issue status when the item has no name', async () => {
    const ticket = await linkedTicket();
    const body = transition(ticket.issueKey, 'Done', {
      changelog: {
        items: [
          { field: 'assignee', toString: 'Dev Lead' },
          { field: 'status', fromString: 'To Do', toString: 'In Progress' },
          { field: 'status', fromString: 'In Progress', toString: 'Done' },
        ],
      },
    });
    expect((await post(body)).json()).toMatchObject({ result: 'applied', jiraStatus: 'Done', to: 'solved' });
    const other = await linkedTicket();
    const noName = transition(other.issueKey, 'In Progress', { changelog: { items: [{ field: 'status', fieldId: 'status', toString: null }] } });
    expect((await post(noName)).json()).toMatchObject({ result: 'applied', jiraStatus: 'In Progress', to: 'open' });
  });

  it('refuses a move the lifecycle forbids with 409, changing nothing', async () => {
    const ticket = await linkedTicket();
    const before = await rowCounts(t.deps.db);
    const closeNew = await post(transition(ticket.issueKey, 'Closed'));
    expect(closeNew.statusCode).toBe(409);
    expect(closeNew.json()).toMatchObject({ code: 'TRIAGE_TICKET_ILLEGAL_TRANSITION', details: { ticket: ticket.number, from: 'new', to: 'closed' } });
    expect(await status(ticket.id)).toBe('new');
    expect(await rowCounts(t.deps.db)).toEqual(before);

    await post(transition(ticket.issueKey, 'Done'));
    await post(transition(ticket.issueKey, 'Closed'));
    expect(await status(ticket.id)).toBe('closed');
    const reopen = await post(transition(ticket.issueKey, 'In Progress'));
    expect([reopen.statusCode, reopen.json().code]).toEqual([409, 'TRIAGE_TICKET_ILLEGAL_TRANSITION']);
    expect(await status(ticket.id)).toBe('closed');
  });

  it('ignores (202) other events, updates without a status change, unmapped statuses and issues no ticket created', async () => {
    const ticket = await linkedTicket();
    const stranger = await linkedTicket();
    // A comment action on someone else's issue does not link that issue to this ticket.
    await recordAction(t, ticket.id, 'jira.addComment', 'OPS-9999');
    const before = await rowCounts(t.deps.db);
    const cases: [unknown, string, Record<string, unknown>][] = [
      [transition(ticket.issueKey, 'Done', { webhookEvent: 'jira:issue_created' }), 'event jira:issue_created is not handled', {}],
      [transition(ticket.issueKey, 'Done', { changelog: { items: [{ field: 'priority', toString: 'Highest' }] } }), 'no status change', {}],
      [transition(ticket.issueKey, 'Done', { changelog: undefined }), 'no status change', {}],
      [transition(ticket.issueKey, 'To Do'), 'Jira status "To Do" is not mapped', { jiraStatus: 'To Do', ticket: { id: ticket.id, number: ticket.number, status: 'new' } }],
      [transition('OPS-9999', 'Done'), 'no ticket is linked to OPS-9999', { jiraStatus: 'Done' }],
      [transition('NOPE-1', 'Done'), 'no ticket is linked to NOPE-1', {}],
    ];
    for (const [body, reason, extra] of cases) {
      const res = await post(body);
      expect(res.statusCode, reason).toBe(202);
      expect(res.json(), reason).toMatchObject({ result: 'ignored', reason: expect.stringContaining(reason), ticket: null, ...extra });
    }
    expect(await rowCounts(t.deps.db)).toEqual(before);
    expect([await status(ticket.id), await status(stranger.id)]).toEqual(['new', 'new']);
  });

  it('accepts a body signed with channels.jira.secret and refuses anonymous, unscoped and wrongly signed calls', async () => {
    const ticket = await linkedTicket();
    const body = JSON.stringify(transition(ticket.issueKey, 'In Progress'));
    const signed = (secret: string) => {
      const ts = Math.floor(Date.now() / 1000);
      return { [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signPayload(secret, ts, body) };
    };
    expect((await post(JSON.parse(body), {})).json()).toMatchObject({ code: 'TRIAGE_AUTH_MISSING_KEY' });
    const unscoped = await post(JSON.parse(body), { authorization: `Bearer ${await t.keyWith(['tickets:read'])}` });
    expect([unscoped.statusCode, unscoped.json().code]).toEqual([403, 'TRIAGE_AUTH_FORBIDDEN']);
    const forged = await t.app.inject({ method: 'POST', url: URL, payload: body, headers: { 'content-type': 'application/json', ...signed('not-the-secret-000000') } });
    expect([forged.statusCode, forged.json().code]).toEqual([401, 'TRIAGE_AUTH_BAD_SIGNATURE']);
    expect(await status(ticket.id)).toBe('new');

    const ok = await t.app.inject({ method: 'POST', url: URL, payload: body, headers: { 'content-type': 'application/json', ...signed(SECRET) } });
    expect(ok.statusCode).toBe(200);
    expect(await status(ticket.id)).toBe('open');
  });

  it('refuses payloads without an issue key with 400 TRIAGE_HTTP_VALIDATION', async () => {
    for (const [body, message] of [
      [{ webhookEvent: 'jira:issue_updated' }, "body must have required property 'issue'"],
      [{ webhookEvent: 'jira:issue_updated', issue: { id: '1' } }, "body/issue must have required property 'key'"],
      [{ webhookEvent: 'jira:issue_updated', issue: { key: 'not a key' } }, 'body/issue/key must match pattern'],
      [{ webhookEvent: 'jira:issue_updated', issue: { key: 'OPS-1' }, changelog: { items: [{ toString: 'Done' }] } }, "must have required property 'field'"],
    ] as const) {
      const res = await post(body);
      expect(res.statusCode, message).toBe(400);
      expect(res.json()).toMatchObject({ code: 'TRIAGE_HTTP_VALIDATION', message: expect.stringContaining(message) });
    }
  });

  it('maps with the default table when channels.jira.statusMap is not configured', async () => {
    const plain = await createTestApp();
    try {
      const key = await plain.keyWith(['channels']);
      const ticket = await linkedTicket(plain);
      const auth = { authorization: `Bearer ${key}` };
      expect((await post(transition(ticket.issueKey, 'In Progress'), auth, plain)).json()).toMatchObject({ result: 'applied', to: 'open' });
      expect((await post(transition(ticket.issueKey, 'Waiting for customer'), auth, plain)).json()).toMatchObject({ result: 'ignored' });
      expect((await post(transition(ticket.issueKey, 'Resolved'), auth, plain)).json()).toMatchObject({ result: 'applied', to: 'solved' });
      // Without channels.jira.secret there is nothing to verify a signature with.
      const body = JSON.stringify(transition(ticket.issueKey, 'Done'));
      const ts = Math.floor(Date.now() / 1000);
      const signed = await plain.app.inject({ method: 'POST', url: URL, payload: body, headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signPayload(SECRET, ts, body) } });
      expect([signed.statusCode, signed.json().code]).toEqual([401, 'TRIAGE_AUTH_BAD_SIGNATURE']);
    } finally {
      await plain.close();
    }
  });
});
