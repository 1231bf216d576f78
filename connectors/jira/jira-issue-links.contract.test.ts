/**
 * The ticket ↔ Jira issue link on SQLite and PostgreSQL, made the way
 * production makes it: a ticket's decision takes jira.createIssue, the real
 * outbox worker calls the real jira connector against the loopback Jira, and
 * the done row's external_id is the link both lookups read.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exponentialBackoff } from '../../engine/outbox/backoff.js';
import { drainOutbox } from '../../engine/outbox/drain-outbox.js';
import { OutboxStore } from '../../engine/outbox/outbox-store.js';
import { OutboxWorker } from '../../engine/outbox/outbox-worker.js';
import { startJiraApiServer, type JiraApiServer } from '../../test/fakes/jira-api-server.js';
import { connectionsOf, outboxTicketService, ticketWithActions, VirtualClock } from '../../test/helpers/outbox-fixture.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import type { ConnectorInstance } from '../lib/connector.js';
import { jiraConnector } from './jira-connector.js';
import { linkedExternalId, ticketIdForIssueKey } from './jira-issue-links.js';

const EMAIL = 'triage-bot@example.com';
const TOKEN = 'ATATT3xFfGF0-links-test-token';
const createIssue = { type: 'jira.createIssue', params: { project: 'OPS', type: 'Incident', summary: 'Printer on fire' } };

describe.each<StoreKind>(['sqlite', 'postgres'])('jira issue links (%s)', (kind) => {
  let harness: StoreHarness;
  let jira: JiraApiServer;
  let instance: ConnectorInstance;
  beforeAll(async () => {
    harness = createStoreHarness(kind);
    jira = await startJiraApiServer({ email: EMAIL, apiToken: TOKEN });
    instance = jiraConnector.create({ host: jira.url, email: EMAIL, apiToken: TOKEN, timeoutMs: 2_000, allowHosts: ['127.0.0.1'] }, { connection: 'jira', log: () => undefined });
  });
  afterAll(async () => {
    await instance.close?.();
    await jira.close();
    await harness.close();
  });

  async function dispatch(db: Knex, clock: VirtualClock): Promise<void> {
    const worker = new OutboxWorker({
      db,
      connections: connectionsOf({ jira: instance }),
      now: clock.now,
      workerId: 'w1',
      callTimeoutMs: 5_000,
      backoff: exponentialBackoff({ initialMs: 1000, maxMs: 60_000, random: () => 0.5 }),
    });
    await drainOutbox({ workers: [worker], store: new OutboxStore(db), waitUntil: async (at) => clock.set(at) });
  }

  it('links the ticket to the issue its createIssue made, once, even when the first answer was lost', async () => {
    jira.reset();
    const db = await harness.open();
    const clock = new VirtualClock();
    const service = outboxTicketService(db, clock);
    const ticketId = await ticketWithActions(service, [createIssue]);
    const other = await ticketWithActions(service, [{ type: 'note', params: { text: 'no Jira here' } }]);
    // Jira creates the issue but the answer never arrives: the outbox retries, the dedupe label finds it.
    jira.setFaults((r) => (r.method === 'POST' && jira.issues.length === 0 ? { kind: 'acceptThenReset' } : undefined));
    await dispatch(db, clock);

    expect(jira.issues.map((i) => i.key)).toEqual(['OPS-1']);
    const [row] = (await new OutboxStore(db).list({ ticketId })).entries;
    expect(row).toMatchObject({ actionType: 'jira.createIssue', status: 'done', externalId: 'OPS-1' });
    expect(row!.attempts).toBeGreaterThan(1);

    expect(await ticketIdForIssueKey(db, 'OPS-1')).toBe(ticketId);
    expect(await ticketIdForIssueKey(db, 'ops-1')).toBe(ticketId);
    expect(await ticketIdForIssueKey(db, 'OPS-2')).toBeUndefined();
    expect(await linkedExternalId(db, ticketId, 'jira.createIssue')).toBe('OPS-1');
    expect(await linkedExternalId(db, other, 'jira.createIssue')).toBeUndefined();
    expect(await linkedExternalId(db, ticketId, 'slack.postMessage')).toBeUndefined();
  });

  it('does not link while the createIssue is not done', async () => {
    jira.reset();
    jira.setFaults(() => ({ kind: 'status', status: 400, body: '{"errorMessages":[],"errors":{"project":"valid project is required"}}' }));
    const db = await harness.open();
    const clock = new VirtualClock();
    const ticketId = await ticketWithActions(outboxTicketService(db, clock), [createIssue]);
    expect(await linkedExternalId(db, ticketId, 'jira.createIssue')).toBeUndefined();
    await dispatch(db, clock);
    const [row] = (await new OutboxStore(db).list({ ticketId })).entries;
    expect(row).toMatchObject({ status: 'dead', lastError: { code: 'TRIAGE_CONNECTOR_REJECTED' } });
    expect(await linkedExternalId(db, ticketId, 'jira.createIssue')).toBeUndefined();
    jira.setFaults(undefined);
  });
});
