/**
 * HTTP benchmark: the real app against a plain Fastify echo route measured in
 * the same run, on the same machine, with the same load, so the ratios travel
 * across machines even though the absolute figures do not.
 *
 *   echo         POST /echo returning the body (Fastify, no logger, no plugins): the ceiling
 *   evaluate     POST /v1/evaluate on the real app (auth, schema validation, rules, metrics)
 *   ingest       POST /v1/tickets on the real app, persisted on SQLite as shipped (synchronous=FULL, group commit,
 *                outbox worker running; unique externalId per request)
 *   ingest-normal  the same with `pragma synchronous = NORMAL` (no fsync at commit), for the durability trade-off
 *   ingest-batch   POST /v1/tickets/batch with 20 tickets per request, as shipped (durable); compared in tickets/s,
 *                  for integrators that can batch (the issue allows batching; the ingest target is the row above)
 *
 * Servers run in this process on loopback, which `npm run bench` starts with
 * the V8 options `triage serve` has (SERVE_NODE_ARGS: a larger young
 * generation); autocannon runs in a child process
 * so it does not compete for the servers' event loop. Each target gets a
 * warm-up, then the targets take turns for ROUNDS rounds; a ratio is taken
 * per round (target and echo ran back to back) and the median over the rounds
 * is reported, because the machine is shared and noisy.
 * Correctness is checked, not assumed: no non-2xx answers and no connection
 * errors anywhere, the evaluate answer is the expected decision, and every
 * ticket acknowledged with a 2xx is in the database afterwards. Exit 1 if any
 * check fails; a missed target is reported, not an error. Writes
 * bench/results/http.json.
 *
 *   npm run bench              (builds, runs the evaluate bench, then this)
 *   BENCH_HTTP_DURATION=5 BENCH_HTTP_ROUNDS=1 BENCH_HTTP_CONNECTIONS=20 BENCH_HTTP_WARMUP=2 node dist/bench/http-bench.js
 *   (defaults: 10 s, 3 rounds, 20 connections, 3 s warm-up)
 *
 * For profiling (not for the recorded figures): BENCH_HTTP_ONLY=ingest (comma-separated target names; echo
 * always runs, the ratios need it) measures only those targets, and BENCH_HTTP_PROFILE=DIR writes a V8 CPU
 * profile of the servers' process per target and round to DIR (open in Chrome DevTools or speedscope). Both
 * leave bench/results/http.json alone. BENCH_HTTP_OUTBOX_WORKER=0 runs the servers without the outbox
 * worker, to measure the create path alone (profiling only, like the two above).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import Fastify from 'fastify';
import { packageRoot } from '../engine/runtime/package-root.js';
import { SERVE_NODE_ARGS } from '../engine/server/serve-node-args.js';
import { eventLoopCpuMicros } from './event-loop-cpu.js';
import { startServer, type RunningServer } from '../engine/server/start-server.js';
import { createDatabase } from '../engine/store/create-database.js';
import { runLoad, type LoadResult, type LoadSpec } from './run-load.js';
import { BATCH_SIZE, EVALUATE_BODY, TICKET_BATCH_BODY, TICKET_BODY } from './request-bodies.js';
import { describeMachine } from './describe-machine.js';
import { failOnProblems, runBench } from './run-bench.js';

const DURATION = Number(process.env.BENCH_HTTP_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 20);
const WARMUP = Number(process.env.BENCH_HTTP_WARMUP ?? 3);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 3);
const TARGETS = { evaluate: 0.3, ingest: 0.1 } as const;
/** Profiling runs: a subset of the targets, and/or a CPU profile per measured run. */
const ONLY = process.env.BENCH_HTTP_ONLY?.split(',').map((s) => s.trim()).filter((s) => s !== '');
const PROFILE_DIR = process.env.BENCH_HTTP_PROFILE;

