/**
 * Scale-out benchmark (PRODUCT.md R24): `POST /v1/evaluate` and ticket ingest
 * (`POST /v1/tickets`) with one versus two `triage serve` processes on one
 * PostgreSQL database, measured in the same run so the scale factor travels
 * across machines.
 *
 * Load: two autocannon processes (bench/run-load.ts) in parallel, CONNECTIONS
 * each, summed. With one instance both point at it; with two, one at each, so
 * the load generators cost the same in both settings and only the number of
 * servers changes. Rounds: 1 instance (evaluate, ingest), then a second
 * instance starts, is warmed up, and 2 instances are measured (evaluate,
 * ingest), then it stops again (every other round the other way round); the
 * scale factor is taken per round and the median over the rounds reported. Target: evaluate (CPU-bound, no database)
 * ≥ 1.5× on 2 cores. Ingest has no target: it is bounded by PostgreSQL's
 * commits, which both instances share.
 *
 * The load generators, the servers and PostgreSQL share the machine's cores,
 * so on a 2-core machine the second instance competes with autocannon for the
 * second core: the CPU each of them used is recorded per run (servers from
 * /proc/<pid>/stat, load generators from their own process.cpuUsage, the whole
 * machine from /proc/stat; the rest is PostgreSQL and whatever else runs).
 *
 * Correctness is checked, not assumed: no non-2xx and no connection errors,
 * every ticket acknowledged with a 2xx is in the database once, and no ticket
 * number is used twice. The database is created for the run and dropped
 * afterwards (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/test,
 * names the server and the maintenance database). Writes
 * bench/results/scale-out.json; exit 1 if a check fails, a missed target is
 * reported, not an error.
 *
 *   npm run bench
 *   BENCH_SCALE_DURATION=3 BENCH_SCALE_ROUNDS=1 BENCH_SCALE_WARMUP=1 node dist/bench/scale-out-bench.js
 *   (defaults: 10 s per measurement, 3 rounds, 20 connections per load generator, 3 s warm-up)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { packageRoot } from '../engine/runtime/package-root.js';
import { describeMachine } from './describe-machine.js';
import { runLoad, type LoadResult, type LoadSpec } from './run-load.js';
import { EVALUATE_BODY, TICKET_BODY } from './request-bodies.js';
import { cpuSeconds, machineCpuTicks, spawnServer, TRIAGE_BIN, type SpawnedServer } from './serve-process.js';
import { SERVE_NODE_ARGS } from '../engine/server/serve-node-args.js';
import { failOnProblems, runBench } from './run-bench.js';

const DURATION = Number(process.env.BENCH_SCALE_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_SCALE_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_SCALE_CONNECTIONS ?? 20);
const WARMUP = Number(process.env.BENCH_SCALE_WARMUP ?? 3);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TARGET_EVALUATE_SCALE = 1.5;
const GENERATORS = 2;

type Workload = 'evaluate' | 'ingest';

/** One measurement: GENERATORS load generators in parallel against 1 or 2 instances. */
interface Measurement {
  workload: Workload;
  instances: 1 | 2;
  round: number;
  requestsPerSecond: number;
  perGenerator: number[];
  latencyMs: { p50: number; p99: number };
  requests: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  /** Cores' worth of CPU used during the measurement: servers, load generators, the whole machine, and the rest (PostgreSQL, neighbours). */
  cpuCores: { servers: number; loadGenerators: number; machine: number | undefined; other: number | undefined };
  acked: string[];
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function createDatabase(): Promise<{ url: string; name: string }> {
  const name = `triage_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const mid = Math.floor(s.length / 2);
  const m = s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
  return Math.round(m * 1000) / 1000;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;
const round2 = (n: number): number => Math.round(n * 100) / 100;

async function measure(workload: Workload, servers: readonly SpawnedServer[], round: number, key: string, durationSeconds: number, idPrefix: string): Promise<Measurement> {
  const auth = { authorization: `Bearer ${key}` };
  const specs: LoadSpec[] = Array.from({ length: GENERATORS }, (_, g) => {
    const server = servers[g % servers.length];
    if (!server) throw new Error('no server');
    return workload === 'evaluate'
      ? { url: server.url, path: '/v1/evaluate', method: 'POST', headers: auth, body: EVALUATE_BODY, durationSeconds, connections: CONNECTIONS }
      : { url: server.url, path: '/v1/tickets', method: 'POST', headers: auth, body: TICKET_BODY, durationSeconds, connections: CONNECTIONS, idPrefix: `${idPrefix}-g${g}` };
  });
  const serverCpu0 = servers.map((s) => cpuSeconds(s.pid) ?? 0);
  const machine0 = machineCpuTicks();
  const started = process.hrtime.bigint();
  const results: LoadResult[] = await Promise.all(specs.map((s) => runLoad(s)));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const machine1 = machineCpuTicks();
  const serverCpu = servers.reduce((n, s, i) => n + (cpuSeconds(s.pid) ?? 0) - (serverCpu0[i] ?? 0), 0);
  const loadCpu = results.reduce((n, r) => n + (r.cpuSeconds ?? 0), 0);
  const machineCores =
    machine0 === undefined || machine1 === undefined || machine1.total === machine0.total
      ? undefined
      : ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * describeMachine().cpus;
  // The load generators' CPU includes their start-up, so per second of the whole elapsed time.
  const cores = {
    servers: round2(serverCpu / elapsed),
    loadGenerators: round2(loadCpu / elapsed),
    machine: machineCores === undefined ? undefined : round2(machineCores),
    other: machineCores === undefined ? undefined : round2(Math.max(0, machineCores - serverCpu / elapsed - loadCpu / elapsed)),
  };
  return {
    workload,
    instances: servers.length as 1 | 2,
    round,
    requestsPerSecond: results.reduce((n, r) => n + r.requestsPerSecond, 0),
    perGenerator: results.map((r) => r.requestsPerSecond),
    // Latencies of the generators differ little; the worse one is the honest figure.
    latencyMs: { p50: Math.max(...results.map((r) => r.latencyMs.p50)), p99: Math.max(...results.map((r) => r.latencyMs.p99)) },
    requests: results.reduce((n, r) => n + r.requests, 0),
    ok2xx: results.reduce((n, r) => n + r.ok2xx, 0),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    errors: results.reduce((n, r) => n + r.errors, 0),
    cpuCores: cores,
    acked: results.flatMap((r) => r.acked ?? []),
  };
}

async function main(): Promise<void> {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  const machine = describeMachine();
  console.log(`scale-out: ${ROUNDS} round(s) of ${DURATION} s, ${GENERATORS} load generators x ${CONNECTIONS} connections, ${machine.cpus} x ${machine.model}, node ${machine.node}`);
  const dir = await mkdtemp(join(tmpdir(), 'triage-scale-bench-'));
  const key = `trg_${randomBytes(32).toString('base64url')}`;
  const db = await createDatabase();
  const run = Date.now().toString(36);
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    TRIAGE_RULES: join(packageRoot(), 'rules', 'default'),
    TRIAGE_RULES_WATCH: 'false',
    TRIAGE_BOOTSTRAP_KEY: key,
    TRIAGE_LOG_LEVEL: 'warn',
  };
  const start = (): Promise<SpawnedServer> => spawnServer({ script: TRIAGE_BIN, args: ['serve'], nodeArgs: SERVE_NODE_ARGS, cwd: dir, env });
  const measurements: Measurement[] = [];
  let a: SpawnedServer | undefined;
  let b: SpawnedServer | undefined;
  let stored = 0;
  try {
    try {
      // The first instance migrates the new database; the second starts on the migrated one.
      a = await start();
      const probe = await fetch(`${a.url}/v1/evaluate`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: EVALUATE_BODY });
      const decision = (await probe.json()) as { changes?: Record<string, unknown> };
      check(probe.status === 200 && decision.changes?.category === 'invoice', `evaluate: unexpected answer ${probe.status} ${JSON.stringify(decision)}`);
      const warm = async (servers: SpawnedServer[], tag: string): Promise<void> => {
        if (WARMUP <= 0) return;
        for (const w of ['evaluate', 'ingest'] as const) {
          const m = await measure(w, servers, -1, key, WARMUP, `${run}-w${tag}`);
          measurements.push(m);
        }
      };
      await warm([a], 'a');
      const measureBoth = async (servers: SpawnedServer[], round: number): Promise<void> => {
        for (const w of ['evaluate', 'ingest'] as const) {
          const m = await measure(w, servers, round, key, DURATION, `${run}-r${round}-${servers.length}`);
          measurements.push(m);
          console.log(
            `round ${round + 1} ${w.padEnd(8)} ${servers.length} instance(s): ${String(m.requestsPerSecond).padStart(6)} req/s  (cores: servers ${m.cpuCores.servers}, load ${m.cpuCores.loadGenerators}, machine ${m.cpuCores.machine ?? '?'})`,
          );
        }
      };
      for (let round = 0; round < ROUNDS; round++) {
        // The order alternates between rounds, so a drift of the machine's load (or of the growing tables) does not favour one side.
        const oneFirst = round % 2 === 0;
        if (oneFirst) await measureBoth([a], round);
        b = await start();
        await warm([a, b], `b${round}`);
        await measureBoth([a, b], round);
        await b.stop();
        b = undefined;
        if (!oneFirst) await measureBoth([a], round);
      }
    } finally {
      // Graceful: requests still in flight when a run stopped finish, so the tables are final afterwards.
      if (b) await b.stop();
      if (a) await a.stop();
    }

    // Every acknowledged ticket stored exactly once, every ticket number unique.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const rows = (await client.query<{ external_id: string }>(`select external_id from tickets where external_id like $1`, [`${run}-%`])).rows;
      stored = rows.length;
      const ids = new Set(rows.map((r) => r.external_id));
      check(ids.size === rows.length, `ingest: ${rows.length - ids.size} external ids stored twice`);
      const acked = measurements.filter((m) => m.workload === 'ingest').flatMap((m) => m.acked);
      const missing = acked.filter((id) => !ids.has(id));
      check(missing.length === 0, `ingest: ${missing.length} acknowledged tickets are not in the database (e.g. ${missing.slice(0, 3).join(', ')})`);
      const dup = (await client.query<{ n: string }>(`select count(*) - count(distinct number) as n from tickets`)).rows[0]?.n ?? '0';
      check(Number(dup) === 0, `ingest: ${dup} ticket numbers used twice`);
    } finally {
      await client.end();
    }
  } finally {
    // The database and the folder go even when a step failed.
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${db.name}" WITH (FORCE)`));
    await rm(dir, { recursive: true, force: true });
  }
  const measured = measurements.filter((m) => m.round >= 0);
  for (const m of measurements) check(m.non2xx === 0 && m.errors === 0, `${m.workload} with ${m.instances} instance(s), round ${m.round + 1}: ${m.non2xx} non-2xx, ${m.errors} errors`);

  const summarise = (w: Workload): Record<string, unknown> => {
    const one = measured.filter((m) => m.workload === w && m.instances === 1);
    const two = measured.filter((m) => m.workload === w && m.instances === 2);
    const perRound = one.map((m) => round3((two.find((t) => t.round === m.round)?.requestsPerSecond ?? 0) / Math.max(1, m.requestsPerSecond)));
    const side = (ms: Measurement[]): Record<string, unknown> => ({
      requestsPerSecond: median(ms.map((m) => m.requestsPerSecond)),
      rounds: ms.map((m) => m.requestsPerSecond),
      latencyMs: { p50: median(ms.map((m) => m.latencyMs.p50)), p99: median(ms.map((m) => m.latencyMs.p99)) },
      cpuCores: {
        servers: median(ms.map((m) => m.cpuCores.servers)),
        loadGenerators: median(ms.map((m) => m.cpuCores.loadGenerators)),
        machine: ms.some((m) => m.cpuCores.machine === undefined) ? undefined : median(ms.map((m) => m.cpuCores.machine ?? 0)),
        other: ms.some((m) => m.cpuCores.other === undefined) ? undefined : median(ms.map((m) => m.cpuCores.other ?? 0)),
      },
      // Server CPU per answered request: if it stays the same with 2 instances, sharing the database costs nothing and
      // the scale factor is limited by cores, not by contention.
      serverCpuMicrosPerRequest: median(ms.map((m) => Math.round((m.cpuCores.servers * 1e6) / Math.max(1, m.requestsPerSecond)))),
      requests: ms.reduce((n, m) => n + m.requests, 0),
      non2xx: ms.reduce((n, m) => n + m.non2xx, 0),
      errors: ms.reduce((n, m) => n + m.errors, 0),
    });
    return { oneInstance: side(one), twoInstances: side(two), scale: median(perRound), scalePerRound: perRound };
  };
  const evaluate = summarise('evaluate');
  const ingest = summarise('ingest');
  const evaluateScale = evaluate.scale as number;
  const ackedTotal = measurements.filter((m) => m.workload === 'ingest').reduce((n, m) => n + m.acked.length, 0);
  const result = {
    name: 'scale-out',
    measuredAt: new Date().toISOString(),
    machine: describeMachine(),
    database: 'PostgreSQL on 127.0.0.1:5432, a database created for the run and dropped after it',
    durationSeconds: DURATION,
    rounds: ROUNDS,
    warmupSeconds: WARMUP,
    loadGenerator: `${GENERATORS} autocannon 8 processes in parallel (bench/run-load.ts), ${CONNECTIONS} connections each, pipelining 1, loopback; 1 instance: both at it; 2 instances: one at each; req/s summed`,
    method: 'per round: 1 instance, then a second instance started and warmed up, 2 instances (odd rounds in the opposite order); scale = 2-instance req/s over 1-instance req/s of the same round; median over the rounds',
    servers: 'triage serve as shipped (all roles: API, outbox worker, SLA sweeper), shipped rules, rule watcher off',
    evaluate: { route: 'POST /v1/evaluate (shipped rules; CPU only, nothing stored)', ...evaluate, target: TARGET_EVALUATE_SCALE, meetsTarget: evaluateScale >= TARGET_EVALUATE_SCALE },
    ingest: { route: 'POST /v1/tickets (PostgreSQL, unique externalId per request)', ...ingest, acknowledged: ackedTotal, ticketsStored: stored },
    cpuNote:
      'cpuCores = cores busy on average during a measurement; servers from /proc/<pid>/stat, load generators from their process.cpuUsage (start-up included), machine from /proc/stat; other = machine - servers - load generators (PostgreSQL and other processes on the machine)',
    correct: problems.length === 0,
  };
  const resultsDir = join(packageRoot(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'scale-out.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `scale factor 2 vs 1 instance: evaluate ×${evaluateScale} (target ≥ ${TARGET_EVALUATE_SCALE}${evaluateScale >= TARGET_EVALUATE_SCALE ? ', met' : ', NOT MET'}), ingest ×${ingest.scale as number}; ${ackedTotal} tickets acknowledged, ${stored} stored`,
  );
  failOnProblems(problems);
}

runBench(main);
