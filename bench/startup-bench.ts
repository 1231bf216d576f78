/**
 * Start-up and idle-memory benchmark: the real `triage serve` process against
 * a bare Fastify server (bench/hello-server.ts) spawned from the same node in
 * the same run, so the ratios travel across machines.
 *
 *   start-up   spawn → GET /readyz answers 200, median of RUNS runs each of:
 *              hello (bare Fastify), triage with the shipped rules, triage with a
 *              500-rule set (the shipped rules plus generated ones, written the
 *              way process owners write them: bench/generate-workload.ts), all on
 *              an existing SQLite database (a restart), and the 500-rule set on a
 *              new database (first start: migrations included). The kinds take
 *              turns within every run, so a noisy spell of the shared machine hits
 *              them alike.
 *   idle RSS   resident memory of `triage serve` with the shipped rules once it is
 *              ready and has settled, and again after a small warm-up (evaluate
 *              requests and ticket creates), against the bare Fastify server after
 *              the same settling and an echo warm-up; median of RSS_RUNS runs.
 *
 * Both servers run as shipped (outbox worker, SLA sweeper, rule watcher);
 * only the log level is `warn`, so the pipe to this process is not measured.
 * Writes bench/results/startup.json. No target is set for either figure (the
 * issue asks for them to be measured); the ratios say what triage adds.
 *
 *   npm run bench
 *   BENCH_STARTUP_RUNS=3 BENCH_RSS_RUNS=1 BENCH_RSS_SETTLE_MS=500 node dist/bench/startup-bench.js
 *   (defaults: 7 start-up runs, 3 RSS runs, 2000 ms settle, 1000 evaluates + 200 tickets warm-up, 500 rules)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { packageRoot } from '../engine/runtime/package-root.js';
import { loadRuleSet } from '../rules/lib/load-rule-set.js';
import { describeMachine } from './describe-machine.js';
import { createRng, generateRule, type Rng } from './generate-workload.js';
import { HELLO_SERVER, rssMiB, spawnServer, TRIAGE_BIN, type SpawnedServer } from './serve-process.js';
import { SERVE_NODE_ARGS } from '../engine/server/serve-node-args.js';
import { runBench } from './run-bench.js';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 7);
const RULES = Number(process.env.BENCH_STARTUP_RULES ?? 500);
const RSS_RUNS = Number(process.env.BENCH_RSS_RUNS ?? 3);
const SETTLE_MS = Number(process.env.BENCH_RSS_SETTLE_MS ?? 2000);
const WARMUP_EVALUATES = Number(process.env.BENCH_RSS_WARMUP_EVALUATES ?? 1000);
const WARMUP_TICKETS = Number(process.env.BENCH_RSS_WARMUP_TICKETS ?? 200);
/** Requests in flight during the warm-up. */
const WARMUP_CONCURRENCY = 10;

const EVALUATE_BODY = JSON.stringify({
  ticket: { subject: 'Faktura VAT 12/2026 – prośba o korektę', channel: 'email', mailbox: 'office@example.pl' },
  message: { text: 'Dzień dobry, w fakturze 12/2026 jest błędny NIP. Proszę o korektę. Pozdrawiam, Jan Kowalski' },
  customer: { segment: 'standard', arrShare: 0.01 },
});

const TEAMS = ['finance', 'service', 'sales', 'logistics', 'key-accounts', 'it'] as const;
const CATEGORIES = ['inquiry', 'service', 'complaint', 'data-change', 'invoice', 'other'] as const;
const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
const TAGS = ['finance', 'vip', 'logistics', 'returns', 'outage', 'contract', 'pricing', 'warranty'] as const;

/** The actions of a generated rule: what real rules do (categorize, route, prioritize, tag). */
function generateActions(rng: Rng): unknown[] {
  const actions: unknown[] = [];
  const set: Record<string, string> = {};
  if (rng.chance(0.5)) set.category = rng.pick(CATEGORIES);
  if (rng.chance(0.5)) set.team = rng.pick(TEAMS);
  if (rng.chance(0.3)) set.priority = rng.pick(PRIORITIES);
  if (Object.keys(set).length > 0) actions.push({ set });
  if (actions.length === 0 || rng.chance(0.4)) actions.push({ tag: rng.pick(TAGS) });
  return actions;
}

/** The workload's conditions, with its SLA path spelled as the `sla` fact really has it (docs/rule-language.md). */
function toRuleFileCondition(when: unknown): unknown {
  return JSON.parse(JSON.stringify(when).replaceAll('"path":"percentElapsed"', '"path":"firstResponse.percent"'));
}

