/**
 * Replay benchmark (issue #8): `triage replay` over STORED tickets (default
 * 100 000), in tickets per second, and its ratio to plain evaluation of the
 * same facts in the same run. The store is a SQLite file as shipped, loaded
 * directly in batches (prepared statements, one transaction per chunk; knex
 * would dominate the load): per ticket its row, its first message, the
 * `ticket.create` audit row and the `ticket.created` decision the shipped
 * rules make on it. Measured:
 *
 *   plain   decide(shipped rules, facts) over the tickets' facts already in memory
 *   replay  replayTickets: read the tickets back in batches from the read-only store,
 *           reconstruct the facts, decide with the active AND the changed rule set, diff
 *
 * A replay evaluates every ticket twice (active and changed set), so a ratio
 * near 0.5 means reading and reconstructing cost little. The changed set is
 * the shipped one with invoices at priority P2 instead of P3, so the diff is not empty.
 * Correctness is checked: every ticket replayed, the stored decisions
 * reproduced exactly. Exit 1 if a check fails. Writes bench/results/replay.json.
 *
 *   npm run bench                       (builds, runs the other benches, then this)
 *   BENCH_REPLAY_TICKETS=10000 node dist/bench/replay-bench.js   (a quick run)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { loadRulesOrThrow } from '../engine/governance/load-rules-or-throw.js';
import { openReadOnlyDatabase } from '../engine/governance/open-read-only-database.js';
import { createdFacts } from '../engine/governance/reconstruct-facts.js';
import { replayTickets } from '../engine/governance/replay.js';
import { packageRoot } from '../engine/runtime/package-root.js';
import { createDatabase } from '../engine/store/create-database.js';
import { migrateToLatest } from '../engine/store/migrate-to-latest.js';
import type { Message } from '../engine/tickets/message.js';
import type { Ticket } from '../engine/tickets/ticket.js';
import { decisionToRow, messageToRow, ticketToRow } from '../engine/tickets/ticket-row.js';
import { decide } from '../rules/lib/evaluate.js';
import type { RuleSet } from '../rules/lib/rule-set.js';
import type { Facts } from '../rules/lib/rule-types.js';
import { describeMachine } from './describe-machine.js';

const TICKETS = Number(process.env.BENCH_REPLAY_TICKETS ?? 100_000);
const CHUNK = 10_000;
const T0 = Date.parse('2026-03-02T08:00:00.000Z');

const SUBJECTS: readonly [string, string][] = [
  ['Faktura 03/2026 do zapłaty', 'W załączniku faktura, proszę o korektę.'],
  ['Critical outage in production', 'Our whole team is blocked, critical outage since 9:00.'],
  ['Where is my order #12345?', 'I ordered last week and nothing arrived.'],
  ['Password reset', 'I cannot log in, please reset my password.'],
  ['Question about pricing', 'How much does the enterprise plan cost?'],
  ['Zwrot towaru', 'Chcę zwrócić zamówienie, proszę o etykietę.'],
  ['Awaria: system nie działa', 'Awaria krytyczna, nic nie działa od rana.'],
  ['Thank you!', 'Thanks, all good now.'],
];

interface SqliteConnection {
  prepare(sql: string): { run(values: Record<string, unknown>): unknown };
  transaction(fn: (from: number, to: number) => void): (from: number, to: number) => void;
}

function ticketAt(i: number): { ticket: Ticket; message: Message } {
  const [subject, text] = SUBJECTS[i % SUBJECTS.length]!;
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const at = new Date(T0 + i * 1000).toISOString();
  const ticket: Ticket = {
    id,
    number: `T-${String(i + 1).padStart(6, '0')}`,
    source: 'imap:support',
    externalId: `<bench-${i}@example.com>`,
    subject: `${subject} (${i})`,
    status: 'new',
    category: null,
    priority: null,
    team: null,
    queue: null,
    assignee: null,
    language: null,
    type: null,
    customerId: null,
    channel: 'email',
    review: false,
    tags: [],
    createdAt: at,
    updatedAt: at,
    firstResponseAt: null,
    solvedAt: null,
    closedAt: null,
    ruleSetVersion: null,
    data: { mailbox: 'support' },
  };
  const message: Message = {
    id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    ticketId: id,
    direction: 'inbound',
    kind: 'public',
    from: { address: `customer${i % 5000}@example.com`, name: null, domain: 'example.com' },
    to: ['support@acme.example'],
    cc: [],
    subject: ticket.subject,
    text,
    html: null,
    headers: {},
    messageId: ticket.externalId,
    inReplyTo: null,
    attachments: [],
    data: {},
    createdAt: at,
  };
  return { ticket, message };
}

/** better-sqlite3 binds no booleans; knex turns them into 0/1 the same way. */
function bindable(row: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'boolean' ? Number(v) : v;
  return out;
}

