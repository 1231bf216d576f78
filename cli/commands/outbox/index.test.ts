import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutboxStore } from '../../../engine/outbox/outbox-store.js';
import { OutboxWorker } from '../../../engine/outbox/outbox-worker.js';
import { createDatabase } from '../../../engine/store/create-database.js';
import { outboxTicketService, ticketWithActions, VirtualClock } from '../../../test/helpers/outbox-fixture.js';
import { runCliCommand, seededCliSqlite } from '../../../test/helpers/cli-sqlite.js';
import type { TempSqliteFile } from '../../../test/helpers/sqlite.js';

describe('triage outbox', () => {
  let file: TempSqliteFile;
  let env: Record<string, string>;
  let ids: { dead: string; pending: string };

  beforeEach(async () => {
    ({ file, env } = await seededCliSqlite('anna', async (db) => {
      const clock = new VirtualClock(new Date(Date.now() - 60_000).toISOString());
      const service = outboxTicketService(db, clock);
      await ticketWithActions(service, [{ type: 'escalate', params: { to: 'team-lead', reason: 'VIP', token: 'secret-token-1' } }]);
      // no handler for escalate yet: dead
      await new OutboxWorker({ db, workerId: 'cli-test', now: clock.now }).runOnce();
      clock.advance(1000);
      await ticketWithActions(service, [{ type: 'webhook.post', params: { connection: 'orders', body: { n: 1 } } }]);
      const entries = (await new OutboxStore(db).list()).entries;
      ids = { dead: entries.find((e) => e.status === 'dead')!.id, pending: entries.find((e) => e.status === 'pending')!.id };
    }));
  });
  afterEach(async () => {
    await file.cleanup();
  });

  const run = (...argv: string[]): ReturnType<typeof runCliCommand> => runCliCommand(env, ['outbox', ...argv]);

  it('list prints the counts and a table, newest first; --status filters; --json masks secret-looking params', async () => {
    const listed = await run('list');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/^pending 1 {2}in_flight 0 {2}done 0 {2}dead 1 {2}dropped 0$/m);
    expect(listed.out).toMatch(/^ID\s+STATUS\s+ACTION\s+CONNECTION\s+ATTEMPTS\s+NEXT ATTEMPT\s+RULE\s+LAST ERROR$/m);
    const lines = listed.out.trim().split('\n');
    expect(lines[2]).toMatch(new RegExp(`^${ids.pending}\\s+pending\\s+webhook\\.post\\s+orders\\s+0\\s+\\S+Z\\s+r-webhook\\.post\\s+-$`));
    expect(lines[3]).toMatch(new RegExp(`^${ids.dead}\\s+dead\\s+escalate\\s+-\\s+1\\s+-\\s+r-escalate\\s+TRIAGE_OUTBOX_NO_HANDLER No handler for action escalate yet$`));

    const dead = await run('list', '--status', 'dead', '--json');
    expect(dead.code).toBe(0);
    const body = JSON.parse(dead.out) as { entries: { id: string; params: Record<string, unknown> }[]; counts: Record<string, number> };
    expect(body.entries.map((e) => e.id)).toEqual([ids.dead]);
    expect(body.entries[0]!.params).toEqual({ to: 'team-lead', reason: 'VIP', token: '***' });
    expect(dead.out).not.toContain('secret-token-1');
    expect(body.counts).toEqual({ pending: 1, in_flight: 0, done: 0, dead: 1, dropped: 0 });
  });

  it('retry ID and retry --all-dead make dead rows pending again; drop keeps the row; all audited with the user', async () => {
    expect(await run('retry', ids.dead)).toMatchObject({ code: 0, out: `Retrying escalate (${ids.dead}): pending, due now.\n` });
    const refused = await run('retry', ids.pending);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('TRIAGE_OUTBOX_ILLEGAL_STATE');

    expect(await run('drop', ids.dead)).toMatchObject({ code: 0, out: `Dropped escalate (${ids.dead}).\n` });
    expect(JSON.parse((await run('retry', '--all-dead', '--json')).out)).toEqual({ retried: 0 });
    expect((await run('list', '--status', 'dropped', '--json')).out).toContain(ids.dead);

    const db = await createDatabase({ sqlitePath: file.path });
    try {
      const events = await new OutboxStore(db).events(ids.dead);
      expect(events.map((e) => [e.action, e.actor, e.fromStatus])).toEqual([
        ['retry', 'cli:anna', 'dead'],
        ['drop', 'cli:anna', 'pending'],
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('refuses bad usage with exit 2 and an unknown id with exit 1', async () => {
    expect((await run('retry')).code).toBe(2);
    expect((await run('retry', ids.dead, '--all-dead')).code).toBe(2);
    const badStatus = await run('list', '--status', 'lost');
    expect(badStatus.code).toBe(2);
    expect(badStatus.err).toContain('--status must be one of pending, in_flight, done, dead, dropped');
    const missing = await run('drop', 'no-such-row');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('TRIAGE_OUTBOX_NOT_FOUND Outbox row no-such-row not found');
  });
});
