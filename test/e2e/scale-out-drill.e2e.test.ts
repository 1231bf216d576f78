/**
 * Scale-out drill (issue #9, docs/deployment.md): three real `triage serve`
 * processes on one private PostgreSQL database, all configured with the same
 * real Dovecot mailbox, all delivering webhook actions to one loopback
 * receiver. 5,000 tickets arrive over HTTP (spread over the instances) and
 * mail; mid-run the instance holding the mailbox lease is SIGKILLed and
 * started again. Urgent tickets get a 1-minute first-response target and
 * arrive backdated, so SLA warnings and breaches fire during the run.
 *
 * Then it counts: no ticket lost (every 2xx-acknowledged HTTP ticket and every
 * appended mail is a ticket), none twice (external ids, Message-IDs, numbers
 * unique), every action delivered to the receiver and — deduplicated by the
 * Idempotency-Key header the webhook connector sends — exactly once, or
 * dead-lettered; every SLA threshold that came due fired exactly once, and
 * every decision names its rule-set version.
 *
 * The kill is triggered by progress (acknowledged tickets), never by a timer;
 * waits are for conditions in the database, with a deadline only as a guard.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../engine/store/create-database.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.js';
import { buildMail } from '../helpers/build-mail.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { freePort, sleep, startProcess, type ServerProcess } from '../helpers/server-process.js';

const TOTAL = 5000;
const MAILS = 400;
const HTTP = TOTAL - MAILS;
/** Every URGENT_EVERY-th ticket is urgent: P1, 1-minute first-response target, arrives backdated. */
const URGENT_EVERY = 10;
/** Urgent tickets arrive this much in the past: the 50 % warning is due at once, the breach 10 s later. */
const BACKDATE_MS = 50_000;
const MAIL_BATCHES = 4;
const CONCURRENCY = 24;
/** The kill comes when this many HTTP tickets are acknowledged. */
const KILL_AT = Math.round(HTTP * 0.4);
const LEASE_SECONDS = 4;
const MAIL_LEASE_SECONDS = 3;
/** A guard against a hung drill, not a speed assertion. */
const SETTLE_DEADLINE_MS = 120_000;

const RULES = `rules:
  - id: urgent-is-p1
    description: Urgent tickets get the 1-minute first-response target
    on: [ticket.created]
    priority: 100
    when:
      all:
        - { fact: ticket, path: subject, operator: containsAnyWord, value: [urgent] }
    then:
      - set: { priority: P1 }
  - id: notify-every-ticket
    description: Every ticket is posted to the receiver
    on: [ticket.created]
    when:
      all:
        - { fact: ticket, path: subject, operator: exists, value: true }
    then:
      - webhook.post: { connection: hooks, path: /tickets, body: { kind: created } }
  - id: notify-breach
    description: Every first-response breach is posted too
    on: [sla.breached]
    when:
      all:
        - { fact: ticket, path: subject, operator: exists, value: true }
    then:
      - webhook.post: { connection: hooks, path: /breaches, body: { kind: breached } }
`;

const POLICY = `businessDay: 8h
thresholds: [50, 100]
calendars:
  always: calendars/always.yaml
targets:
  P1: { calendar: always, firstResponse: 1m, nextResponse: 1m, resolution: 8h }
  default: { calendar: always, firstResponse: 8h, nextResponse: 8h, resolution: 8h }
`;

const CALENDAR = `timezone: Europe/Warsaw
alwaysOpen: true
`;

/** utime + stime of a process from /proc (0 where there is no /proc). */
async function cpuSeconds(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11] and [12] are utime and stime in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

interface Instance {
  name: string;
  port: number;
  process: ServerProcess;
  /** false from the kill until it is ready again */
  up: boolean;
  acknowledged: number;
}

