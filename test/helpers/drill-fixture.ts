/**
 * What the crash and outage drills (test/e2e/*-drill.e2e.test.ts) set up and
 * count, shared so each drill only says how it breaks things:
 *
 * - a rule set in a temp folder: every new ticket posts a webhook, every SLA
 *   warning posts one too, and the last warning parks the ticket in Pending
 *   (which pauses its clock, so no breach fires while the drill drains);
 * - an SLA policy with a 1-minute first-response target on a 24/7 calendar and
 *   warnings at 3/6/9 % (1.8 s, 3.6 s, 5.4 s after arrival), swept every second;
 * - connections.yaml pointing the webhook at a loopback receiver
 *   (test/fakes/webhook-receiver.ts), and triage.config.yaml with short leases
 *   so a killed instance's claims are taken over within seconds;
 * - the end state: which promises were kept (every acknowledged ticket and
 *   appended mail stored once; every outbox row done or dead, every done row
 *   received, counted once per Idempotency-Key; every SLA threshold fired
 *   once), as a list of problems, empty when all held.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Knex } from 'knex';
import type { WebhookReceiver } from '../fakes/webhook-receiver.js';
import { buildMail } from './build-mail.js';
import type { Dovecot } from './dovecot.js';
import { sleep } from './server-process.js';
import type { TicketAck } from './ticket-load.js';

/** The warnings of the drill policy, in % of the 1-minute first-response target. */
export const DRILL_THRESHOLDS = [3, 6, 9] as const;
/** The subject word the drill rules match (every drill ticket carries it). */
export const DRILL_SUBJECT = 'Drill order';

const RULES = `rules:
  - id: drill-notify-new-ticket
    description: Every new ticket is posted to the receiver
    on: [ticket.created]
    when:
      all:
        - { fact: ticket, path: subject, operator: containsAnyWord, value: [drill] }
    then:
      - webhook.post: { connection: receiver, path: /hooks/tickets, body: { kind: new-ticket, number: "{{ticket.number}}" } }
  - id: drill-notify-sla-warning
    description: Every SLA warning is posted to the receiver
    on: [sla.warning]
    when:
      all:
        - { fact: sla, path: metric, operator: equal, value: firstResponse }
    then:
      - webhook.post: { connection: receiver, path: /hooks/sla, body: { kind: sla-warning, number: "{{ticket.number}}", threshold: "{{sla.threshold}}" } }
  - id: drill-park-after-last-warning
    description: After the last warning the ticket waits on the customer, which pauses its clock (no breach while the drill drains)
    on: [sla.warning]
    when:
      all:
        - { fact: sla, path: threshold, operator: greaterThanInclusive, value: ${DRILL_THRESHOLDS[DRILL_THRESHOLDS.length - 1]} }
    then:
      - set: { status: pending }
`;

const POLICY = `thresholds: [${DRILL_THRESHOLDS.join(', ')}]
calendars:
  always: { timezone: UTC, alwaysOpen: true }
targets:
  default: { calendar: always, firstResponse: 1m }
`;

export interface DrillFiles {
  configFile: string;
  rulesDir: string;
}

export interface DrillFileOptions {
  receiverUrl: string;
  /** Claims of a dead instance (outbox rows, SLA timers) are taken over after this; default 2 s. */
  leaseSeconds?: number;
  /** Extra top-level YAML for triage.config.yaml (e.g. a `mail:` section). */
  extraConfig?: string;
}

export async function writeDrillFiles(dir: string, options: DrillFileOptions): Promise<DrillFiles> {
  const rulesDir = join(dir, 'rules');
  await mkdir(join(rulesDir, 'sla'), { recursive: true });
  await writeFile(join(rulesDir, 'drill.yaml'), RULES);
  await writeFile(join(rulesDir, 'sla', 'policy.yaml'), POLICY);
  // Loopback is refused by the SSRF guard unless allow-listed.
  await writeFile(join(dir, 'connections.yaml'), `connections:\n  receiver:\n    connector: webhook\n    url: ${options.receiverUrl}\n    allowHosts: ["127.0.0.1"]\n`);
  const configFile = join(dir, 'triage.config.yaml');
  await writeFile(
    configFile,
    [
      'rules:',
      `  dir: ${rulesDir}`,
      '  watch: false',
      `connectionsFile: ${join(dir, 'connections.yaml')}`,
      'sla:',
      '  sweepSeconds: 1',
      'workers:',
      `  leaseSeconds: ${options.leaseSeconds ?? 2}`,
      options.extraConfig ?? '',
      '',
    ].join('\n'),
  );
  return { configFile, rulesDir };
}