/**
 * A rule folder of `total` rules: a copy of the shipped rule set (settings,
 * lists, SLA policy and all) plus generated rules in files of 50, so loading it
 * exercises everything a real start-up does (parse, schema, operator and path
 * checks, contradiction search, compile). A generated rule the checker proves
 * can never fire (random conditions sometimes contradict each other) is
 * replaced by another, as its author would have to.
 */
async function writeRuleSet(dir: string, total: number): Promise<{ rules: number; files: number; replaced: number }> {
  const shipped = join(packageRoot(), 'rules', 'default');
  await cp(shipped, dir, { recursive: true });
  const base = await loadRuleSet(dir);
  if (!base.ok) throw new Error(`shipped rules do not load: ${JSON.stringify(base.diagnostics.slice(0, 3))}`);
  const toGenerate = Math.max(0, total - base.ruleSet.rules.length);
  const rng = createRng(500_500);
  let serial = 0;
  const nextRule = (): { id: string } & Record<string, unknown> => {
    serial++;
    return {
      id: `bench-${String(serial).padStart(3, '0')}`,
      description: `Generated rule ${serial}`,
      on: rng.chance(0.8) ? ['ticket.created'] : ['ticket.created', 'message.received'],
      priority: rng.between(1, 89),
      when: toRuleFileCondition(generateRule(rng, serial).when),
      then: generateActions(rng),
    };
  };
  let rules = Array.from({ length: toGenerate }, nextRule);
  let replaced = 0;
  // The generated conditions use one named list; it lives in its own file like a team's shared lists would.
  await writeFile(join(dir, 'bench-lists.yaml'), stringify({ lists: { 'strategic-customers': ['acme sp. z o.o.', 'ŻABKA POLSKA', 'Bank Polski SA'] } }));
  const perFile = 50;
  for (let attempt = 0; ; attempt++) {
    for (let start = 0, file = 1; start < rules.length; start += perFile, file++) {
      await writeFile(join(dir, `bench-generated-${String(file).padStart(2, '0')}.yaml`), stringify({ rules: rules.slice(start, start + perFile) }));
    }
    const loaded = await loadRuleSet(dir);
    if (loaded.ok) return { rules: loaded.ruleSet.rules.length, files: loaded.ruleSet.files.length, replaced };
    const dead = new Set(loaded.diagnostics.map((d) => (d.code === 'TRIAGE_RULE_NEVER_FIRES' ? /rule "([^"]+)"/.exec(d.message)?.[1] : undefined)));
    if (attempt >= 5 || dead.has(undefined)) {
      throw new Error(`generated rule set does not load: ${loaded.diagnostics.slice(0, 5).map((d) => JSON.stringify(d)).join('\n')}`);
    }
    const kept = rules.filter((r) => !dead.has(r.id));
    replaced += rules.length - kept.length;
    rules = [...kept, ...Array.from({ length: rules.length - kept.length }, nextRule)];
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const mid = Math.floor(s.length / 2);
  const m = s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
  return Math.round(m * 10) / 10;
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : Math.round((a / b) * 100) / 100;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** RSS after the process has settled: the median of five samples 100 ms apart (GC and timers make single readings jumpy). */
async function settledRss(pid: number): Promise<number> {
  await sleep(SETTLE_MS);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const v = rssMiB(pid);
    if (v === undefined) throw new Error('cannot read the RSS of the server from /proc (this benchmark needs Linux)');
    samples.push(v);
    await sleep(100);
  }
  return median(samples);
}

/** `count` requests, WARMUP_CONCURRENCY at a time; every answer must be a 2xx. */
async function warmUp(count: number, request: (i: number) => Promise<Response>): Promise<void> {
  let next = 0;
  const failures: string[] = [];
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const r = await request(i);
      const body = await r.text();
      if (r.status < 200 || r.status >= 300) failures.push(`${r.status} ${body.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: WARMUP_CONCURRENCY }, lane));
  if (failures.length > 0) throw new Error(`warm-up: ${failures.length} failed requests, e.g. ${failures[0]}`);
}

interface Kind {
  name: string;
  what: string;
  start: (run: number) => Promise<SpawnedServer>;
  readyMs: number[];
  rssAtReadyMiB: number[];
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'triage-startup-bench-'));
  const key = `trg_${randomBytes(32).toString('base64url')}`;
  const machine = describeMachine();
  console.log(`startup: ${RUNS} start-up run(s), ${RSS_RUNS} RSS run(s), ${machine.cpus} x ${machine.model}, node ${machine.node}`);
  try {
    const shippedRules = join(packageRoot(), 'rules', 'default');
    const bigRules = join(dir, 'rules-500');
    const big = await writeRuleSet(bigRules, RULES);
    const shipped = await loadRuleSet(shippedRules);
    if (!shipped.ok) throw new Error('shipped rules do not load');
    console.log(`rule sets: shipped ${shipped.ruleSet.rules.length} rules in ${shipped.ruleSet.files.length} files; generated set ${big.rules} rules in ${big.files} files (${big.replaced} never-firing generated rules replaced)`);

    const triageEnv = (rules: string, sqlitePath: string): Record<string, string> => ({
      TRIAGE_RULES: rules,
      TRIAGE_SQLITE_PATH: sqlitePath,
      TRIAGE_BOOTSTRAP_KEY: key,
      TRIAGE_LOG_LEVEL: 'warn',
    });
    // The restarts reuse one migrated database; the first start makes it.
    const existingDb = join(dir, 'existing', 'triage.db');
    mkdirSync(join(dir, 'existing'), { recursive: true });
    const first = await spawnServer({ script: TRIAGE_BIN, args: ['serve'], nodeArgs: SERVE_NODE_ARGS, cwd: dir, env: triageEnv(shippedRules, existingDb) });
    await first.stop();

    const kinds: Kind[] = [
      { name: 'hello', what: 'bare Fastify (hello-server.js: /readyz + /echo, no logger, no plugins)', start: () => spawnServer({ script: HELLO_SERVER, cwd: dir }), readyMs: [], rssAtReadyMiB: [] },
      {
        name: 'shipped',
        what: `triage serve, shipped rules (${shipped.ruleSet.rules.length}), existing SQLite database`,
        start: () => spawnServer({ script: TRIAGE_BIN, args: ['serve'], nodeArgs: SERVE_NODE_ARGS, cwd: dir, env: triageEnv(shippedRules, existingDb) }),
        readyMs: [],
        rssAtReadyMiB: [],
      },
      {
        name: 'rules500',
        what: `triage serve, ${big.rules} rules (shipped + generated), existing SQLite database`,
        start: () => spawnServer({ script: TRIAGE_BIN, args: ['serve'], nodeArgs: SERVE_NODE_ARGS, cwd: dir, env: triageEnv(bigRules, existingDb) }),
        readyMs: [],
        rssAtReadyMiB: [],
      },
      {
        name: 'rules500FirstStart',
        what: `triage serve, ${big.rules} rules, new SQLite database (migrations included)`,
        start: (run) => {
          const fresh = join(dir, `fresh-${run}`);
          mkdirSync(fresh, { recursive: true });
          return spawnServer({ script: TRIAGE_BIN, args: ['serve'], nodeArgs: SERVE_NODE_ARGS, cwd: dir, env: triageEnv(bigRules, join(fresh, 'triage.db')) });
        },
        readyMs: [],
        rssAtReadyMiB: [],
      },
    ];
    // One discarded start of each kind: the first spawn pays for cold file caches.
    for (const k of kinds) await (await k.start(-1)).stop();
    for (let run = 0; run < RUNS; run++) {
      for (const k of kinds) {
        const s = await k.start(run);
        k.readyMs.push(s.readyMs);
        k.rssAtReadyMiB.push(rssMiB(s.pid) ?? 0);
        await s.stop();
      }
      console.log(`run ${run + 1}: ${kinds.map((k) => `${k.name} ${k.readyMs.at(-1)} ms`).join(', ')}`);
    }

    // Idle memory: the shipped configuration a new user starts, against bare Fastify.
    const rss = { triage: { ready: [] as number[], warm: [] as number[] }, hello: { ready: [] as number[], warm: [] as number[] } };
    for (let run = 0; run < RSS_RUNS; run++) {
      const hello = await spawnServer({ script: HELLO_SERVER, cwd: dir });
      try {
        rss.hello.ready.push(await settledRss(hello.pid));
        await warmUp(WARMUP_EVALUATES + WARMUP_TICKETS, () => fetch(`${hello.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: EVALUATE_BODY }));
        rss.hello.warm.push(await settledRss(hello.pid));
      } finally {
        await hello.stop();
      }
      const dbDir = join(dir, `rss-${run}`);
      mkdirSync(dbDir, { recursive: true });
      const triage = await spawnServer({ script: TRIAGE_BIN, args: ['serve'], nodeArgs: SERVE_NODE_ARGS, cwd: dir, env: triageEnv(shippedRules, join(dbDir, 'triage.db')) });
      try {
        rss.triage.ready.push(await settledRss(triage.pid));
        const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
        await warmUp(WARMUP_EVALUATES, () => fetch(`${triage.url}/v1/evaluate`, { method: 'POST', headers, body: EVALUATE_BODY }));
        await warmUp(WARMUP_TICKETS, (i) =>
          fetch(`${triage.url}/v1/tickets`, {
            method: 'POST',
            headers,
            body: JSON.stringify({
              externalId: `rss-${run}-${i}`,
              subject: 'Faktura VAT 12/2026 – prośba o korektę',
              channel: 'email',
              message: { from: 'jan.kowalski@kowalski-hurt.pl', text: 'Dzień dobry, w fakturze 12/2026 jest błędny NIP. Proszę o korektę.' },
            }),
          }),
        );
        rss.triage.warm.push(await settledRss(triage.pid));
      } finally {
        await triage.stop();
      }
      console.log(`rss run ${run + 1}: hello ${rss.hello.ready.at(-1)} → ${rss.hello.warm.at(-1)} MiB, triage ${rss.triage.ready.at(-1)} → ${rss.triage.warm.at(-1)} MiB`);
    }

    const byName = (n: string): Kind => {
      const k = kinds.find((x) => x.name === n);
      if (!k) throw new Error(`kind ${n} missing`);
      return k;
    };
    const summary = (k: Kind): Record<string, unknown> => ({
      what: k.what,
      medianMs: median(k.readyMs),
      minMs: Math.min(...k.readyMs),
      maxMs: Math.max(...k.readyMs),
      runsMs: k.readyMs,
      medianRssAtReadyMiB: median(k.rssAtReadyMiB),
    });
    const hello = byName('hello');
    const shippedKind = byName('shipped');
    const big500 = byName('rules500');
    const firstStart = byName('rules500FirstStart');
    const idle = {
      hello: { what: 'bare Fastify', afterStartMiB: median(rss.hello.ready), afterWarmupMiB: median(rss.hello.warm), runs: rss.hello },
      triage: { what: `triage serve, shipped rules, new SQLite database`, afterStartMiB: median(rss.triage.ready), afterWarmupMiB: median(rss.triage.warm), runs: rss.triage },
    };
    const result = {
      name: 'startup',
      measuredAt: new Date().toISOString(),
      machine: describeMachine(),
      runs: RUNS,
      method:
        'spawn(process.execPath, [script]) until GET /readyz answers 200 (polled every 5 ms), then SIGTERM; kinds take turns within each run; one discarded start per kind first; median over the runs',
      rules: { shipped: shipped.ruleSet.rules.length, total: big.rules, files: big.files, generatedReplaced: big.replaced },
      startup: {
        hello: summary(hello),
        shipped: summary(shippedKind),
        rules500: summary(big500),
        rules500FirstStart: summary(firstStart),
      },
      idleRss: {
        runs: RSS_RUNS,
        settleMs: SETTLE_MS,
        warmup: { evaluates: WARMUP_EVALUATES, tickets: WARMUP_TICKETS, concurrency: WARMUP_CONCURRENCY, helloEchoes: WARMUP_EVALUATES + WARMUP_TICKETS },
        method: 'VmRSS from /proc/<pid>/status after settling, median of 5 samples 100 ms apart; median over the runs',
        ...idle,
      },
      ratios: {
        rules500StartupToHello: ratio(median(big500.readyMs), median(hello.readyMs)),
        shippedStartupToHello: ratio(median(shippedKind.readyMs), median(hello.readyMs)),
        rules500ToShippedStartup: ratio(median(big500.readyMs), median(shippedKind.readyMs)),
        rules500FirstStartToHello: ratio(median(firstStart.readyMs), median(hello.readyMs)),
        idleRssToHello: ratio(idle.triage.afterStartMiB, idle.hello.afterStartMiB),
        warmRssToHello: ratio(idle.triage.afterWarmupMiB, idle.hello.afterWarmupMiB),
      },
    };
    const resultsDir = join(packageRoot(), 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'startup.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `start-up (median): hello ${median(hello.readyMs)} ms, shipped ${median(shippedKind.readyMs)} ms, ${big.rules} rules ${median(big500.readyMs)} ms (x${result.ratios.rules500StartupToHello} hello), first start ${median(firstStart.readyMs)} ms`,
    );
    console.log(
      `idle RSS: hello ${idle.hello.afterStartMiB} MiB (${idle.hello.afterWarmupMiB} warm), triage ${idle.triage.afterStartMiB} MiB (${idle.triage.afterWarmupMiB} warm), x${result.ratios.idleRssToHello} / x${result.ratios.warmRssToHello}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

runBench(main);
