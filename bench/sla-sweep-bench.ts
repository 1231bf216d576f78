/**
 * SLA sweep benchmark: the sweeper's cost must follow the number of DUE
 * timers, not of open tickets (issue #7). Two SQLite stores as shipped, one
 * with OPEN_SMALL and one with OPEN_LARGE (10×) open tickets' timer rows: a
 * running first-response and resolution timer each, not due, inserted
 * directly in batches inside transactions (only the timer rows: foreign keys
 * are off during the load, the ticket rows take no part in a sweep's query,
 * and loading them would only make the bench slower). On top, DUE tickets created
 * through the ticket service with the shipped rules and SLA policy (P1, so
 * their 50 % first-response threshold is due 7.5 minutes later). Measured:
 *
 *   dueQuery  the sweeper's claim query (next_fire_at ≤ now, through the index) reading the DUE rows
 *   sweep     SlaSweeper.sweepOnce: claim, and per timer raiseEvent (lock, rules, audit, outbox,
 *             sla_events) in its own transaction: DUE sla.warning decisions
 *
 * and the large/small ratios, which should stay near 1. Correctness is
 * checked: every due timer fired exactly once, none of the others. Exit 1 if
 * a check fails. Writes bench/results/sla-sweep.json.
 *
 *   npm run bench   (builds, runs the other benches, then this)
 *   BENCH_SLA_OPEN=1000000 BENCH_SLA_DUE=1000 node dist/bench/sla-sweep-bench.js
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { loadRuleSet } from '../rules/lib/load-rule-set.js';
import type { RuleSet } from '../rules/lib/rule-set.js';
import { packageRoot } from '../engine/runtime/package-root.js';
import { SlaSweeper } from '../engine/scheduler/sla-sweeper.js';
import { computeDue, openTimeBetween } from '../engine/sla/calendar/compute-due.js';
import { SlaClocks } from '../engine/sla/clocks/sla-clocks.js';
import { loadSlaPolicy } from '../engine/sla/policy/load-sla-policy.js';
import { createDatabase } from '../engine/store/create-database.js';
import { migrateToLatest } from '../engine/store/migrate-to-latest.js';
import { ruleSetDecide } from '../engine/tickets/rule-set-decide.js';
import { TicketService } from '../engine/tickets/ticket-service.js';
import { describeMachine } from './describe-machine.js';
import { runBench } from './run-bench.js';

const OPEN_LARGE = Number(process.env.BENCH_SLA_OPEN ?? 1_000_000);
const OPEN_SMALL = Math.round(OPEN_LARGE / 10);
const DUE = Number(process.env.BENCH_SLA_DUE ?? 1000);
/** Open tickets per load transaction. */
const BATCH = 20_000;
const MIN = 60_000;
const T0 = Date.parse('2026-03-04T10:00:00.000Z');
const SWEEP_AT = new Date(T0 + 8 * MIN);

interface RunResult {
  openTickets: number;
  timerRows: number;
  loadSeconds: number;
  loadedRowsPerSecond: number;
  dueQueryMs: number;
  dueQueryMinMs: number;
  sweepMs: number;
  fired: number;
  decisionsPerSecond: number;
  queryPlan: string;
}

interface SqliteConnection {
  prepare(sql: string): { run(...values: unknown[]): unknown };
  transaction(fn: (from: number, to: number) => void): (from: number, to: number) => void;
}