/**
 * Wait until nothing is owed any more: every appended mail stored, every
 * outbox row finished (done or dead), every SLA warning of every ticket fired
 * (the last one 5.4 s after the ticket's arrival). No deadline of its own: the
 * test's timeout reports a drill that never drains.
 */
export async function waitUntilDrained(db: Knex, mail: DrillMail): Promise<void> {
  // In causal order: mail makes tickets, tickets make SLA firings, both make outbox rows (in the same
  // transaction); so once the earlier ones are complete, a later count cannot be overtaken.
  for (;;) {
    const mailDone = (await mail.stored(db)) === mail.ids.length;
    const unfired = (await countOf(db('tickets'))) * DRILL_THRESHOLDS.length - (await countOf(db('sla_events')));
    const outbox = await countOf(db('outbox').whereIn('status', ['pending', 'in_flight']));
    if (mailDone && unfired === 0 && outbox === 0) return;
    await sleep(200);
  }
}

export interface DrillLedger {
  tickets: number;
  outboxRows: number;
  done: number;
  dead: number;
  /** Accepted requests at the receiver, duplicates (same Idempotency-Key again) included. */
  deliveries: number;
  /** Accepted requests whose key had been accepted before (at-least-once on the wire). */
  duplicateDeliveries: number;
  slaFirings: number;
  /** Every broken promise, in words; empty when the drill passed. */
  problems: string[];
}

/**
 * Count the end state against the receiver. Delivery is at least once on the
 * wire (a crash between the receiver's answer and our commit sends the row
 * again with the same Idempotency-Key) and exactly once per key: that is what
 * is checked here.
 */
export async function drillLedger(db: Knex, receiver: WebhookReceiver, sent: { acked: ReadonlyMap<string, TicketAck>; mailIds: readonly string[] }): Promise<DrillLedger> {
  const problems: string[] = [];
  // Every acknowledged HTTP ticket stored once, under the number it was acknowledged with; nothing else.
  const apiRows = (await db('tickets').where({ source: 'api' }).select('external_id', 'number')) as { external_id: string; number: string }[];
  const byId = new Map<string, string[]>();
  for (const r of apiRows) byId.set(r.external_id, [...(byId.get(r.external_id) ?? []), r.number]);
  for (const [id, ack] of sent.acked) {
    const numbers = byId.get(id) ?? [];
    if (numbers.length !== 1 || numbers[0] !== ack.number) problems.push(`acknowledged ticket ${id} (${ack.number}) is stored as [${numbers.join(', ')}]`);
  }
  for (const id of byId.keys()) if (!sent.acked.has(id)) problems.push(`ticket ${id} is stored but was never acknowledged`);
  // Every appended mail stored once.
  const mailRows = (await db('messages').where({ direction: 'inbound' }).whereIn('message_id', sent.mailIds).select('message_id')) as { message_id: string }[];
  const mailCount = new Map<string, number>();
  for (const r of mailRows) mailCount.set(r.message_id, (mailCount.get(r.message_id) ?? 0) + 1);
  for (const id of sent.mailIds) if (mailCount.get(id) !== 1) problems.push(`mail ${id} is stored ${mailCount.get(id) ?? 0} times`);
  const rows = (await db('outbox').select('id', 'ticket_id', 'idempotency_key', 'status', 'last_error_code')) as { id: string; ticket_id: string; idempotency_key: string; status: string; last_error_code: string | null }[];
  const tickets = (await db('tickets').select('id', 'number', 'status')) as { id: string; number: string; status: string }[];
  const events = (await db('sla_events').select('ticket_id', 'threshold', 'event')) as { ticket_id: string; threshold: number | string; event: string }[];
  const delivered = receiver.deliveriesByKey();
  const keys = new Set(rows.map((r) => r.idempotency_key));

  for (const r of rows) {
    if (r.status === 'done' && (delivered.get(r.idempotency_key) ?? 0) < 1) problems.push(`outbox row ${r.id} is done but its key was never received`);
    if (r.status !== 'done' && r.status !== 'dead') problems.push(`outbox row ${r.id} is ${r.status}`);
    if (r.status === 'dead' && r.last_error_code === null) problems.push(`outbox row ${r.id} is dead without a reason`);
  }
  for (const key of delivered.keys()) if (!keys.has(key)) problems.push(`the receiver got key ${key}, which is in no outbox row`);
  if (new Set(rows.map((r) => r.idempotency_key)).size !== rows.length) problems.push('two outbox rows share an idempotency key');

  // One ticket.created webhook per ticket, one SLA webhook per warning fired.
  const perTicket = new Map<string, number>();
  for (const r of rows) perTicket.set(r.ticket_id, (perTicket.get(r.ticket_id) ?? 0) + 1);
  const firedBy = new Map<string, number[]>();
  for (const e of events) firedBy.set(e.ticket_id, [...(firedBy.get(e.ticket_id) ?? []), Number(e.threshold)]);
  const expected = [...DRILL_THRESHOLDS].join(',');
  for (const t of tickets) {
    const fired = (firedBy.get(t.id) ?? []).sort((a, b) => a - b).join(',');
    if (fired !== expected) problems.push(`ticket ${t.number} fired SLA thresholds [${fired}], expected [${expected}] once each`);
    if ((perTicket.get(t.id) ?? 0) !== 1 + (firedBy.get(t.id)?.length ?? 0)) problems.push(`ticket ${t.number} has ${perTicket.get(t.id) ?? 0} outbox rows`);
    if (t.status !== 'pending') problems.push(`ticket ${t.number} is ${t.status}, not parked in pending after its last warning`);
  }
  for (const e of events) if (e.event !== 'sla.warning') problems.push(`an SLA ${e.event} fired (the drill parks tickets before any breach)`);

  const deliveries = receiver.deliveries();
  return {
    tickets: tickets.length,
    outboxRows: rows.length,
    done: rows.filter((r) => r.status === 'done').length,
    dead: rows.filter((r) => r.status === 'dead').length,
    deliveries: deliveries.length,
    duplicateDeliveries: deliveries.filter((d) => d.duplicate).length,
    slaFirings: events.length,
    problems,
  };
}

