/**
 * SLA clocks end to end on one SQLite file: the server as `triage serve`
 * builds it (shipped rule set, shipped SLA policy, a file CRM that knows a VIP),
 * a P1 ticket created at a given instant, and the sweeper driven with
 * sweepOnce(now) on the server's injectable clock. Thresholds fire at the
 * right instants, Pending pauses the clock, the VIP escalation lands in the
 * outbox and the audit trail, and a restart in between (a new server on the
 * same file) fires nothing twice.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../engine/runtime/package-root.js';
import { startServer, type RunningServer } from '../../engine/server/start-server.js';
import type { Actor } from '../../engine/tickets/audit-event.js';

const MIN = 60_000;
const T0 = Date.parse('2026-03-04T21:00:00.000Z'); // a Wednesday evening: P1 runs on the 24/7 calendar
const AGENT: Actor = { type: 'user', id: 'agent-anna' };
const iso = (ms: number) => new Date(T0 + ms).toISOString();

describe('SLA clocks end to end (SQLite, restart in between)', () => {
  let dir: string;
  let now = T0;
  const servers: RunningServer[] = [];

  async function start(): Promise<RunningServer> {
    const server = await startServer({
      configFile: join(dir, 'triage.config.yaml'),
      env: { TRIAGE_SQLITE_PATH: join(dir, 'triage.db'), TRIAGE_RULES: join(packageRoot(), 'rules', 'default'), TRIAGE_BOOTSTRAP_KEY: 'sla-e2e-admin-key-0123456789abcdef' },
      listen: false,
      logger: false,
      outboxWorker: false,
      slaSweeper: false,
      now: () => new Date(now),
      notice: () => undefined,
    });
    servers.push(server);
    return server;
  }
  async function sweep(server: RunningServer, at: number): Promise<number> {
    now = T0 + at;
    const sla = server.sla;
    if (sla === undefined) throw new Error('the server has no SLA clocks');
    const result = await sla.sweeper.sweepOnce(new Date(now));
    expect(result.failed).toBe(0);
    return result.fired;
  }
  async function restart(server: RunningServer): Promise<RunningServer> {
    await server.close();
    return start();
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-sla-e2e-'));
    await writeFile(join(dir, 'customers.json'), JSON.stringify([{ name: 'Kappa Logistics', email: 'jan@kappa.pl', segment: 'enterprise', vip: true }]));
    await writeFile(join(dir, 'connections.yaml'), `connections:\n  crm:\n    connector: file-crm\n    path: ${join(dir, 'customers.json')}\n    watch: false\n`);
    await writeFile(join(dir, 'triage.config.yaml'), `rules:\n  watch: false\nconnectionsFile: ${join(dir, 'connections.yaml')}\nenrichment:\n  connection: crm\nsla:\n  sweepSeconds: 15\n`);
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('fires 50/75/80/100% at the right instants, pauses while Pending, escalates the VIP once, and survives restarts', async () => {
    let server = await start();
    const { ticket } = await server.tickets.createTicket({
      source: 'imap:support',
      externalId: '<outage-1@kappa.pl>',
      subject: 'Awaria - system nie działa',
      channel: 'email',
      createdAt: iso(0),
      message: { from: 'Jan <jan@kappa.pl>', to: ['support@example.com'], text: 'Produkcja stoi.', messageId: '<outage-1@kappa.pl>' },
    });
    expect(ticket.priority).toBe('P1');
    const timers = async () =>
      (await server.db('sla_timers').where({ ticket_id: ticket.id }).orderBy('metric')) as { metric: string; status: string; due_at: string | null; next_fire_at: string | null; breached_at: string | null }[];
    // P1: first response 15 min, resolution 4 h, 24/7.
    expect((await timers()).map((t) => [t.metric, t.status, t.due_at, t.next_fire_at])).toEqual([
      ['firstResponse', 'running', iso(15 * MIN), iso(7.5 * MIN)],
      ['resolution', 'running', iso(240 * MIN), iso(120 * MIN)],
    ]);

    expect(await sweep(server, 7 * MIN)).toBe(0);
    expect(await sweep(server, 7.5 * MIN)).toBe(1);
    // A restart in between changes nothing: the same instant fires nothing again.
    server = await restart(server);
    expect(await sweep(server, 7.5 * MIN)).toBe(0);

    // Waiting on the customer from minute 10 to minute 40: the clock stands still.
    now = T0 + 10 * MIN;
    await server.tickets.changeStatus(ticket.id, 'pending', AGENT);
    expect(await sweep(server, 30 * MIN)).toBe(0);
    now = T0 + 40 * MIN;
    await server.tickets.changeStatus(ticket.id, 'open', AGENT);
    // 30 minutes paused: 75% at 11.25 + 30, 80% at 12 + 30, due at 15 + 30.
    expect((await timers())[0]).toMatchObject({ status: 'running', due_at: iso(45 * MIN), next_fire_at: iso(41.25 * MIN) });

    expect(await sweep(server, 41 * MIN)).toBe(0);
    expect(await sweep(server, 41.25 * MIN)).toBe(1);
    server = await restart(server);
    expect(await sweep(server, 42 * MIN)).toBe(1);
    expect(await sweep(server, 45 * MIN)).toBe(1);
    server = await restart(server);
    expect(await sweep(server, 45 * MIN)).toBe(0);

    const events = (await server.db('sla_events').where({ ticket_id: ticket.id }).orderBy('due_at')) as { threshold: number; event: string; due_at: string; fired_at: string }[];
    expect(events.map((e) => [e.threshold, e.event, e.due_at])).toEqual([
      [50, 'sla.warning', iso(7.5 * MIN)],
      [75, 'sla.warning', iso(41.25 * MIN)],
      [80, 'sla.warning', iso(42 * MIN)],
      [100, 'sla.breached', iso(45 * MIN)],
    ]);
    expect((await timers())[0]).toMatchObject({ status: 'running', breached_at: iso(45 * MIN), next_fire_at: null });

    // The escalations are ordinary rules: their actions are outbox rows, their changes audited.
    const outbox = (await server.db('outbox').where({ ticket_id: ticket.id }).orderBy('created_at')) as { rule_id: string; event: string; action_type: string; params: string }[];
    const escalations = outbox.filter((o) => o.action_type === 'escalate').map((o) => [o.event, o.rule_id, (JSON.parse(o.params) as { to: string }).to]);
    expect(escalations).toEqual([
      ['sla.warning', 'sla-warning-owner', 'owner'], // 50%
      ['sla.warning', 'sla-warning-owner', 'owner'], // 75%
      ['sla.warning', 'sla-warning-lead', 'team-lead'], // 80%
      ['sla.breached', 'vip-no-reaction-30-min', 'team-lead'],
      ['sla.breached', 'sla-breached', 'team-lead'],
    ]);
    const vip = outbox.find((o) => o.rule_id === 'vip-no-reaction-30-min');
    expect((JSON.parse(vip?.params ?? '{}') as { reason: string }).reason).toMatch(/^VIP Kappa Logistics has had no reaction on T-\d+ for 15 min/);
    const details = await server.tickets.getTicket(ticket.id);
    expect(details.ticket.tags).toEqual(expect.arrayContaining(['vip-escalated', 'sla-breached']));
    expect(details.audit.filter((a) => a.action === 'tag.add' && a.newValue === 'vip-escalated').map((a) => [a.actorType, a.actorId, a.event])).toEqual([['rule', 'vip-no-reaction-30-min', 'sla.breached']]);
    expect(details.decisions.filter((d) => d.event.startsWith('sla.')).map((d) => d.event)).toEqual(['sla.warning', 'sla.warning', 'sla.warning', 'sla.breached']);

    // The agent answers at last: the clock is met late, the breach stays on record.
    now = T0 + 50 * MIN;
    await server.tickets.addMessage(ticket.id, { direction: 'outbound', kind: 'public', text: 'Restarting the line now.' }, AGENT);
    expect((await timers())[0]).toMatchObject({ status: 'met', breached_at: iso(45 * MIN) });
    expect(await sweep(server, 60 * MIN)).toBe(0);
  });
});