/** Straight on better-sqlite3 (prepared statement, one transaction per chunk): knex would dominate the load time. */
async function bulkLoad(db: Knex, open: number): Promise<void> {
  const iso = (ms: number) => new Date(ms).toISOString();
  const farFuture = T0 + 24 * 60 * MIN;
  const client = db.client as { acquireConnection(): Promise<SqliteConnection>; releaseConnection(c: SqliteConnection): Promise<void> };
  const conn = await client.acquireConnection();
  try {
    const insert = conn.prepare(
      'insert into sla_timers (id, ticket_id, metric, priority, contract, calendar, started_at, target_ms, pauses, paused_at, due_at, thresholds, next_threshold, next_fire_at, claim_until, met_at, breached_at, status, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const started = iso(T0 - MIN);
    const chunk = conn.transaction((from: number, to: number) => {
      for (let i = from; i < to; i += 1) {
        const id = `bench-${String(i).padStart(8, '0')}`;
        for (const [k, metric] of (['firstResponse', 'resolution'] as const).entries()) {
          // Not due: their next threshold lies a day or more ahead, spread out like real clocks.
          const next = iso(farFuture + i * 1000 + k);
          insert.run(`${id}-${k}`, id, metric, 'P3', null, 'business', started, 4 * 60 * MIN, '[]', null, next, '[50,75,80,100]', 0, next, null, null, null, 'running', started, started);
        }
      }
    });
    for (let from = 0; from < open; from += BATCH) chunk(from, Math.min(open, from + BATCH));
  } finally {
    await client.releaseConnection(conn);
  }
}

async function run(open: number, ruleSet: RuleSet, policyFile: string): Promise<RunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'triage-sla-bench-'));
  const db = await createDatabase({ sqlitePath: join(dir, 'triage.db') });
  try {
    await migrateToLatest(db);
    const loadStart = performance.now();
    // One connection (createDatabase), so the pragma holds for the load.
    await db.raw('pragma foreign_keys = OFF');
    // Secondary indexes are built once after the load (one sort instead of 2M inserts into each), as migration 0007 defines them.
    const indexes = (await db.raw("select sql from sqlite_master where type = 'index' and tbl_name = 'sla_timers' and sql is not null")) as { sql: string }[];
    for (const { sql } of indexes) await db.raw(`drop index ${/create index (\S+)/i.exec(sql)?.[1] ?? ''}`);
    await bulkLoad(db, open);
    for (const { sql } of indexes) await db.raw(sql);
    await db.raw('pragma foreign_keys = ON');
    const loadSeconds = (performance.now() - loadStart) / 1000;
    await db.raw('analyze');

    const policy = await loadSlaPolicy(policyFile);
    let now = T0;
    const clock = () => new Date(now);
    const clocks = new SlaClocks({ policy: () => policy, math: { computeDue, openTimeBetween }, readsSla: (event) => ruleSet.factsFor(event).has('sla') });
    const tickets = new TicketService({ db, decide: ruleSetDecide(() => ruleSet), now: clock, sla: clocks });
    for (let i = 0; i < DUE; i += 1) {
      await tickets.createTicket({ source: 'bench-due', externalId: `due-${i}`, subject: `Awaria ${i}: system nie działa`, channel: 'api', createdAt: new Date(T0).toISOString() });
    }
    now = SWEEP_AT.getTime();
    const at = SWEEP_AT.toISOString();
    const dueSql = 'select "id", "ticket_id" from "sla_timers" where "next_fire_at" <= ? and ("claim_until" is null or "claim_until" <= ?) order by "next_fire_at" limit ?';
    const plan = (await db.raw(`explain query plan ${dueSql}`, [at, at, DUE])) as { detail: string }[];
    const queryTimes: number[] = [];
    for (let r = 0; r < 21; r += 1) {
      const q = performance.now();
      const rows = (await db.raw(dueSql, [at, at, DUE * 2])) as unknown[];
      queryTimes.push(performance.now() - q);
      if (rows.length !== DUE) throw new Error(`expected ${DUE} due timers, the query found ${rows.length}`);
    }
    const sweeper = new SlaSweeper({ db, clocks, tickets, now: clock, batchSize: 100 });
    const s = performance.now();
    const result = await sweeper.sweepOnce(SWEEP_AT);
    const sweepMs = performance.now() - s;
    const events = Number(((await db('sla_events').count({ n: '*' }).first()) as { n: number | string }).n);
    if (result.fired !== DUE || result.failed !== 0 || events !== DUE) throw new Error(`expected ${DUE} firings, got ${JSON.stringify(result)} and ${events} sla_events rows`);
    const again = await sweeper.sweepOnce(SWEEP_AT);
    if (again.fired !== 0) throw new Error(`a second sweep fired ${again.fired} thresholds again`);
    queryTimes.sort((a, b) => a - b);
    return {
      openTickets: open,
      timerRows: open * 2 + DUE * 2,
      loadedRowsPerSecond: Math.round((open * 2) / loadSeconds),
      loadSeconds: Number(loadSeconds.toFixed(1)),
      dueQueryMs: Number((queryTimes[10] ?? 0).toFixed(2)),
      dueQueryMinMs: Number((queryTimes[0] ?? 0).toFixed(2)),
      sweepMs: Math.round(sweepMs),
      fired: result.fired,
      decisionsPerSecond: Math.round((result.fired / sweepMs) * 1000),
      queryPlan: plan.map((p) => p.detail).join('; '),
    };
  } finally {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const loaded = await loadRuleSet(join(packageRoot(), 'rules', 'default'));
  if (!loaded.ok) throw new Error('the shipped rule set does not load');
  const policyFile = join(packageRoot(), 'rules', 'default', 'sla', 'policy.yaml');
  const small = await run(OPEN_SMALL, loaded.ruleSet, policyFile);
  console.log(`sla sweep: ${small.openTickets} open tickets: due query ${small.dueQueryMs} ms, sweep of ${DUE} due ${small.sweepMs} ms`);
  const large = await run(OPEN_LARGE, loaded.ruleSet, policyFile);
  console.log(`sla sweep: ${large.openTickets} open tickets: due query ${large.dueQueryMs} ms, sweep of ${DUE} due ${large.sweepMs} ms`);
  const result = {
    name: 'sla-sweep',
    date: new Date().toISOString(),
    node: process.version,
    measuredAt: new Date().toISOString(),
    machine: describeMachine(),
    store: 'SQLite as shipped (createDatabase: WAL, synchronous FULL); shipped rules/default and rules/default/sla/policy.yaml',
    due: DUE,
    what: {
      dueQueryMs: 'median (dueQueryMinMs: fastest) of 21 runs of the claim query (next_fire_at ≤ now, through sla_timers_next_fire_at) reading the due rows',
      sweepMs: `SlaSweeper.sweepOnce: claim in rounds of 100 and raise ${DUE} sla.warning events, each its own transaction with rules, audit, outbox and sla_events`,
    },
    small,
    large,
    ratios: {
      openTickets: large.openTickets / small.openTickets,
      dueQuery: Number((large.dueQueryMs / small.dueQueryMs).toFixed(2)),
      dueQueryMin: Number((large.dueQueryMinMs / small.dueQueryMinMs).toFixed(2)),
      sweep: Number((large.sweepMs / small.sweepMs).toFixed(2)),
    },
  };
  const out = join(packageRoot(), 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'sla-sweep.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`sla sweep: ${result.ratios.openTickets}× open tickets → due query ×${result.ratios.dueQuery}, sweep ×${result.ratios.sweep}`);
}

runBench(main);
