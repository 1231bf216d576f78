/**
 * The outbox contract on SQLite and PostgreSQL: rows written with the
 * decision, claimed under leases, delivered, retried with back-off,
 * dead-lettered, retried and dropped by operators; crashes repeat a call and
 * never skip one. Each test gets a fresh database and a virtual clock.
 */
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConnectorError } from '../../connectors/lib/connector-error.js';
import type { ActionCall } from '../../connectors/lib/connector.js';
import { expectCode } from '../../test/helpers/expect-code.js';
import type { Decision } from '../../rules/lib/rule-types.js';
import {
  connectionsOf,
  OUTBOX_TEST_RULE_SET,
  outboxTicketService,
  ScriptedConnector,
  ticketWithActions,
  VirtualClock,
} from '../../test/helpers/outbox-fixture.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import { loadMessages } from '../tickets/ticket-queries.js';
import { GroupCommit } from '../tickets/group-commit.js';
import type { TicketService } from '../tickets/ticket-service.js';
import { exponentialBackoff } from './backoff.js';
import { drainOutbox } from './drain-outbox.js';
import { noteHandler } from './note-handler.js';
import type { OutboxEntry } from './outbox-entry.js';
import type { OutboxHandler } from './outbox-handler.js';
import { TriageError } from '../errors/triage-error.js';
import { OutboxStore } from './outbox-store.js';
import { OutboxWorker, type OutboxWorkerOptions } from './outbox-worker.js';
import { writeOutboxRows } from './outbox-writer.js';

/** Write a decision's rows handed to `worker` in a group-commit piece that then fails, so they roll back. */
async function writeThenRollBack(group: GroupCommit, worker: OutboxWorker, clock: VirtualClock, ticketId: string, decision: Decision): Promise<void> {
  await expect(
    group.run(async (trx, sql, commit) => {
      await writeOutboxRows({ trx, sql, commit, ticket: { id: ticketId, updatedAt: clock.iso() }, decision, decisionId: 'rolled-back' }, { adopt: worker });
      throw new Error('a later step of the create failed');
    }),
  ).rejects.toThrow('a later step');
}