/**
 * The `mail:` section for one Dovecot folder, read five messages at a time and
 * polled every second; processed mail moves to `<folder>-done`. The password
 * comes from IMAP_PASSWORD in the server's environment.
 */
export function drillMailConfig(dovecot: Dovecot, folder: string, settings: { leaseSeconds: number; maxBackoffSeconds?: number }): string {
  return [
    'mail:',
    // A killed holder's claim on the mailbox runs out after this; another (or the restarted) instance then takes over.
    `  leaseSeconds: ${settings.leaseSeconds}`,
    // A round that failed (e.g. on the database) waits at most this before the next try.
    ...(settings.maxBackoffSeconds === undefined ? [] : [`  maxBackoffSeconds: ${settings.maxBackoffSeconds}`]),
    '  mailboxes:',
    `    - { name: support, host: 127.0.0.1, port: ${dovecot.port}, tls: false, user: ${dovecot.user}, password: "\${env:IMAP_PASSWORD}", folder: ${folder}, processed: { moveTo: ${folder}-done }, batchSize: 5, pollSeconds: 1 }`,
  ].join('\n');
}

/** Drill mail: numbered messages appended to a Dovecot folder, subjects the drill rules match. */
export interface DrillMail {
  /** Message-IDs appended so far (bare, as stored in messages.message_id). */
  readonly ids: string[];
  append(count: number): Promise<void>;
  /** How many of them the database holds (inbound messages). */
  stored(db: Knex): Promise<number>;
}

export function drillMail(dovecot: Dovecot, folder: string): DrillMail {
  const ids: string[] = [];
  return {
    ids,
    async append(count) {
      const batch = Array.from({ length: count }, () => {
        const id = `mail-${ids.length}@drill.example`;
        ids.push(id);
        return buildMail({ messageId: `<${id}>`, from: `customer${ids.length % 7}@drill.example`, subject: `${DRILL_SUBJECT} ${id}`, date: new Date().toUTCString(), text: `Mail ${id}` });
      });
      await dovecot.append(batch, folder);
    },
    stored: (db) => countOf(db('messages').where({ direction: 'inbound' }).where('message_id', 'like', 'mail-%@drill.example')),
  };
}

/** `12.3` (seconds, for the drills' figures). */
export function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

async function countOf(query: Knex.QueryBuilder): Promise<number> {
  const rows = (await query.count({ n: '*' })) as { n: number | string }[];
  return Number(rows[0]?.n ?? 0);
}
