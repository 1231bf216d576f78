/**
 * Evaluation benchmark: json-rules-engine used the straightforward way versus
 * our compiled conditions, over the same seeded rules and tickets, in the same
 * process. It first proves both fire exactly the same rules for every ticket
 * (exit 1 otherwise), then times each side a few times and keeps the best run,
 * because the machine is shared and noisy. Writes bench/results/evaluate.json.
 *
 *   npm run bench          (build, then node dist/bench/evaluate-bench.js)
 *   BENCH_TICKETS=2000 BENCH_RUNS=2 node dist/bench/evaluate-bench.js
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, type RuleProperties } from 'json-rules-engine';
import { compileCondition, type CompiledCondition } from '../rules/lib/compile-condition.js';
import { operators, type CompiledPredicate, type OperatorContext } from '../rules/lib/operators.js';
import type { Facts } from '../rules/lib/rule-types.js';
import { generateWorkload, toJsonPathCondition, type WorkloadRule } from './generate-workload.js';
import { describeMachine } from './describe-machine.js';
import { runBench } from './run-bench.js';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 10_000);
const RULES = Number(process.env.BENCH_RULES ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CANDIDATE_RUNS = Number(process.env.BENCH_CANDIDATE_RUNS ?? 7);
const WARMUP_TICKETS = Math.min(1_000, TICKETS);

interface Baseline {
  run(facts: Facts): Promise<string[]>;
}

/**
 * json-rules-engine as a team would first wire it: one shared Engine, default
 * options (its JSONPath path resolver, `$.x` paths), the rule id carried in the
 * rule's event, a `success` listener collecting them, `await engine.run()` per
 * ticket. Our operators are registered with addOperator; each keeps the
 * predicate it compiled per distinct value (json-rules-engine clones the
 * conditions on every run, so a value is only recognisable by content), so the
 * baseline pays for the engine, not for re-compiling keyword lists or regexes.
 */
function createBaseline(rules: readonly WorkloadRule[], ctx: OperatorContext): Baseline {
  const engine = new Engine();
  let current: Facts | undefined;
  for (const def of operators.values()) {
    if (def.origin === 'json-rules-engine') continue;
    const compiled = new Map<string, CompiledPredicate>();
    engine.addOperator(def.name, (factValue: unknown, jsonValue: unknown) => {
      const key = JSON.stringify(jsonValue);
      let predicate = compiled.get(key);
      if (predicate === undefined) {
        predicate = def.compile(jsonValue, ctx);
        compiled.set(key, predicate);
      }
      // An operator gets no almanac, so the current run's facts are passed through a
      // variable (runs are sequential): `now` for the date operators, and the
      // per-evaluation text memo, which makes the baseline faster, not slower.
      return predicate(factValue, current);
    });
  }
  for (const rule of rules) {
    engine.addRule({ conditions: toJsonPathCondition(rule.when), event: { type: 'rule-fired', params: { ruleId: rule.id } }, name: rule.id } as RuleProperties);
  }
  let fired: string[] = [];
  engine.on('success', (event) => {
    fired.push((event.params as { ruleId: string }).ruleId);
  });
  return {
    async run(facts) {
      fired = [];
      // A fresh object per run, so the text memo starts cold on every run, as on the compiled side.
      current = { ...facts };
      await engine.run({ ticket: facts.ticket, message: facts.message, customer: facts.customer, sla: facts.sla, now: facts.now });
      return fired;
    },
  };
}

interface CompiledRuleForBench {
  id: string;
  condition: CompiledCondition;
}

function candidateFired(rules: readonly CompiledRuleForBench[], facts: Facts): string[] {
  const fired: string[] = [];
  for (const r of rules) if (r.condition.test(facts)) fired.push(r.id);
  return fired;
}

