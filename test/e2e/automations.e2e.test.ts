/**
 * Scheduled automations and CSAT through the real server (startServer, the
 * shipped rules, SQLite), on a virtual clock: nobody waits five days.
 * Pending → 5 days → the reminder is in the outbox (status stays pending);
 * Solved → survey reply with a one-time link → 7 days → closed; the link
 * works once, a second use and a forged link get a coded HTML page.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../engine/runtime/package-root.js';
import { startServer, type RunningServer } from '../../engine/server/start-server.js';
import { VirtualClock } from '../helpers/outbox-fixture.js';

const DAY = 86_400_000;

describe('scheduled automations and CSAT (e2e)', () => {
  let dir: string;
  let server: RunningServer;
  const clock = new VirtualClock('2026-03-02T09:00:00.000Z');
  const key = `trg_${randomBytes(32).toString('base64url')}`;
  const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-automations-'));
    const configFile = join(dir, 'triage.config.yaml');
    await writeFile(configFile, 'rules:\n  watch: false\nserver:\n  publicUrl: https://support.example.com/\n');
    server = await startServer({
      configFile,
      env: { TRIAGE_SQLITE_PATH: join(dir, 'triage.db'), TRIAGE_RULES: join(packageRoot(), 'rules', 'default'), TRIAGE_BOOTSTRAP_KEY: key },
      listen: false,
      logger: false,
      notice: () => undefined,
      now: clock.now,
    });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function createEmailTicket(externalId: string): Promise<{ id: string; number: string }> {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/tickets',
      headers: auth,
      payload: { source: 'api', externalId, channel: 'email', subject: 'Login does not work', message: { from: 'Anna <anna@example.com>', text: 'I cannot log in.' } },
    });
    expect(res.statusCode).toBe(201);
    return (res.json() as { ticket: { id: string; number: string } }).ticket;
  }

  async function setStatus(id: string, status: string): Promise<void> {
    const res = await server.app.inject({ method: 'PATCH', url: `/v1/tickets/${id}`, headers: auth, payload: { status } });
    expect(res.statusCode).toBe(200);
  }

  function outboxRows(ticketId: string): Promise<{ action_type: string; event: string; params: string; status: string }[]> {
    return server.db('outbox').where({ ticket_id: ticketId }).orderBy('created_at') as Promise<{ action_type: string; event: string; params: string; status: string }[]>;
  }

  it('pending for 5 days: the reminder reply lands in the outbox and the ticket stays pending', async () => {
    const ticket = await createEmailTicket('pending-1');
    await setStatus(ticket.id, 'pending');
    // The followUp row is delivered: a durable scheduled event, due in 5 days.
    await server.outbox.worker.runOnce();
    const [scheduled] = (await server.db('scheduled_events').where({ ticket_id: ticket.id })) as { event: string; due_at: string; status: string }[];
    expect(scheduled).toMatchObject({ event: 'schedule.pending-reminder', due_at: '2026-03-07T09:00:00.000Z', status: 'pending' });

    clock.advance(5 * DAY - 60_000);
    expect((await server.automations.sweepOnce()).raised).toBe(0);
    clock.advance(60_000);
    expect((await server.automations.sweepOnce()).raised).toBe(1);

    const reminders = (await outboxRows(ticket.id)).filter((r) => r.event === 'schedule.pending-reminder');
    expect(reminders.map((r) => r.action_type)).toEqual(['reply', 'followUp']);
    expect(JSON.parse(reminders[0]?.params ?? '{}')).toMatchObject({ text: expect.stringContaining(`We are still waiting for your answer on ${ticket.number}`) as unknown });
    const details = await server.tickets.getTicket(ticket.id);
    expect(details.ticket.status).toBe('pending');
    expect(details.ticket.tags).toContain('reminded');
    // A restart's sweep raises nothing twice.
    expect((await server.automations.sweepOnce()).raised).toBe(0);
  });

  it('solved: a one-time survey link goes out, and 7 days later the ticket is closed', async () => {
    const ticket = await createEmailTicket('solved-1');
    await setStatus(ticket.id, 'open');
    await setStatus(ticket.id, 'solved');
    const rows = (await outboxRows(ticket.id)).filter((r) => r.event === 'status.changed');
    expect(rows.map((r) => r.action_type).sort()).toEqual(['followUp', 'reply']);
    const survey = JSON.parse(rows.find((r) => r.action_type === 'reply')?.params ?? '{}') as { subject: string; text: string };
    expect(survey.subject).toBe(`How did we do? [#${ticket.number}]`);
    const link = /https:\/\/support\.example\.com\/csat\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(survey.text);
    expect(link).not.toBeNull();
    const token = link?.[1] ?? '';

    // The customer opens the link: a form, nothing recorded yet.
    const form = await server.app.inject({ method: 'GET', url: `/csat/${token}` });
    expect(form.statusCode).toBe(200);
    expect(form.headers['content-type']).toContain('text/html');
    expect(form.body).toContain('name="score"');
    expect(await server.db('csat_responses')).toHaveLength(0);

    // One click with a score records it; the comment form posts once.
    const answered = await server.app.inject({ method: 'GET', url: `/csat/${token}?score=5` });
    expect(answered.statusCode).toBe(201);
    expect(answered.body).toContain(`${ticket.number}</strong>: <strong>5/5`);
    const comment = await server.app.inject({ method: 'POST', url: `/csat/${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'comment=Fast+%26+friendly' });
    expect(comment.statusCode).toBe(200);
    expect((await server.db('csat_responses').where({ ticket_id: ticket.id }).first()) as unknown).toMatchObject({ score: 5, comment: 'Fast & friendly' });
    const audit = (await server.tickets.getTicket(ticket.id)).audit.filter((a) => a.action === 'csat.received');
    expect(audit.map((a) => a.newValue)).toEqual([5, 'Fast & friendly']);

    // Used twice: refused with a page (not JSON) that names the code.
    const reused = await server.app.inject({ method: 'GET', url: `/csat/${token}?score=1` });
    expect(reused.statusCode).toBe(409);
    expect(reused.headers['content-type']).toContain('text/html');
    expect(reused.body).toContain('TRIAGE_CSAT_USED');
    // Forged: another ticket id under the same signature.
    const [payload, sig] = token.split('.');
    const altered = Buffer.from(payload ?? '', 'base64url');
    altered.writeUInt32BE(altered.readUInt32BE(1) + 86_400, 1); // a longer expiry, under the old signature
    const forged = await server.app.inject({ method: 'GET', url: `/csat/${altered.toString('base64url')}.${sig ?? ''}?score=5` });
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain('TRIAGE_CSAT_INVALID_TOKEN');
    const badScore = await server.app.inject({ method: 'GET', url: `/csat/${token}?score=9` });
    expect(badScore.statusCode).toBe(400);
    expect(badScore.body).toContain('TRIAGE_CSAT_BAD_SCORE');
    expect(await server.db('csat_responses').where({ ticket_id: ticket.id })).toHaveLength(1);

    // Auto-close: the followUp row, then 7 days.
    await server.outbox.worker.runOnce();
    clock.advance(7 * DAY);
    expect((await server.automations.sweepOnce()).raised).toBeGreaterThanOrEqual(1);
    const closed = await server.tickets.getTicket(ticket.id);
    expect(closed.ticket.status).toBe('closed');
    expect(closed.audit.some((a) => a.action === 'status.change' && a.newValue === 'closed' && a.actorType === 'rule' && a.actorId === 'solved-autoclose')).toBe(true);
  });
});