const retryable = (status: number, retryAfterMs?: number) => (): never => {
  throw new ConnectorError({ code: 'TEST_HTTP_RETRYABLE', message: `receiver answered ${status}`, hint: 'wait', retryable: true, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
};
const permanent = (status: number) => (): never => {
  throw new ConnectorError({ code: 'TEST_HTTP_REFUSED', message: `receiver answered ${status}`, hint: 'fix the params', retryable: false, status });
};

describe.each<StoreKind>(['sqlite', 'postgres'])('outbox (%s)', (kind) => {
  let harness: StoreHarness;
  beforeAll(() => {
    harness = createStoreHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  interface Setup {
    db: Knex;
    clock: VirtualClock;
    service: TicketService;
    store: OutboxStore;
    hook: ScriptedConnector;
    worker: (options?: Partial<OutboxWorkerOptions>) => OutboxWorker;
  }

  async function setup(): Promise<Setup> {
    const db = await harness.open();
    const clock = new VirtualClock();
    const service = outboxTicketService(db, clock);
    const hook = new ScriptedConnector();
    const worker = (options: Partial<OutboxWorkerOptions> = {}): OutboxWorker =>
      new OutboxWorker({
        db,
        connections: connectionsOf({ hooks: hook }),
        now: clock.now,
        workerId: 'w1',
        leaseMs: 60_000,
        callTimeoutMs: 5_000,
        backoff: exponentialBackoff({ initialMs: 1000, maxMs: 60_000, random: () => 0.5 }),
        ...options,
      });
    return { db, clock, service, store: new OutboxStore(db), hook, worker };
  }

  const post = (n = 1): { type: string; params: Record<string, unknown> } => ({ type: 'webhook.post', params: { connection: 'hooks', body: { n } } });

  it('writes one row per decided action in the decision transaction, keyed per decision action', async () => {
    const { db, service, store } = await setup();
    const ticketId = await ticketWithActions(service, [post(), { type: 'note', params: { text: 'hi' } }, { type: 'reply', params: { text: 'Thanks' } }]);
    const decision = (await db('decisions').where({ ticket_id: ticketId }).first()) as { id: string };
    const { entries } = await store.list();
    expect(entries.map((e) => [e.actionType, e.connection, e.status, e.idempotencyKey]).sort()).toEqual([
      ['note', null, 'pending', `${ticketId}:r-note:ticket.created:${decision.id}:1`],
      ['reply', null, 'pending', `${ticketId}:r-reply:ticket.created:${decision.id}:2`],
      ['webhook.post', 'hooks', 'pending', `${ticketId}:r-webhook.post:ticket.created:${decision.id}:0`],
    ]);
    expect(entries[0]).toMatchObject({ ticketId, decisionId: decision.id, ruleSetVersion: OUTBOX_TEST_RULE_SET, event: 'ticket.created', attempts: 0, lastError: null });
  });

  it('writes nothing when the decision transaction rolls back, and a second write of the same decision adds no rows', async () => {
    const { db, service, store } = await setup();
    const ticketId = await ticketWithActions(service, [post()]);
    const row = (await db('decisions').where({ ticket_id: ticketId }).first()) as { id: string };
    const decision = { ...(await service.getTicket(ticketId)).decisions[0]!.decision };
    const ticket = { id: ticketId, updatedAt: '2026-02-02T08:00:00.000Z' };
    await db.transaction(async (trx) => writeOutboxRows({ trx, ticket, decision, decisionId: row.id }));
    expect((await store.list()).entries).toHaveLength(1);
    await expect(
      db.transaction(async (trx) => {
        await writeOutboxRows({ trx, ticket, decision, decisionId: 'another-decision' });
        throw new Error('the decision failed after the hook');
      }),
    ).rejects.toThrow('the decision failed');
    expect((await store.list()).entries).toHaveLength(1);
  });

  it('delivers a connector action once: done with the external id, the call carries operation, key and ticket', async () => {
    const { service, store, hook, worker } = await setup();
    const ticketId = await ticketWithActions(service, [post(7)]);
    expect(await worker().runOnce()).toBe(1);
    const [entry] = (await store.list()).entries;
    expect(entry).toMatchObject({ status: 'done', attempts: 1, externalId: `ext-${entry!.idempotencyKey}`, leaseOwner: null, lastError: null });
    expect(hook.calls).toHaveLength(1);
    const call = hook.calls[0] as ActionCall;
    expect(call).toMatchObject({ operation: 'post', params: { connection: 'hooks', body: { n: 7 } }, idempotencyKey: entry!.idempotencyKey, event: 'ticket.created', rule: 'r-webhook.post' });
    expect(call.ticket).toMatchObject({ id: ticketId, number: expect.stringMatching(/^T-\d+$/) });
    expect(await store.attempts(entry!.id)).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'ok', workerId: 'w1', externalId: entry!.externalId, error: null }),
    ]);
    expect(await worker().runOnce()).toBe(0);
    expect(hook.calls).toHaveLength(1);
  });

  it('tells a connector the external id an earlier action of the ticket got (linkedExternalId)', async () => {
    const { db, service, hook, worker } = await setup();
    const seen: (string | undefined)[] = [];
    const jira = new ScriptedConnector(async (call) => {
      // asked during the call, as jira.addComment does
      seen.push(await call.linkedExternalId?.('jira.createIssue'));
      return call.operation === 'createIssue' ? { externalId: 'OPS-7' } : { externalId: 'comment-1' };
    });
    const w = worker({ connections: connectionsOf({ hooks: hook, jira }) });
    await ticketWithActions(service, [{ type: 'jira.createIssue', params: { project: 'OPS' } }]);
    await w.runOnce();
    // a later decision on the same ticket comments on that issue
    const ticketId = (await service.listTickets())[0]!.id;
    await service.changeStatus(ticketId, 'open', { type: 'user', id: 'anna' });
    await writeOutboxRowsFor(ticketId, 'jira.addComment');
    await w.runOnce();
    expect(jira.calls.map((c) => c.operation)).toEqual(['createIssue', 'addComment']);
    // none before the issue existed; its key afterwards
    expect(seen).toEqual([undefined, 'OPS-7']);
    expect(await jira.calls[1]!.linkedExternalId?.('slack.postMessage')).toBeUndefined();

    async function writeOutboxRowsFor(id: string, type: string): Promise<void> {
      const decision = (await service.getTicket(id)).decisions.at(-1)!;
      await db.transaction((trx) =>
        writeOutboxRows({ trx, ticket: { id, updatedAt: decision.createdAt }, decision: { ...decision.decision, actions: [{ type, params: { body: 'x' }, ruleId: 'r-comment', index: 0 }] }, decisionId: decision.id }),
      );
    }
  });

  it('retries a retryable failure after back-off honouring Retry-After, recording every attempt', async () => {
    const { service, store, hook, worker, clock } = await setup();
    hook.script(retryable(429, 10_000), retryable(503));
    await ticketWithActions(service, [post()]);
    const w = worker();
    const start = clock.now().getTime();

    await w.runOnce();
    let [entry] = (await store.list()).entries;
    // back-off would be 500 ms (half of 1 s); the receiver asked for 10 s: the longer wins
    expect(entry).toMatchObject({ status: 'pending', attempts: 1, lastError: { code: 'TEST_HTTP_RETRYABLE' } });
    expect(Date.parse(entry!.nextAttemptAt) - start).toBe(10_000);
    expect(await w.runOnce()).toBe(0);

    clock.set(entry!.nextAttemptAt);
    await w.runOnce();
    [entry] = (await store.list()).entries;
    // second failure: half of 2 s
    expect(Date.parse(entry!.nextAttemptAt) - clock.now().getTime()).toBe(1000);

    clock.set(entry!.nextAttemptAt);
    await w.runOnce();
    [entry] = (await store.list()).entries;
    expect(entry).toMatchObject({ status: 'done', attempts: 3, lastError: null });
    const attempts = await store.attempts(entry!.id);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.httpStatus, a.retryAfterMs, a.error?.code ?? null])).toEqual([
      [1, 'retry', 429, 10_000, 'TEST_HTTP_RETRYABLE'],
      [2, 'retry', 503, null, 'TEST_HTTP_RETRYABLE'],
      [3, 'ok', null, null, null],
    ]);
    expect(new Set(hook.calls.map((c) => c.idempotencyKey)).size).toBe(1);
  });

  it('dead-letters a non-retryable failure at once, with the reason and hint', async () => {
    const { service, store, hook, worker } = await setup();
    hook.script(permanent(400));
    await ticketWithActions(service, [post()]);
    await worker().runOnce();
    const [entry] = (await store.list()).entries;
    expect(entry).toMatchObject({ status: 'dead', attempts: 1, lastError: { code: 'TEST_HTTP_REFUSED', message: 'receiver answered 400 Hint: fix the params' } });
    expect((await store.attempts(entry!.id)).map((a) => a.outcome)).toEqual(['dead']);
  });

  it('dead-letters after maxAttempts retryable failures (TRIAGE_OUTBOX_GAVE_UP), one attempt row each', async () => {
    const { service, store, hook, worker, clock } = await setup();
    const failing = new ScriptedConnector(retryable(500));
    await ticketWithActions(service, [post()]);
    const w = worker({ maxAttempts: 3, connections: connectionsOf({ hooks: failing }) });
    await drainOutbox({ workers: [w], store, waitUntil: async (at) => clock.set(at) });
    const [entry] = (await store.list()).entries;
    expect(entry).toMatchObject({ status: 'dead', attempts: 3, lastError: { code: 'TRIAGE_OUTBOX_GAVE_UP', message: expect.stringContaining('Gave up after 3 attempts: TEST_HTTP_RETRYABLE receiver answered 500') } });
    expect((await store.attempts(entry!.id)).map((a) => a.outcome)).toEqual(['retry', 'retry', 'dead']);
    expect(failing.calls).toHaveLength(3);
    expect(hook.calls).toHaveLength(0);
  });

  it('marks built-in actions without a handler dead (TRIAGE_OUTBOX_NO_HANDLER); an operator retry delivers them once a handler exists', async () => {
    const { service, store, worker, clock } = await setup();
    await ticketWithActions(service, [{ type: 'reply', params: { text: 'Thanks' } }]);
    await worker().runOnce();
    let [entry] = (await store.list()).entries;
    expect(entry).toMatchObject({ status: 'dead', lastError: { code: 'TRIAGE_OUTBOX_NO_HANDLER', message: 'No handler for action reply yet' } });

    const retried = await store.retry(entry!.id, 'cli:anna', clock.iso());
    expect(retried).toMatchObject({ status: 'pending', attemptsBase: 1 });
    const replies: string[] = [];
    await worker({ handlers: { reply: async ({ entry: e }) => (replies.push(String(e.params.text)), { externalId: 'mail-1' }) } }).runOnce();
    [entry] = (await store.list()).entries;
    expect(entry).toMatchObject({ status: 'done', attempts: 2, externalId: 'mail-1' });
    expect(replies).toEqual(['Thanks']);
    expect(await store.events(entry!.id)).toEqual([expect.objectContaining({ action: 'retry', actor: 'cli:anna', fromStatus: 'dead' })]);
  });

  it('masks PII in params before they leave and scrubs connection secrets from stored errors', async () => {
    const { service, store, worker } = await setup();
    // the refund call goes through; the other fails with a library error that quotes a configured secret
    const leaky = new ScriptedConnector((call) => {
      if (JSON.stringify(call.params).includes('refund')) return { externalId: 'ok' };
      throw new Error('socket hang up talking to https://hooks.example/?k=s3cr3t-value-42');
    });
    const w = worker({ connections: connectionsOf({ hooks: leaky }, ['s3cr3t-value-42']) });
    await ticketWithActions(service, [{ type: 'webhook.post', params: { connection: 'hooks', body: { text: 'card 4111 1111 1111 1111 please refund' } } }]);
    await ticketWithActions(service, [post()]);
    await w.runOnce();
    const sent = JSON.stringify(leaky.calls.find((c) => JSON.stringify(c.params).includes('refund'))!.params);
    expect(sent).toContain('please refund');
    expect(sent).not.toContain('4111 1111 1111 1111');
    // the stored params keep what the rule rendered; only what leaves is masked
    const stored = (await store.list()).entries.map((e) => JSON.stringify(e.params));
    expect(stored.some((p) => p.includes('4111 1111 1111 1111'))).toBe(true);
    const failed = (await store.list({ status: 'pending' })).entries[0]!;
    expect(failed.lastError).toMatchObject({ code: 'TRIAGE_OUTBOX_CALL_FAILED' });
    expect(failed.lastError!.message).toContain('socket hang up');
    expect(failed.lastError!.message).not.toContain('s3cr3t-value-42');
    expect(JSON.stringify(await store.attempts(failed.id))).not.toContain('s3cr3t-value-42');
  });

  it('dead-letters a connector action whose connection does not exist (TRIAGE_OUTBOX_NO_CONNECTION)', async () => {
    const { service, store, worker, hook } = await setup();
    await ticketWithActions(service, [{ type: 'slack.postMessage', params: { channel: '#x', text: 'hi' } }]);
    await worker().runOnce();
    const [entry] = (await store.list()).entries;
    expect(entry).toMatchObject({ status: 'dead', connection: null, lastError: { code: 'TRIAGE_OUTBOX_NO_CONNECTION', message: expect.stringContaining('Connection "slack" for action slack.postMessage') } });
    expect(hook.calls).toHaveLength(0);
  });

  it('adds a note as an internal message written by the rule, once even when the attempt is repeated', async () => {
    const { db, service, store, worker, clock } = await setup();
    const ticketId = await ticketWithActions(service, [{ type: 'note', params: { text: 'Key account: call back' } }]);
    const w = worker({ handlers: { note: noteHandler(service) } });
    await w.runOnce();
    const [entry] = (await store.list()).entries;
    expect(entry).toMatchObject({ status: 'done' });
    // an operator (or a crash) sends it again: the Message-ID derived from the key makes it a no-op
    await db('outbox').where({ id: entry!.id }).update({ status: 'dead' });
    await store.retry(entry!.id, 'test', clock.iso());
    await w.runOnce();
    const notes = (await loadMessages(db, ticketId)).filter((m) => m.kind === 'internal');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ direction: 'outbound', text: 'Key account: call back', id: entry!.externalId });
    const audit = (await service.getTicket(ticketId)).audit.filter((a) => a.action === 'message.add');
    expect(audit.at(-1)).toMatchObject({ actorType: 'rule', actorId: 'r-note' });
  });

  it('aborts a call that exceeds the timeout and retries it (TRIAGE_OUTBOX_TIMEOUT)', async () => {
    const { service, store, hook, worker } = await setup();
    let aborted = false;
    hook.script(
      (call) =>
        new Promise((_, reject) => {
          call.signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
    );
    await ticketWithActions(service, [post()]);
    await worker({ callTimeoutMs: 20 }).runOnce();
    const [entry] = (await store.list()).entries;
    expect(aborted).toBe(true);
    expect(entry).toMatchObject({ status: 'pending', lastError: { code: 'TRIAGE_OUTBOX_TIMEOUT', message: 'Action webhook.post did not finish within 20 ms' } });
  });

  it('re-claims a row whose worker crashed mid-call after the lease, calls again with the same key, and fences the stale worker out', async () => {
    const { service, store, hook, worker, clock } = await setup();
    await ticketWithActions(service, [post()]);
    // a worker claims the row and dies before reporting back
    const [stale] = await store.claim({ workerId: 'crashed', limit: 10, now: clock.iso(), leaseUntil: new Date(clock.now().getTime() + 60_000).toISOString() });
    expect(stale).toMatchObject({ status: 'in_flight', leaseOwner: 'crashed', attempts: 1 });
    expect(await worker().runOnce()).toBe(0);

    clock.advance(60_000);
    expect(await worker().runOnce()).toBe(1);
    const [entry] = (await store.list()).entries;
    expect(entry).toMatchObject({ status: 'done', attempts: 2 });
    expect((await store.attempts(entry!.id)).map((a) => [a.attempt, a.workerId, a.outcome, a.error?.code ?? null])).toEqual([
      [1, 'crashed', 'retry', 'TRIAGE_OUTBOX_LEASE_EXPIRED'],
      [2, 'w1', 'ok', null],
    ]);
    expect(hook.calls.map((c) => c.idempotencyKey)).toEqual([entry!.idempotencyKey]);

    // the crashed worker comes back and reports: its attempt is logged, the row is not touched
    const changed = await store.finish(stale as OutboxEntry, 'crashed', [{ outboxId: entry!.id, attempt: 1, workerId: 'crashed', startedAt: clock.iso(), finishedAt: clock.iso(), outcome: 'retry', error: { code: 'X', message: 'late' }, httpStatus: 500, retryAfterMs: null, externalId: null, detail: null }], { status: 'pending', nextAttemptAt: clock.iso(), error: { code: 'X', message: 'late' } }, clock.iso());
    expect(changed).toBe(false);
    expect(await store.get(entry!.id)).toMatchObject({ status: 'done' });
    expect((await store.attempts(entry!.id))[0]).toMatchObject({ attempt: 1, httpStatus: 500, error: { code: 'X', message: 'late' } });
  });

  it('dead-letters without calling when the lease ran out on the last attempt', async () => {
    const { service, store, hook, worker, clock } = await setup();
    await ticketWithActions(service, [post()]);
    const lease = (): string => new Date(clock.now().getTime() + 60_000).toISOString();
    await store.claim({ workerId: 'crashed-1', limit: 1, now: clock.iso(), leaseUntil: lease() });
    clock.advance(60_000);
    await store.claim({ workerId: 'crashed-2', limit: 1, now: clock.iso(), leaseUntil: lease() });
    clock.advance(60_000);
    await worker({ maxAttempts: 2 }).runOnce();
    const [entry] = (await store.list()).entries;
    expect(entry).toMatchObject({ status: 'dead', lastError: { code: 'TRIAGE_OUTBOX_GAVE_UP', message: expect.stringContaining('TRIAGE_OUTBOX_LEASE_EXPIRED') } });
    expect(hook.calls).toHaveLength(0);
    expect((await store.attempts(entry!.id)).map((a) => [a.attempt, a.workerId, a.outcome])).toEqual([[2, 'crashed-2', 'dead']]);
  });

  it('retry and drop: allowed moves only, audited, rows never deleted', async () => {
    const { service, store, worker, hook, clock } = await setup();
    hook.script(permanent(404));
    await ticketWithActions(service, [post(1), post(2)]);
    await worker({ batchSize: 1 }).runOnce();
    const all = (await store.list()).entries;
    const dead = all.find((e) => e.status === 'dead')!;
    const pending = all.find((e) => e.status === 'pending')!;
    const now = clock.iso();

    await expectCode(store.retry(pending.id, 'anna', now), 'TRIAGE_OUTBOX_ILLEGAL_STATE');
    await expectCode(store.drop('nope', 'anna', now), 'TRIAGE_OUTBOX_NOT_FOUND');
    expect(await store.drop(pending.id, 'anna', now)).toMatchObject({ status: 'dropped' });
    expect(await store.drop(dead.id, 'anna', now)).toMatchObject({ status: 'dropped' });
    expect(await store.countByStatus()).toEqual({ pending: 0, in_flight: 0, done: 0, dead: 0, dropped: 2 });
    expect(await worker().runOnce()).toBe(0);

    clock.advance(1000);
    expect(await store.retry(dead.id, 'bob', clock.iso())).toMatchObject({ status: 'pending' });
    await worker().runOnce();
    expect(await store.get(dead.id)).toMatchObject({ status: 'done' });
    await expectCode(store.drop(dead.id, 'anna', now), 'TRIAGE_OUTBOX_ILLEGAL_STATE');
    expect((await store.events(dead.id)).map((e) => [e.action, e.actor, e.fromStatus])).toEqual([
      ['drop', 'anna', 'dead'],
      ['retry', 'bob', 'dropped'],
    ]);
  });

  it('retryAllDead sends every dead row again with a fresh budget', async () => {
    const { service, store, worker, clock } = await setup();
    for (let i = 0; i < 3; i++) await ticketWithActions(service, [{ type: 'escalate', params: { to: 'lead' } }]);
    await worker().runOnce();
    expect((await store.countByStatus()).dead).toBe(3);
    expect(await store.retryAllDead('ops', clock.iso())).toBe(3);
    expect(await store.countByStatus()).toMatchObject({ dead: 0, pending: 3 });
    expect(await store.retryAllDead('ops', clock.iso())).toBe(0);
  });

  it('lists newest first with a status filter and keyset cursor', async () => {
    const { service, store, clock } = await setup();
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await ticketWithActions(service, [post(i)]);
    }
    const first = await store.list({ limit: 2 });
    expect(first.entries.map((e) => e.params.body)).toEqual([{ n: 4 }, { n: 3 }]);
    const second = await store.list({ limit: 2, after: first.next! });
    expect(second.entries.map((e) => e.params.body)).toEqual([{ n: 2 }, { n: 1 }]);
    const third = await store.list({ limit: 2, after: second.next! });
    expect(third).toMatchObject({ next: null });
    expect(third.entries).toHaveLength(1);
    expect((await store.list({ status: 'done' })).entries).toEqual([]);
    expect(await store.nextDueAt()).toBe((await store.list({ limit: 5 })).entries.at(-1)!.nextAttemptAt);
  });

  it('claims at most `limit` due rows, oldest due first, and only due ones', async () => {
    const { service, store, clock } = await setup();
    for (let i = 0; i < 6; i++) {
      await ticketWithActions(service, [post(i)]);
      clock.advance(1000);
    }
    const lease = new Date(clock.now().getTime() + 60_000).toISOString();
    const first = await store.claim({ workerId: 'x', limit: 4, now: clock.iso(), leaseUntil: lease });
    expect(first.map((e) => e.params.body)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
    expect(first.every((e) => e.status === 'in_flight' && e.leaseOwner === 'x' && e.attempts === 1 && e.expiredLeaseOwner === null)).toBe(true);
    expect(await store.claim({ workerId: 'y', limit: 4, now: clock.iso(), leaseUntil: lease })).toHaveLength(2);
    expect(await store.claim({ workerId: 'z', limit: 4, now: clock.iso(), leaseUntil: lease })).toHaveLength(0);
    expect(await store.countByStatus()).toMatchObject({ in_flight: 6, pending: 0 });
    expect(await store.nextDueAt()).toBe(lease);
  });

  it('two workers on separate connection pools never call one row twice', async () => {
    const { db, service, store, clock } = await setup();
    const keys: string[] = [];
    for (let i = 0; i < 40; i++) await ticketWithActions(service, [post(i)]);
    // A second "instance": its own pool on the same database.
    const config = db.client.config as Knex.Config;
    const other = kind === 'postgres' ? knexFactory({ client: 'pg', connection: config.connection, pool: { min: 0, max: 4 } }) : db;
    try {
      let inFlight = 0;
      let maxInFlightPerKey = 0;
      const active = new Map<string, number>();
      const slow = new ScriptedConnector(async (call) => {
        keys.push(call.idempotencyKey);
        inFlight += 1;
        active.set(call.idempotencyKey, (active.get(call.idempotencyKey) ?? 0) + 1);
        maxInFlightPerKey = Math.max(maxInFlightPerKey, active.get(call.idempotencyKey)!);
        await new Promise((r) => setImmediate(r));
        active.set(call.idempotencyKey, active.get(call.idempotencyKey)! - 1);
        inFlight -= 1;
        return { externalId: call.idempotencyKey };
      });
      const options = { connections: connectionsOf({ hooks: slow }), now: clock.now, batchSize: 7 };
      const a = new OutboxWorker({ db, workerId: 'a', ...options });
      const b = new OutboxWorker({ db: other, workerId: 'b', ...options });
      await drainOutbox({ workers: [a, b], store, waitUntil: async (at) => clock.set(at) });
      expect(keys).toHaveLength(40);
      expect(new Set(keys).size).toBe(40);
      expect(maxInFlightPerKey).toBe(1);
      expect(inFlight).toBe(0);
      expect(await store.countByStatus()).toMatchObject({ done: 40, pending: 0, in_flight: 0 });
      const owners = (await db('outbox_attempts').distinct('worker_id')) as { worker_id: string }[];
      // both took rows: a batch of 7 cannot take all 40 in the first round
      expect(owners.map((o) => o.worker_id).sort()).toEqual(['a', 'b']);
    } finally {
      if (other !== db) await other.destroy();
    }
  });

  it('start() wakes on a row committed in-process and stop() waits for the call in flight', async () => {
    const db = await harness.open();
    const clock = new VirtualClock();
    let release: () => void = () => undefined;
    let called: () => void = () => undefined;
    const calledOnce = new Promise<void>((r) => (called = r));
    const gated = new ScriptedConnector(
      () =>
        new Promise((resolve) => {
          release = () => resolve({ externalId: 'late' });
          called();
        }),
    );
    const worker = new OutboxWorker({ db, workerId: 'bg', now: clock.now, connections: connectionsOf({ hooks: gated }), pollIntervalMs: 3_600_000 });
    const service = outboxTicketService(db, clock, () => worker.wake());
    worker.start();
    await ticketWithActions(service, [post()]);
    // the poll interval is an hour: only the wake-up can have started this call
    await calledOnce;
    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    release();
    await stopping;
    const store = new OutboxStore(db);
    expect((await store.list()).entries[0]).toMatchObject({ status: 'done', externalId: 'late' });
  });

  /** A connector whose calls wait until the test releases them, one promise per call. */
  function gatedConnector(): { connector: ScriptedConnector; calls: () => number; releaseAll: () => void } {
    const waiting: Array<() => void> = [];
    const connector = new ScriptedConnector(
      (call) =>
        new Promise((resolve) => {
          waiting.push(() => resolve({ externalId: `ext-${call.idempotencyKey}` }));
        }),
    );
    return { connector, calls: () => connector.calls.length, releaseAll: () => waiting.splice(0).forEach((go) => go()) };
  }

  it('hands a new row to the running worker at write time: written in flight under its lease, carried out without a claim', async () => {
    const db = await harness.open();
    const clock = new VirtualClock();
    const gate = gatedConnector();
    const worker = new OutboxWorker({ db, workerId: 'bg', now: clock.now, connections: connectionsOf({ hooks: gate.connector }), pollIntervalMs: 3_600_000, leaseMs: 60_000, callTimeoutMs: 5_000 });
    const claims = vi.spyOn(OutboxStore.prototype, 'claim');
    try {
      // No wake-up: only the hand-off can start the call before the hour-long poll.
      const service = outboxTicketService(db, clock, undefined, worker);
      worker.start();
      await expect.poll(() => claims.mock.calls.length).toBe(1); // the first round, before any row existed
      const ticketId = await ticketWithActions(service, [post(1)]);
      await expect.poll(gate.calls).toBe(1);
      const store = new OutboxStore(db);
      const [inFlight] = (await store.list()).entries;
      expect(inFlight).toMatchObject({ ticketId, status: 'in_flight', leaseOwner: 'bg', leaseUntil: new Date(clock.now().getTime() + 60_000).toISOString(), attempts: 1 });
      gate.releaseAll();
      await expect.poll(async () => (await store.get(inFlight!.id))?.status).toBe('done');
      expect(await store.attempts(inFlight!.id)).toEqual([expect.objectContaining({ attempt: 1, outcome: 'ok', workerId: 'bg' })]);
      expect(claims).toHaveBeenCalledTimes(1);
      await worker.stop();
    } finally {
      claims.mockRestore();
      await worker.stop();
    }
  });

  it('hands over at most maxAdopted rows at once (the rest are written pending), and nothing for a write that rolled back', async () => {
    const db = await harness.open();
    const clock = new VirtualClock();
    const gate = gatedConnector();
    const worker = new OutboxWorker({ db, workerId: 'bg', now: clock.now, connections: connectionsOf({ hooks: gate.connector }), pollIntervalMs: 3_600_000, maxAdopted: 1 });
    try {
      const service = outboxTicketService(db, clock);
      const decisionOf = async (ticketId: string): Promise<{ id: string; decision: Decision }> => {
        const row = (await db('decisions').where({ ticket_id: ticketId }).first()) as { id: string };
        return { id: row.id, decision: (await service.getTicket(ticketId)).decisions[0]!.decision };
      };
      const ticketId = await ticketWithActions(service, [post(1)]);
      const template = await decisionOf(ticketId);
      await db('outbox').del();
      worker.start();
      // A write whose piece fails after the rows went in: no row, no call, and the lease comes back.
      const group = new GroupCommit(db);
      await writeThenRollBack(group, worker, clock, ticketId, template.decision);
      const store = new OutboxStore(db);
      expect((await store.list()).entries).toEqual([]);
      // Two actions, room for one: one in flight with the worker, one pending for a claim.
      const twoActions: Decision = { ...template.decision, actions: [template.decision.actions[0]!, { ...template.decision.actions[0]!, index: 1 }] };
      await group.run((trx, sql, commit) => writeOutboxRows({ trx, sql, commit, ticket: { id: ticketId, updatedAt: clock.iso() }, decision: twoActions, decisionId: 'two' }, { adopt: worker }));
      await expect.poll(gate.calls).toBe(1);
      expect((await store.list()).entries.map((e) => [e.actionIndex, e.status, e.leaseOwner]).sort()).toEqual([
        [0, 'in_flight', 'bg'],
        [1, 'pending', null],
      ]);
      gate.releaseAll();
      await expect.poll(async () => (await store.list()).entries.find((e) => e.actionIndex === 0)?.status).toBe('done');
      // The pending one goes the usual way.
      const claimed = worker.runOnce();
      await expect.poll(gate.calls).toBe(2);
      gate.releaseAll();
      expect(await claimed).toBe(1);
      expect((await store.list()).entries.map((e) => e.status)).toEqual(['done', 'done']);
    } finally {
      gate.releaseAll();
      await worker.stop();
    }
  });

  it('carries out handed-over rows at most batchSize at a time, and leaves one whose lease is nearly out to a claim', async () => {
    const db = await harness.open();
    const clock = new VirtualClock();
    const gate = gatedConnector();
    const worker = new OutboxWorker({ db, workerId: 'bg', now: clock.now, connections: connectionsOf({ hooks: gate.connector }), pollIntervalMs: 3_600_000, batchSize: 2, leaseMs: 60_000, callTimeoutMs: 5_000 });
    try {
      const service = outboxTicketService(db, clock, undefined, worker);
      worker.start();
      await ticketWithActions(service, [post(1), post(2), post(3), post(4), post(5)]);
      const store = new OutboxStore(db);
      expect((await store.list()).entries.map((e) => e.status)).toEqual(Array(5).fill('in_flight'));
      await expect.poll(gate.calls).toBe(2);
      // 56 s later 4 s of lease are left, less than a call may take: the queued three are not started.
      clock.advance(56_000);
      gate.releaseAll();
      await expect.poll(async () => (await store.list()).entries.filter((e) => e.status === 'done').length).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(gate.calls()).toBe(2);
      // Once the lease ran out a claim takes them, each called once.
      clock.advance(5_000);
      const claimed = worker.runOnce();
      await expect.poll(gate.calls).toBe(4);
      gate.releaseAll();
      expect(await claimed).toBe(2);
      const last = worker.runOnce();
      await expect.poll(gate.calls).toBe(5);
      gate.releaseAll();
      await last;
      expect((await store.list()).entries.map((e) => e.status)).toEqual(Array(5).fill('done'));
      expect(new Set(gate.connector.calls.map((c) => c.idempotencyKey)).size).toBe(5);
    } finally {
      gate.releaseAll();
      await worker.stop();
    }
  });

  it('dead-letters at write time a row that cannot run: no handler, or a permanent preflight failure; retryable ones are handed over', async () => {
    const db = await harness.open();
    const clock = new VirtualClock();
    const calls: string[] = [];
    const failing = (code: 'TRIAGE_OUTBOX_NO_CONNECTION' | 'TRIAGE_OUTBOX_TIMEOUT'): OutboxHandler =>
      Object.assign(
        async ({ entry }: { entry: OutboxEntry }) => {
          calls.push(entry.actionType);
          return { detail: 'sent' };
        },
        { preflight: () => (code === 'TRIAGE_OUTBOX_NO_CONNECTION' ? new TriageError(code, ['email', 'acknowledge', 'none is defined']) : new TriageError(code, ['reply', 5000])) },
      );
    const attempts: Array<[string, string]> = [];
    const worker = new OutboxWorker({
      db,
      workerId: 'bg',
      now: clock.now,
      handlers: { acknowledge: failing('TRIAGE_OUTBOX_NO_CONNECTION'), reply: failing('TRIAGE_OUTBOX_TIMEOUT') },
      onAttempt: (entry, attempt) => attempts.push([entry.actionType, attempt.outcome]),
      pollIntervalMs: 3_600_000,
    });
    try {
      const service = outboxTicketService(db, clock, undefined, worker);
      const store = new OutboxStore(db);
      // Not running: nothing is decided at write time, the rows wait for a worker (which may have the connection).
      const idle = await ticketWithActions(service, [{ type: 'acknowledge' }]);
      expect((await store.list({ ticketId: idle })).entries.map((e) => e.status)).toEqual(['pending']);
      await db('outbox').del();
      worker.start();
      const ticketId = await ticketWithActions(service, [{ type: 'acknowledge' }, { type: 'no-such-action' }, { type: 'reply' }]);
      const rows = (await store.list({ ticketId })).entries.sort((a, b) => a.actionIndex - b.actionIndex);
      expect(rows.slice(0, 2).map((e) => [e.actionType, e.status, e.attempts, e.leaseOwner, e.lastError?.code])).toEqual([
        ['acknowledge', 'dead', 1, null, 'TRIAGE_OUTBOX_NO_CONNECTION'],
        ['no-such-action', 'dead', 1, null, 'TRIAGE_OUTBOX_NO_HANDLER'],
      ]);
      expect(await store.attempts(rows[0]!.id)).toEqual([
        expect.objectContaining({ attempt: 1, workerId: 'bg', outcome: 'dead', error: { code: 'TRIAGE_OUTBOX_NO_CONNECTION', message: expect.stringContaining('none is defined') as string } }),
      ]);
      // The retryable one went to the worker and ran; the dead ones were never called.
      await expect.poll(async () => (await store.get(rows[2]!.id))?.status).toBe('done');
      expect(calls).toEqual(['reply']);
      expect(attempts.sort()).toEqual([
        ['acknowledge', 'dead'],
        ['no-such-action', 'dead'],
        ['reply', 'ok'],
      ]);
      // A write that rolls back leaves no row, no attempt and counts nothing.
      await writeThenRollBack(new GroupCommit(db), worker, clock, ticketId, (await service.getTicket(ticketId)).decisions[0]!.decision);
      expect((await store.list({ ticketId })).entries).toHaveLength(3);
      expect(attempts).toHaveLength(3);
    } finally {
      await worker.stop();
    }
  });

  it('records outcomes in the group commit it is given, sharing its commit', async () => {
    const { db, service, store, worker } = await setup();
    const groups: Array<{ size: number; committed: boolean }> = [];
    const commits = new GroupCommit(db, { onGroup: (g) => groups.push(g) });
    const ticketId = await ticketWithActions(service, [post(1), post(2)]);
    expect(await worker({ commits: () => commits }).runOnce()).toBe(2);
    // Both outcomes of the batch in one piece of one group.
    expect(groups).toEqual([{ size: 1, committed: true }]);
    expect((await store.list()).entries.map((e) => [e.ticketId, e.status])).toEqual([
      [ticketId, 'done'],
      [ticketId, 'done'],
    ]);
  });
});