/** The stored rows of N tickets decided by `ruleSet`, written straight through better-sqlite3. */
async function load(db: Knex, ruleSet: RuleSet, count: number): Promise<void> {
  const client = db.client as { acquireConnection(): Promise<SqliteConnection>; releaseConnection(c: SqliteConnection): Promise<void> };
  const conn = await client.acquireConnection();
  const insert = (table: string, sample: object) => {
    const cols = Object.keys(sample);
    return conn.prepare(`insert into ${table} (${cols.map((c) => `"${c}"`).join(', ')}) values (${cols.map((c) => `@${c}`).join(', ')})`);
  };
  try {
    const first = ticketAt(0);
    const ticketInsert = insert('tickets', ticketToRow(first.ticket));
    const messageInsert = insert('messages', messageToRow(first.message));
    const auditInsert = conn.prepare('insert into audit_events (id, ticket_id, seq, at, actor_type, actor_id, rule_set_version, event, action, field, old_value, new_value, data) values (@id, @ticket_id, 1, @at, \'system\', \'system\', null, \'ticket.created\', \'ticket.create\', null, null, null, @data)');
    let decisionInsert: ReturnType<SqliteConnection['prepare']> | undefined;
    const chunk = conn.transaction((from: number, to: number) => {
      for (let i = from; i < to; i += 1) {
        const { ticket, message } = ticketAt(i);
        const d = decide(ruleSet, 'ticket.created', createdFacts(ticket, message, null, ticket.createdAt));
        const decided: Ticket = { ...ticket, ...(d.changes as Partial<Ticket>), ruleSetVersion: ruleSet.version, review: d.review };
        ticketInsert.run(bindable(ticketToRow(decided)));
        messageInsert.run(bindable(messageToRow(message)));
        auditInsert.run({ id: `20000000-0000-4000-8000-${String(i).padStart(12, '0')}`, ticket_id: ticket.id, at: ticket.createdAt, data: JSON.stringify({ number: ticket.number, fields: {}, tags: [], customerId: null }) });
        const row = decisionToRow({ id: `30000000-0000-4000-8000-${String(i).padStart(12, '0')}`, ticketId: ticket.id, event: 'ticket.created', ruleSetVersion: ruleSet.version, decision: d, createdAt: ticket.createdAt, seq: 2 });
        decisionInsert ??= insert('decisions', row);
        decisionInsert.run(bindable(row));
      }
    });
    for (let from = 0; from < count; from += CHUNK) chunk(from, Math.min(count, from + CHUNK));
  } finally {
    await client.releaseConnection(conn);
  }
}

async function main(): Promise<void> {
  const root = packageRoot();
  const dir = await mkdtemp(join(tmpdir(), 'triage-replay-bench-'));
  try {
    const base = await loadRulesOrThrow(join(root, 'rules', 'default'));
    // The change under review: a copy of the shipped rules, invoices at P2 instead of P3.
    const changedDir = join(dir, 'rules');
    await cp(join(root, 'rules', 'default'), changedDir, { recursive: true });
    const categorize = join(changedDir, 'categorize.yaml');
    await writeFile(categorize, (await readFile(categorize, 'utf8')).replace('set: { category: invoice, priority: P3 }', 'set: { category: invoice, priority: P2 }'));
    const candidate = await loadRulesOrThrow(changedDir);

    const file = join(dir, 'triage.db');
    const rw = await createDatabase({ sqlitePath: file });
    const loadStart = performance.now();
    try {
      await migrateToLatest(rw);
      await rw.raw('pragma foreign_keys = OFF');
      await load(rw, base, TICKETS);
      await rw.raw('analyze');
    } finally {
      await rw.destroy();
    }
    const loadSeconds = (performance.now() - loadStart) / 1000;

    // Plain evaluation of the same facts, built in memory beforehand.
    const facts: Facts[] = [];
    for (let i = 0; i < TICKETS; i += 1) {
      const { ticket, message } = ticketAt(i);
      facts.push(createdFacts(ticket, message, null, ticket.createdAt));
    }
    let p = performance.now();
    let fired = 0;
    for (const f of facts) fired += decide(base, 'ticket.created', f).firedRules.length;
    const plainMs = performance.now() - p;
    facts.length = 0;

    const db = await openReadOnlyDatabase({ sqlitePath: file });
    let report;
    try {
      p = performance.now();
      report = await replayTickets(db, { base, candidate, since: new Date(T0).toISOString() });
    } finally {
      await db.destroy();
    }
    const replayMs = performance.now() - p;
    const failures: string[] = [];
    if (report.replayed !== TICKETS) failures.push(`replayed ${report.replayed} of ${TICKETS}`);
    if (report.reproduction.matched !== TICKETS) failures.push(`reproduced ${report.reproduction.matched} of ${TICKETS} stored decisions`);
    if (base.version === candidate.version || report.changedTickets === 0) failures.push('the changed rule set changes nothing');

    const plainPerSecond = Math.round((TICKETS / plainMs) * 1000);
    const replayPerSecond = Math.round((TICKETS / replayMs) * 1000);
    const result = {
      name: 'replay',
      date: new Date().toISOString(),
      node: process.version,
      measuredAt: new Date().toISOString(),
      machine: describeMachine(),
      tickets: TICKETS,
      rules: base.rules.length,
      loadSeconds: Number(loadSeconds.toFixed(1)),
      plain: { name: 'decide(shipped rules) over facts in memory, once per ticket', ticketsPerSecond: plainPerSecond, firedRulesPerTicket: Number((fired / TICKETS).toFixed(2)) },
      replay: {
        name: 'replayTickets: read back from read-only SQLite in batches of 500, reconstruct facts, decide with active and changed set, diff',
        ticketsPerSecond: replayPerSecond,
        seconds: Number((replayMs / 1000).toFixed(1)),
        changedTickets: report.changedTickets,
        reproduced: report.reproduction.matched,
      },
      ratio: Number((replayPerSecond / plainPerSecond).toFixed(3)),
      checks: failures.length === 0 ? 'ok' : failures,
    };
    const out = join(root, 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'replay.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