describe('scale-out drill: three instances on PostgreSQL, one SIGKILLed mid-run', () => {
  let dir: string;
  let pg: TestDatabase;
  let db: Knex;
  let dovecot: Dovecot;
  let receiver: WebhookReceiver;
  let env: Record<string, string>;
  const instances: Instance[] = [];
  const key = `trg_${randomBytes(32).toString('base64url')}`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-scale-out-'));
    [pg, dovecot, receiver] = await Promise.all([createTestDatabase(), startDovecot(), startWebhookReceiver()]);
    db = await createDatabase({ url: pg.url });
    const rules = join(dir, 'rules');
    await mkdir(join(rules, 'sla', 'calendars'), { recursive: true });
    await writeFile(join(rules, 'drill.yaml'), RULES);
    await writeFile(join(rules, 'sla', 'policy.yaml'), POLICY);
    await writeFile(join(rules, 'sla', 'calendars', 'always.yaml'), CALENDAR);
    await writeFile(join(dir, 'connections.yaml'), `connections:\n  hooks:\n    connector: webhook\n    url: ${receiver.url}\n    allowHosts: ["127.0.0.1"]\n`);
    await writeFile(
      join(dir, 'triage.config.yaml'),
      [
        'rules:',
        `  dir: ${rules}`,
        '  watch: false',
        `connectionsFile: ${join(dir, 'connections.yaml')}`,
        'sla:',
        '  sweepSeconds: 1',
        'workers:',
        // A dead instance's claimed outbox rows and SLA timers are taken over after this.
        `  leaseSeconds: ${LEASE_SECONDS}`,
        'mail:',
        `  leaseSeconds: ${MAIL_LEASE_SECONDS}`,
        '  mailboxes:',
        `    - { name: support, host: 127.0.0.1, port: ${dovecot.port}, tls: false, user: ${dovecot.user}, password: "\${env:IMAP_PASSWORD}", batchSize: 50, pollSeconds: 2 }`,
        '',
      ].join('\n'),
    );
    env = { DATABASE_URL: pg.url, TRIAGE_CONFIG: join(dir, 'triage.config.yaml'), TRIAGE_BOOTSTRAP_KEY: key, IMAP_PASSWORD: dovecot.password };
  });

  afterAll(async () => {
    await Promise.all(instances.map((i) => i.process.stop('SIGKILL')));
    await db?.destroy();
    await pg?.drop();
    await dovecot?.stop();
    await receiver?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const count = async (q: Knex.QueryBuilder): Promise<number> => Number(((await q.count({ n: '*' })) as Array<{ n: number | string }>)[0]?.n ?? 0);

  /** Poll the database until `check` holds; the deadline only keeps a broken drill from hanging. */
  async function until(what: string, check: () => Promise<boolean>, deadlineMs = SETTLE_DEADLINE_MS): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`drill did not settle: ${what}\n${instances.map((i) => `${i.name}: ${i.process.stderr().slice(-2000)}`).join('\n')}`);
      await sleep(100);
    }
  }

  it('loses nothing, doubles nothing, delivers every action once and fires every SLA threshold once', async () => {
    const started = Date.now();
    // Three instances start at once on the empty database: the migration lock lets one migrate.
    const ports = [await freePort(), await freePort(), await freePort()];
    const processes = await Promise.all(ports.map((port) => startProcess(env, { port, readyTimeoutMs: 60_000 })));
    processes.forEach((process, i) => instances.push({ name: `instance-${i + 1}`, port: ports[i] as number, process, up: true, acknowledged: 0 }));
    const startedIn = Date.now() - started;

    // --- mail: appended in batches while HTTP runs; every URGENT_EVERY-th one urgent and backdated.
    const messageIds: string[] = [];
    let mailBatch = 0;
    const appendBatch = async (): Promise<void> => {
      const batch = mailBatch++;
      const plain: Buffer[] = [];
      const urgent: Buffer[] = [];
      for (let j = 0; j < MAILS / MAIL_BATCHES; j++) {
        const i = batch * (MAILS / MAIL_BATCHES) + j;
        const isUrgent = i % URGENT_EVERY === 0;
        const id = `drill-${i}@mail.example`;
        messageIds.push(id);
        const raw = buildMail({ messageId: `<${id}>`, from: `Customer ${i} <c${i}@customer${i}.example>`, subject: `${isUrgent ? 'Urgent: ' : ''}Mail request ${i}`, text: `Please help with case ${i}.` });
        (isUrgent ? urgent : plain).push(raw);
      }
      await dovecot.append(plain);
      await dovecot.append(urgent, 'INBOX', new Date(Date.now() - BACKDATE_MS));
    };

    // --- HTTP: round-robin over the instances that are up; a failed request is retried on another one
    // with the same externalId (idempotent), as a client behind a load balancer would.
    const acknowledged = new Set<string>();
    let killedAt: number | undefined;
    let killed: Instance | undefined;
    let killedLease: string | undefined;
    let acknowledgedBeforeKill = 0;
    let killedCpu = 0;
    let restart: Promise<void> | undefined;
    let retries = 0;
    let rr = 0;
    const pick = (): Instance => {
      for (;;) {
        const candidate = instances[rr++ % instances.length] as Instance;
        if (candidate.up) return candidate;
      }
    };
    const post = async (i: number): Promise<void> => {
      const isUrgent = i % URGENT_EVERY === 0;
      const body = JSON.stringify({
        externalId: `http-${i}`,
        subject: `${isUrgent ? 'Urgent: ' : ''}HTTP request ${i}`,
        ...(isUrgent ? { createdAt: new Date(Date.now() - BACKDATE_MS).toISOString() } : {}),
        // 60 senders: customers are created (racing across instances) early on, then found with one read.
        message: { from: `Client ${i % 60} <client${i % 60}@firma${i % 12}.example>`, text: `Case ${i}` },
      });
      for (let attempt = 1; ; attempt++) {
        const target = pick();
        try {
          const res = await fetch(`${target.process.url}/v1/tickets`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
          await res.arrayBuffer();
          if (res.status === 201 || res.status === 200) {
            acknowledged.add(`http-${i}`);
            target.acknowledged++;
            return;
          }
          if (res.status < 500) throw new Error(`HTTP ticket ${i}: ${res.status}`);
        } catch (error) {
          if (error instanceof Error && error.message.startsWith('HTTP ticket')) throw error;
          // connection refused or reset: the instance died under the request
        }
        retries++;
        if (attempt >= 50) throw new Error(`HTTP ticket ${i} was never acknowledged`);
        await sleep(50);
      }
    };

    const killLeaseHolder = async (): Promise<void> => {
      // The instance reading the mailbox: its lease owner id starts with its pid.
      const lease = (await db('mail_mailboxes').where({ name: 'support' }).first('lease_owner')) as { lease_owner: string | null } | undefined;
      const pid = Number(lease?.lease_owner?.split('-')[0]);
      const victim = instances.find((i) => i.process.child.pid === pid);
      if (victim === undefined) throw new Error(`no instance holds the mailbox lease (${lease?.lease_owner ?? 'none'})`);
      killed = victim;
      killedLease = lease?.lease_owner ?? undefined;
      // New mail first, so the lease holder dies in the middle of ingesting it.
      if (mailBatch < MAIL_BATCHES) await appendBatch();
      killedAt = acknowledged.size;
      acknowledgedBeforeKill = victim.acknowledged;
      killedCpu = await cpuSeconds(victim.process.child.pid);
      victim.up = false;
      victim.process.child.kill('SIGKILL');
      await victim.process.exited;
      victim.process = await startProcess(env, { port: victim.port, readyTimeoutMs: 60_000 });
      victim.up = true;
    };

    await appendBatch();
    let next = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= HTTP) return;
        await post(i);
        const done = acknowledged.size;
        if (killedAt === undefined && restart === undefined && done >= KILL_AT) restart = killLeaseHolder();
        if (mailBatch < MAIL_BATCHES && done >= (mailBatch * HTTP) / MAIL_BATCHES) await appendBatch();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    await restart;
    while (mailBatch < MAIL_BATCHES) await appendBatch();
    const ingestedIn = Date.now() - started;

    // --- settle: all mail in, every due SLA threshold fired, the outbox drained.
    const p1Timers = HTTP / URGENT_EVERY + MAILS / URGENT_EVERY;
    await until('all tickets stored', async () => (await count(db('tickets'))) >= TOTAL);
    const takenOverBy = ((await db('mail_mailboxes').where({ name: 'support' }).first('lease_owner')) as { lease_owner: string | null }).lease_owner;
    await until('every urgent first-response timer warned and breached', async () => (await count(db('sla_events'))) >= 2 * p1Timers);
    await until('outbox drained', async () => (await count(db('outbox').whereIn('status', ['pending', 'in_flight']))) === 0 && (await count(db('outbox'))) >= TOTAL + p1Timers);
    const settledIn = Date.now() - started;
    // CPU the drill cost (Linux): wall time on a shared machine says little, these figures travel.
    const serverCpu = (await Promise.all(instances.map((i) => cpuSeconds(i.process.child.pid)))).reduce((a, b) => a + b, 0) + killedCpu;
    const drillCpu = (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
    await Promise.all(instances.map((i) => i.process.stop('SIGTERM')));

    // --- 0 lost, 0 duplicates
    expect(killedAt).toBeGreaterThan(HTTP * 0.2);
    expect(killedAt).toBeLessThan(HTTP * 0.8);
    // the restarted instance served again, and another claim took the mailbox over from the dead one
    expect((killed?.acknowledged ?? 0) - acknowledgedBeforeKill).toBeGreaterThan(0);
    expect(takenOverBy).not.toBe(killedLease);
    expect(acknowledged.size).toBe(HTTP);
    const tickets = (await db('tickets').select('source', 'external_id', 'number', 'priority')) as Array<{ source: string; external_id: string; number: string; priority: string | null }>;
    expect(tickets).toHaveLength(TOTAL);
    const httpIds = new Set(tickets.filter((t) => t.source === 'api').map((t) => t.external_id));
    expect([...acknowledged].filter((id) => !httpIds.has(id))).toEqual([]);
    const inbound = (await db('messages').where({ direction: 'inbound' }).whereNotNull('message_id').select('message_id')) as Array<{ message_id: string }>;
    const mailIds = inbound.map((m) => m.message_id).filter((id) => id.startsWith('drill-'));
    expect(new Set(mailIds).size).toBe(mailIds.length);
    expect(new Set(mailIds)).toEqual(new Set(messageIds));
    expect(tickets.filter((t) => t.source === 'email')).toHaveLength(MAILS);
    expect(new Set(tickets.map((t) => `${t.source}\u0000${t.external_id}`)).size).toBe(TOTAL);
    expect(new Set(tickets.map((t) => t.number)).size).toBe(TOTAL);
    for (const t of tickets) expect(t.number).toMatch(/^T-\d{6}$/);
    expect(tickets.filter((t) => t.priority === 'P1')).toHaveLength(p1Timers);
    expect(await dovecot.uids()).toEqual([]);

    // --- every action delivered exactly once after deduplication by Idempotency-Key, or dead-lettered
    const rows = (await db('outbox').select('idempotency_key', 'status', 'attempts')) as Array<{ idempotency_key: string; status: string; attempts: number | string }>;
    expect(rows).toHaveLength(TOTAL + p1Timers);
    const done = rows.filter((r) => r.status === 'done');
    const dead = rows.filter((r) => r.status === 'dead');
    expect(done.length + dead.length).toBe(rows.length);
    const byKey = receiver.deliveriesByKey();
    for (const r of done) expect(byKey.get(r.idempotency_key) ?? 0, r.idempotency_key).toBeGreaterThanOrEqual(1);
    const known = new Set(rows.map((r) => r.idempotency_key));
    expect([...byKey.keys()].filter((k) => !known.has(k))).toEqual([]);
    // distinct keys = actions delivered; a key arrives twice only when the instance that made the first call died
    // before recording it, and the row was claimed again after its lease (so it shows more than one attempt)
    const doneKeys = new Set(done.map((r) => r.idempotency_key));
    expect([...byKey.keys()].filter((k) => doneKeys.has(k))).toHaveLength(done.length);
    const attemptsByKey = new Map(rows.map((r) => [r.idempotency_key, Number(r.attempts)]));
    const redeliveredKeys = [...byKey.entries()].filter(([, n]) => n > 1).map(([k]) => k);
    expect(redeliveredKeys.filter((k) => (attemptsByKey.get(k) ?? 0) < 2)).toEqual([]);
    const redelivered = redeliveredKeys.length;

    // --- every SLA threshold that came due fired exactly once
    const events = (await db('sla_events').select('timer_id', 'threshold', 'event')) as Array<{ timer_id: string; threshold: number | string; event: string }>;
    expect(new Set(events.map((e) => `${e.timer_id}/${e.threshold}`)).size).toBe(events.length);
    expect(events).toHaveLength(2 * p1Timers);
    const timers = (await db('sla_timers').select('id', 'started_at', 'target_ms', 'thresholds', 'pauses')) as Array<{ id: string; started_at: string; target_ms: number | string; thresholds: string; pauses: string }>;
    const fired = new Set(events.map((e) => `${e.timer_id}/${Number(e.threshold)}`));
    const checkedAt = Date.now();
    let dueThresholds = 0;
    for (const t of timers) {
      expect(JSON.parse(t.pauses)).toEqual([]);
      for (const pct of JSON.parse(t.thresholds) as number[]) {
        const dueAt = Date.parse(t.started_at) + (Number(t.target_ms) * pct) / 100;
        if (dueAt <= checkedAt) {
          dueThresholds++;
          expect(fired.has(`${t.id}/${pct}`), `${t.id} at ${pct}%`).toBe(true);
        }
      }
    }
    expect(dueThresholds).toBe(2 * p1Timers);
    const slaDecisions = (await db('decisions').whereIn('event', ['sla.warning', 'sla.breached']).select('event')) as Array<{ event: string }>;
    expect(slaDecisions.filter((d) => d.event === 'sla.warning')).toHaveLength(p1Timers);
    expect(slaDecisions.filter((d) => d.event === 'sla.breached')).toHaveLength(p1Timers);

    // --- each decision records the rule-set version it was made under (all instances run the same rules)
    const versions = (await db('decisions').distinct('rule_set_version')) as Array<{ rule_set_version: string | null }>;
    expect(versions).toHaveLength(1);
    expect(versions[0]?.rule_set_version).toMatch(/\S/);

    process.stdout.write(
      `scale-out drill: ${TOTAL} tickets (${HTTP} HTTP over 3 instances [${instances.map((i) => i.acknowledged).join('/')}], ${MAILS} mail), ` +
        `${killed?.name} (mailbox lease holder) SIGKILLed at ${killedAt} acknowledged and restarted; ${retries} HTTP retries; ` +
        `${rows.length} actions: ${done.length} done, ${dead.length} dead, ${redelivered} redelivered (deduplicated by key); ` +
        `${events.length} SLA firings; started ${startedIn} ms, ingested ${ingestedIn} ms, settled ${settledIn} ms; ` +
        `CPU: servers ${serverCpu.toFixed(1)} s, test process ${drillCpu.toFixed(1)} s (PostgreSQL not counted)\n`,
    );
  }, 240_000);
});