/** The part the lead's evaluator adds per ticket: a private working copy of the facts and the list of fired rules. */
function candidateWithBookkeeping(rules: readonly CompiledRuleForBench[], facts: Facts): number {
  const ticket = { ...facts.ticket, tags: Array.isArray(facts.ticket.tags) ? [...(facts.ticket.tags as unknown[])] : [] };
  const working: Facts = { ticket, message: facts.message, customer: facts.customer, sla: facts.sla, now: facts.now };
  const fired: string[] = [];
  for (const r of rules) if (r.condition.test(working)) fired.push(r.id);
  return fired.length;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** The directory holding package.json: the bench runs from dist/bench/ (built) or bench/ (tsx), results belong in the source tree. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

async function main(): Promise<void> {
  const workload = generateWorkload({ rules: RULES, tickets: TICKETS });
  const ctx: OperatorContext = { lists: workload.lists };
  const baseline = createBaseline(workload.rules, ctx);
  const compileStart = performance.now();
  const compiled: CompiledRuleForBench[] = workload.rules.map((r) => ({ id: r.id, condition: compileCondition(r.when, ctx) }));
  const compileMs = performance.now() - compileStart;
  const tickets = workload.tickets;

  // 1. Agreement: every ticket, every rule. This pass doubles as the baseline's warm-up.
  let firedTotal = 0;
  for (let i = 0; i < tickets.length; i++) {
    const facts = tickets[i] as Facts;
    const expected = await baseline.run(facts);
    const actual = candidateFired(compiled, facts);
    if (!sameSet(expected, actual)) {
      console.error(`Disagreement on ticket #${i} (${String(facts.ticket.id)}):\n  json-rules-engine: ${expected.join(', ')}\n  compiled:          ${actual.join(', ')}`);
      process.exit(1);
    }
    firedTotal += actual.length;
  }
  const hitRate = firedTotal / tickets.length;

  // 2. Baseline timing.
  const baselineTimes: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    for (const facts of tickets) await baseline.run(facts);
    baselineTimes.push(performance.now() - t0);
  }

  // 3. Candidate timing: warm up, then several runs (it is fast, so more of them).
  let sink = 0;
  for (let i = 0; i < WARMUP_TICKETS * 5; i++) sink += candidateFired(compiled, tickets[i % tickets.length] as Facts).length;
  const candidateTimes: number[] = [];
  const bookkeepingTimes: number[] = [];
  for (let run = 0; run < CANDIDATE_RUNS; run++) {
    // A fresh facts object per evaluation, as in production: the per-evaluation
    // text memo starts cold and becomes garbage right after the ticket.
    const t0 = performance.now();
    for (const facts of tickets) sink += candidateFired(compiled, { ...facts }).length;
    candidateTimes.push(performance.now() - t0);
    const t1 = performance.now();
    for (const facts of tickets) sink += candidateWithBookkeeping(compiled, facts);
    bookkeepingTimes.push(performance.now() - t1);
  }

  const perSecond = (ms: number): number => Math.round((tickets.length / ms) * 1000);
  const baselineBest = perSecond(Math.min(...baselineTimes));
  const candidateBest = perSecond(Math.min(...candidateTimes));
  const bookkeepingBest = perSecond(Math.min(...bookkeepingTimes));
  const ratio = Math.round((candidateBest / baselineBest) * 10) / 10;
  const result = {
    name: 'evaluate',
    date: new Date().toISOString(),
    node: process.version,
    measuredAt: new Date().toISOString(),
    machine: describeMachine(),
    tickets: tickets.length,
    rules: workload.rules.length,
    baseline: {
      name: 'json-rules-engine 7 (one shared Engine, default options, JSONPath paths, await run() per ticket)',
      ticketsPerSecond: baselineBest,
      medianTicketsPerSecond: perSecond(median(baselineTimes)),
      runs: baselineTimes.length,
    },
    candidate: {
      name: 'compiled conditions (CompiledCondition.test over all rules per ticket)',
      ticketsPerSecond: candidateBest,
      medianTicketsPerSecond: perSecond(median(candidateTimes)),
      runs: candidateTimes.length,
      withBookkeepingTicketsPerSecond: bookkeepingBest,
      compileMs: Math.round(compileMs * 10) / 10,
    },
    ratio,
    medianRatio: Math.round((perSecond(median(candidateTimes)) / perSecond(median(baselineTimes))) * 10) / 10,
    firedRulesPerTicket: Math.round(hitRate * 100) / 100,
    agreement: true,
  };

  const resultsDir = join(packageRoot(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'evaluate.json'), `${JSON.stringify(result, null, 2)}\n`);

  const row = (name: string, tps: number, median: number): string => `${name.padEnd(34)} ${String(tps).padStart(12)} ${String(median).padStart(12)}`;
  console.log(`evaluate: ${result.tickets} tickets x ${result.rules} rules, ${result.machine.cpus} x ${result.machine.model}, node ${result.node}`);
  console.log(`agreement: identical fired rules on every ticket (${result.firedRulesPerTicket} per ticket on average)`);
  console.log(`${'side'.padEnd(34)} ${'best t/s'.padStart(12)} ${'median t/s'.padStart(12)}`);
  console.log(row('json-rules-engine (baseline)', baselineBest, result.baseline.medianTicketsPerSecond));
  console.log(row('compiled test() (candidate)', candidateBest, result.candidate.medianTicketsPerSecond));
  console.log(row('compiled + working copy per ticket', bookkeepingBest, perSecond(median(bookkeepingTimes))));
  console.log(`ratio: ${ratio}x (best vs best), ${result.medianRatio}x (median vs median); compile ${result.candidate.compileMs} ms`);
  if (sink < 0) console.log(sink); // keeps the timed loops observable
}

runBench(main);