interface Measured {
  route: string;
  /** Median over the rounds (the machine is shared and noisy); latencies are those of the median round. */
  requestsPerSecond: number;
  latencyMs: LoadResult['latencyMs'];
  bestRequestsPerSecond: number;
  /**
   * The servers' process CPU time (every thread: event loop, SQLite checkpoint
   * worker, fsync pool) per response, median over the rounds. Less sensitive to
   * a busy machine than req/s, so echo's over a target's is a steadier ratio.
   */
  cpuMicrosPerRequest: number;
  /**
   * Of cpuMicrosPerRequest, what the event loop's thread took (median over the
   * rounds); the rest ran on the other threads (SQLite writer, V8's
   * garbage-collection helpers, checkpointer, libuv's pool). Absent where
   * /proc does not tell (bench/event-loop-cpu.ts).
   */
  eventLoopCpuMicrosPerRequest?: number;
  /**
   * The load generator's process CPU per response, median over the rounds: what
   * the load itself took from the machine's cores while this target ran.
   */
  loadGeneratorCpuMicrosPerRequest: number;
  /** Requests/s of every round, in order. */
  rounds: number[];
  /** Totals over all rounds. */
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

interface Target {
  name: string;
  route: string;
  spec: Omit<LoadSpec, 'durationSeconds' | 'connections' | 'idPrefix'>;
  /** Ingest targets: the prefix of the external ids they generate. */
  idPrefix?: string;
  runs: LoadResult[];
  /** Server-process CPU time (all threads) per response, µs, per round. */
  cpuMicrosPerRequest: number[];
  /** Of that, the event loop's thread, per round (empty where /proc does not tell). */
  eventLoopCpuMicrosPerRequest?: number[];
  /** How long the servers' outbox took to empty after each round (work the run left behind), ms. */
  outboxDrainMs?: number[];
}

async function startEcho(): Promise<{ url: string; close: () => Promise<void> }> {
  const app = Fastify({ logger: false });
  app.post('/echo', async (request) => request.body);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}

async function startTriage(dir: string, key: string): Promise<RunningServer> {
  mkdirSync(dir, { recursive: true });
  // An explicit config file: a triage.config.yaml in the working directory must not change the bench,
  // and the watcher is not part of what is measured.
  const configFile = join(dir, 'triage.config.yaml');
  await writeFile(configFile, 'rules:\n  watch: false\n');
  return startServer({
    configFile,
    env: {
      HOST: '127.0.0.1',
      PORT: '0',
      TRIAGE_SQLITE_PATH: join(dir, 'triage.db'),
      TRIAGE_RULES: join(packageRoot(), 'rules', 'default'),
      TRIAGE_BOOTSTRAP_KEY: key,
      // Profiling only (BENCH_HTTP_OUTBOX_WORKER=0 measures the create path alone); unset for the recorded figures.
      ...(process.env.BENCH_HTTP_OUTBOX_WORKER === undefined ? {} : { TRIAGE_OUTBOX_WORKER: process.env.BENCH_HTTP_OUTBOX_WORKER }),
    },
    logger: false,
    notice: () => undefined,
  });
}

/** Wait until no server has outbox rows waiting or in flight (bounded: a stuck worker is reported by the checks, not waited for). */
async function outboxIdle(servers: readonly RunningServer[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (const s of servers) {
    for (;;) {
      const counts = await s.outbox.store.countByStatus();
      if (counts.pending + counts.in_flight === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function sqliteSynchronous(db: RunningServer['db']): Promise<string> {
  const rows = (await db.raw('pragma synchronous')) as { synchronous: number }[];
  return ['OFF', 'NORMAL', 'FULL', 'EXTRA'][rows[0]?.synchronous ?? -1] ?? 'unknown';
}

/** The median, to three decimals (what the results file and the console show). */
function median(xs: readonly number[]): number {
  return toThousandths(medianUnrounded(xs));
}

function medianRun(runs: readonly LoadResult[]): LoadResult {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const m = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!m) throw new Error('no runs');
  return m;
}

function summary(t: Target): Measured {
  const mid = medianRun(t.runs);
  const sum = (f: (r: LoadResult) => number): number => t.runs.reduce((n, r) => n + f(r), 0);
  return {
    route: t.route,
    requestsPerSecond: mid.requestsPerSecond,
    latencyMs: mid.latencyMs,
    bestRequestsPerSecond: Math.max(...t.runs.map((r) => r.requestsPerSecond)),
    cpuMicrosPerRequest: median(t.cpuMicrosPerRequest),
    ...(t.eventLoopCpuMicrosPerRequest === undefined || t.eventLoopCpuMicrosPerRequest.length === 0 ? {} : { eventLoopCpuMicrosPerRequest: median(t.eventLoopCpuMicrosPerRequest) }),
    loadGeneratorCpuMicrosPerRequest: median(t.runs.map((r) => Math.round(((r.cpuSeconds ?? 0) * 1e6) / Math.max(1, r.requests)))),
    rounds: t.runs.map((r) => r.requestsPerSecond),
    requests: sum((r) => r.requests),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    statusCodes: t.runs.reduce<Record<string, number>>((acc, r) => {
      for (const [code, n] of Object.entries(r.statusCodes)) acc[code] = (acc[code] ?? 0) + n;
      return acc;
    }, {}),
  };
}

/**
 * The ratio of a target to echo: per round (the two ran back to back, so a slow
 * spell of the machine hits both), then the median over the rounds.
 */
function pairedRatio(t: Target, echo: Target): { ratio: number; perRound: number[]; unrounded: number } {
  const exact = t.runs.map((r, i) => unroundedRatio(r.requestsPerSecond, echo.runs[i]?.requestsPerSecond ?? 0));
  // The target is judged on `unrounded`, not on the three-decimal figure: 0.0998 rounds to 0.1, which is not ≥ 0.1.
  const perRound = exact.map(toThousandths);
  return { ratio: median(perRound), perRound, unrounded: medianUnrounded(exact) };
}

/** The median as it is: what a target is judged on. */
function medianUnrounded(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length / 2;
  return Number.isInteger(mid) ? ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2 : (s[Math.floor(mid)] ?? 0);
}

function ratio(a: number, b: number): number {
  return toThousandths(unroundedRatio(a, b));
}

function unroundedRatio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function toThousandths(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Every ticket acknowledged with a 2xx must be in the database; requests cut off when a run stopped may be there too. */
async function checkIngest(t: Target, sqlitePath: string): Promise<{ acknowledged: number; stored: number; missing: string[]; sent: number }> {
  const acked = t.runs.flatMap((r) => r.acked ?? []);
  const sent = t.runs.reduce((n, r) => n + r.sent, 0);
  const db = await createDatabase({ sqlitePath });
  try {
    const rows = (await db('tickets').where('external_id', 'like', `${t.idPrefix ?? ''}-r%`).select('external_id')) as { external_id: string }[];
    const ids = new Set(rows.map((r) => r.external_id));
    return { acknowledged: acked.length, stored: ids.size, missing: acked.filter((id) => !ids.has(id)), sent };
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<void> {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  const dir = await mkdtemp(join(tmpdir(), 'triage-http-bench-'));
  const key = `trg_${randomBytes(32).toString('base64url')}`;
  const auth = { authorization: `Bearer ${key}` };
  const cpuList = cpus();
  const missing = SERVE_NODE_ARGS.filter((a) => !process.execArgv.includes(a));
  if (missing.length > 0) console.log(`note: node runs without ${missing.join(' ')}, which triage serve has; the figures will not be those of npm run bench`);
  console.log(`http: ${ROUNDS} round(s) of ${DURATION} s x ${CONNECTIONS} connections per target (warm-up ${WARMUP} s), ${cpuList.length} x ${cpuList[0]?.model ?? 'unknown'}, node ${process.version}`);

  // All servers stay up for the whole run, so the rounds can interleave the targets:
  // a burst of noise from a neighbour on a shared machine then hits all of them alike.
  const echo = await startEcho();
  const evalServer = await startTriage(join(dir, 'evaluate'), key);
  const ingestServer = await startTriage(join(dir, 'ingest'), key);
  const normalServer = await startTriage(join(dir, 'ingest-normal'), key);
  const batchServer = await startTriage(join(dir, 'ingest-batch'), key);
  const servers = [evalServer, ingestServer, normalServer, batchServer];
  const run = Date.now().toString(36);
  let synchronous = 'unknown';
  const targets: Target[] = [];
  try {
    synchronous = await sqliteSynchronous(ingestServer.db);
    // The same server without the fsync at commit (the pool has one connection, so the pragma sticks): what
    // durability against power loss, not only against a crash of the process, costs. Not part of the targets.
    await normalServer.db.raw('pragma synchronous = NORMAL');
    check((await sqliteSynchronous(normalServer.db)) === 'NORMAL', 'ingest-normal: could not set synchronous=NORMAL');

    const probe = await fetch(`${evalServer.url}/v1/evaluate`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: EVALUATE_BODY });
    const decision = (await probe.json()) as { changes?: Record<string, unknown> };
    check(probe.status === 200 && decision.changes?.category === 'invoice' && decision.changes.team === 'finance', `evaluate: unexpected answer ${probe.status} ${JSON.stringify(decision)}`);

    targets.push(
      { name: 'echo', route: 'POST /echo (plain Fastify, returns the body)', spec: { url: echo.url, path: '/echo', method: 'POST', body: EVALUATE_BODY }, runs: [], cpuMicrosPerRequest: [] },
      { name: 'evaluate', route: 'POST /v1/evaluate (shipped rules)', spec: { url: evalServer.url, path: '/v1/evaluate', method: 'POST', headers: auth, body: EVALUATE_BODY }, runs: [], cpuMicrosPerRequest: [] },
      {
        name: 'ingest',
        route: `POST /v1/tickets (SQLite WAL, synchronous=${synchronous} and group commit as shipped, outbox worker running, unique externalId per request)`,
        spec: { url: ingestServer.url, path: '/v1/tickets', method: 'POST', headers: auth, body: TICKET_BODY },
        idPrefix: `i-${run}`,
        runs: [],
        cpuMicrosPerRequest: [],
      },
      {
        name: 'ingest-normal',
        route: 'POST /v1/tickets (SQLite WAL, synchronous=NORMAL: commits not fsynced, may be lost on power loss)',
        spec: { url: normalServer.url, path: '/v1/tickets', method: 'POST', headers: auth, body: TICKET_BODY },
        idPrefix: `f-${run}`,
        runs: [],
        cpuMicrosPerRequest: [],
      },
      {
        name: 'ingest-batch',
        route: `POST /v1/tickets/batch (${BATCH_SIZE} tickets per request, otherwise as the ingest target)`,
        spec: { url: batchServer.url, path: '/v1/tickets/batch', method: 'POST', headers: auth, body: TICKET_BATCH_BODY, batch: true },
        idPrefix: `b-${run}`,
        runs: [],
        cpuMicrosPerRequest: [],
      },
    );
    if (ONLY !== undefined) targets.splice(0, targets.length, ...targets.filter((t) => t.name === 'echo' || ONLY.includes(t.name)));
    const profiler = PROFILE_DIR === undefined ? undefined : new Session();
    if (profiler !== undefined) {
      mkdirSync(PROFILE_DIR ?? '.', { recursive: true });
      profiler.connect();
      await profiler.post('Profiler.enable');
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) {
        // Warm-up (discarded): JIT, connection set-up, SQLite page cache.
        if (round === 0 && WARMUP > 0) await runLoad({ ...t.spec, idPrefix: `${t.idPrefix ?? 'x'}-warmup`, durationSeconds: WARMUP, connections: CONNECTIONS });
        if (profiler !== undefined) await profiler.post('Profiler.start');
        const cpuBefore = process.cpuUsage();
        const loopBefore = eventLoopCpuMicros();
        const r = await runLoad({ ...t.spec, idPrefix: `${t.idPrefix ?? 'x'}-r${round}`, durationSeconds: DURATION, connections: CONNECTIONS });
        const cpu = process.cpuUsage(cpuBefore);
        const loopAfter = eventLoopCpuMicros();
        t.cpuMicrosPerRequest.push(Math.round((cpu.user + cpu.system) / Math.max(1, r.requests)));
        if (loopBefore !== undefined && loopAfter !== undefined) (t.eventLoopCpuMicrosPerRequest ??= []).push(Math.round((loopAfter - loopBefore) / Math.max(1, r.requests)));
        if (profiler !== undefined) {
          const { profile } = await profiler.post('Profiler.stop');
          writeFileSync(join(PROFILE_DIR ?? '.', `${t.name}-r${round}.cpuprofile`), JSON.stringify(profile));
        }
        t.runs.push(r);
        // The outbox work a run left behind must not run during the next target's measurement (echo shares this process).
        const settleStarted = performance.now();
        await outboxIdle(servers);
        const settleMs = Math.round(performance.now() - settleStarted);
        (t.outboxDrainMs ??= []).push(settleMs);
        console.log(
          `${t.name.padEnd(12)} round ${round + 1}: ${String(r.requestsPerSecond).padStart(6)} req/s   p50 ${String(r.latencyMs.p50).padStart(3)} ms   p99 ${String(r.latencyMs.p99).padStart(4)} ms   ${r.requests} responses, non-2xx ${r.non2xx}, errors ${r.errors}, server CPU ${t.cpuMicrosPerRequest[round] ?? 0} µs/request (event loop ${t.eventLoopCpuMicrosPerRequest?.[round] ?? '?'}), load generator CPU ${Math.round(((r.cpuSeconds ?? 0) * 1e6) / Math.max(1, r.requests))} µs/request, outbox idle ${settleMs} ms after`,
        );
      }
    }
  } finally {
    // Graceful: waits for the requests still in flight when a run stopped, so the tables are final afterwards.
    await echo.close();
    for (const s of servers) await s.close();
  }

  if (ONLY !== undefined || PROFILE_DIR !== undefined) {
    // A profiling run: figures for the eye only, nothing recorded.
    const echoRun = targets.find((t) => t.name === 'echo');
    for (const t of targets) {
      const m = summary(t);
      const perRequest = t.spec.batch === true ? BATCH_SIZE : 1;
      const r =
        echoRun === undefined || t === echoRun
          ? ''
          : `   ratio to echo ${perRequest === 1 ? pairedRatio(t, echoRun).ratio : `${median(t.runs.map((run, i) => ratio(run.requestsPerSecond * perRequest, echoRun.runs[i]?.requestsPerSecond ?? 0)))} (tickets/s)`}`;
      console.log(`${t.name.padEnd(12)} median ${m.requestsPerSecond} req/s, ${m.cpuMicrosPerRequest} µs CPU/request, non-2xx ${m.non2xx}, errors ${m.errors}${r}`);
    }
    if (PROFILE_DIR !== undefined) console.log(`profiles in ${PROFILE_DIR}`);
    await rm(dir, { recursive: true, force: true });
    return;
  }
  const [echoT, evalT, ingestT, normalT, batchT] = targets;
  if (!echoT || !evalT || !ingestT || !normalT || !batchT) throw new Error('targets missing');
  for (const t of targets) {
    const m = summary(t);
    check(m.non2xx === 0 && m.errors === 0, `${t.name}: ${m.non2xx} non-2xx ${JSON.stringify(m.statusCodes)}, ${m.errors} errors`);
  }
  const ingestCheck = await checkIngest(ingestT, join(dir, 'ingest', 'triage.db'));
  const normalCheck = await checkIngest(normalT, join(dir, 'ingest-normal', 'triage.db'));
  const batchCheck = await checkIngest(batchT, join(dir, 'ingest-batch', 'triage.db'));
  for (const [t, c, perRequest] of [[ingestT, ingestCheck, 1], [normalT, normalCheck, 1], [batchT, batchCheck, BATCH_SIZE]] as const) {
    const ok2xx = t.runs.reduce((n, r) => n + r.ok2xx, 0);
    // A batch answers 200 for the request; every one of its tickets must have been acknowledged too.
    check(c.acknowledged === ok2xx * perRequest, `${t.name}: tracked ${c.acknowledged} acknowledged tickets but autocannon counted ${ok2xx} 2xx × ${perRequest}`);
    check(c.missing.length === 0, `${t.name}: ${c.missing.length} acknowledged tickets are not in the database (e.g. ${c.missing.slice(0, 3).join(', ')})`);
    check(c.stored >= c.acknowledged && c.stored <= c.sent * perRequest, `${t.name}: ${c.stored} tickets stored for ${c.acknowledged} acknowledged and ${c.sent} requests sent`);
  }

  const echoM = summary(echoT);
  const evalM = summary(evalT);
  const ingestM = summary(ingestT);
  const normalM = summary(normalT);
  const evalRatio = pairedRatio(evalT, echoT);
  const ingestRatio = pairedRatio(ingestT, echoT);
  const normalRatio = pairedRatio(normalT, echoT);
  const batchM = summary(batchT);
  // Tickets per second over echo's requests per second, per round: what an integrator that batches gets. Sustained:
  // the outbox work a batch run leaves behind (its worker cannot keep up with that rate) counts as time of the run.
  const sustainedTicketsPerSecond = (r: LoadResult, i: number): number => {
    const drainSeconds = (batchT.outboxDrainMs?.[i] ?? 0) / 1000;
    return Math.round((r.ok2xx * BATCH_SIZE) / (r.durationSeconds + drainSeconds));
  };
  const batchPerRound = batchT.runs.map((r, i) => ratio(sustainedTicketsPerSecond(r, i), echoT.runs[i]?.requestsPerSecond ?? 0));
  const ratios = {
    evaluateToEcho: evalRatio.ratio,
    ingestToEcho: ingestRatio.ratio,
    ingestNormalSyncToEcho: normalRatio.ratio,
    ingestBatchTicketsToEcho: median(batchPerRound),
    perRound: { evaluateToEcho: evalRatio.perRound, ingestToEcho: ingestRatio.perRound, ingestNormalSyncToEcho: normalRatio.perRound, ingestBatchTicketsToEcho: batchPerRound },
    method: 'per round, target req/s over echo req/s of the same round; the median over the rounds',
    // The same comparison in server CPU per request (echo's over the target's): what the ratio would be if
    // the server's thread were the only limit, and steadier than req/s when other processes share the cores.
    cpuCostEchoOverTarget: {
      evaluate: ratio(echoM.cpuMicrosPerRequest, evalM.cpuMicrosPerRequest),
      ingest: ratio(echoM.cpuMicrosPerRequest, ingestM.cpuMicrosPerRequest),
      ingestNormalSync: ratio(echoM.cpuMicrosPerRequest, normalM.cpuMicrosPerRequest),
      ingestBatchPerTicket: ratio(echoM.cpuMicrosPerRequest * BATCH_SIZE, batchM.cpuMicrosPerRequest),
    },
    targets: { evaluateToEcho: TARGETS.evaluate, ingestToEcho: TARGETS.ingest },
    // The medians before rounding, which decide `met`.
    unrounded: { evaluateToEcho: evalRatio.unrounded, ingestToEcho: ingestRatio.unrounded },
  };
  const met = { evaluate: evalRatio.unrounded >= TARGETS.evaluate, ingest: ingestRatio.unrounded >= TARGETS.ingest };
  const ingestDetails = (c: typeof ingestCheck): Record<string, number> => ({ acknowledged: c.acknowledged, ticketsStored: c.stored, acknowledgedButMissing: c.missing.length });
  const result = {
    name: 'http',
    date: new Date().toISOString(),
    node: process.version,
    measuredAt: new Date().toISOString(),
    machine: describeMachine(),
    durationSeconds: DURATION,
    connections: CONNECTIONS,
    warmupSeconds: WARMUP,
    rounds: ROUNDS,
    nodeArgs: process.execArgv,
    loadGenerator: 'autocannon 8 in a child process, pipelining 1, loopback; targets take turns in every round; figures of the median round',
    echo: echoM,
    evaluate: evalM,
    ingest: { ...ingestM, ...ingestDetails(ingestCheck), outboxDrainMs: ingestT.outboxDrainMs ?? [] },
    ingestNormalSync: { ...normalM, ...ingestDetails(normalCheck) },
    ingestBatch: {
      ...batchM,
      ...ingestDetails(batchCheck),
      ticketsPerRequest: BATCH_SIZE,
      // While requests are answered; the outbox then needs outboxDrainMs more for the actions of those tickets.
      ticketsPerSecond: batchM.requestsPerSecond * BATCH_SIZE,
      outboxDrainMs: batchT.outboxDrainMs ?? [],
      // Over the run and the drain after it: the rate the whole server keeps up (this is what the ratio uses).
      sustainedTicketsPerSecond: median(batchT.runs.map(sustainedTicketsPerSecond)),
    },
    ratios: { ...ratios, met },
    correct: problems.length === 0,
  };
  const resultsDir = join(packageRoot(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'http.json'), `${JSON.stringify(result, null, 2)}\n`);
  await rm(dir, { recursive: true, force: true });

  const row = (name: string, m: Measured): string =>
    `${name.padEnd(22)} ${String(m.requestsPerSecond).padStart(8)} ${String(m.bestRequestsPerSecond).padStart(8)} ${String(m.latencyMs.p50).padStart(6)} ${String(m.latencyMs.p99).padStart(6)}`;
  console.log(`${'target'.padEnd(22)} ${'median/s'.padStart(8)} ${'best/s'.padStart(8)} ${'p50 ms'.padStart(6)} ${'p99 ms'.padStart(6)}`);
  console.log(row('echo', echoM));
  console.log(row('evaluate', evalM));
  console.log(row(`ingest (sync=${synchronous})`, ingestM));
  console.log(row('ingest (sync=NORMAL)', normalM));
  console.log(row(`ingest (batch of ${BATCH_SIZE})`, batchM));
  console.log(`tickets: ${ingestCheck.acknowledged} + ${normalCheck.acknowledged} + ${batchCheck.acknowledged} acknowledged, all stored (${ingestCheck.stored} + ${normalCheck.stored} + ${batchCheck.stored} in the databases)`);
  console.log(
    `ratios: evaluate/echo ${evalRatio.unrounded.toFixed(4)} (target ≥ ${TARGETS.evaluate}${met.evaluate ? ', met' : ', NOT MET'}), ingest/echo ${ingestRatio.unrounded.toFixed(4)} (target ≥ ${TARGETS.ingest}${met.ingest ? ', met' : ', NOT MET'}), ingest with synchronous=NORMAL/echo ${ratios.ingestNormalSyncToEcho}, batch ingest tickets/s over echo req/s ${ratios.ingestBatchTicketsToEcho}`,
  );
  failOnProblems(problems);
}

runBench(main);
