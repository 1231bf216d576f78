/**
 * Differential test: json-rules-engine v7 is the reference semantics for its
 * condition trees and built-in operators. Seeded random tickets and condition
 * trees (nested all/any/not, missing facts and paths, null, numeric strings,
 * strings vs numbers, contains on non-arrays, in/notIn with array and string
 * values, fact-reference values) are evaluated by json-rules-engine and by our
 * compiled conditions, and test(), explain() and every leaf's result and fact
 * value must agree.
 *
 * json-rules-engine runs twice per ticket: with a plain dotted-path resolver
 * (what triage means by a path) and with its default JSONPath resolver on the
 * `$.`-prefixed equivalents (what existing json-rules-engine rule files mean),
 * so our paths are checked against both. Two deliberate differences from
 * JSONPath are excluded from the second comparison: we never read
 * __proto__ / constructor / prototype, and `x.length` of an empty string is 0
 * (jsonpath-plus stops at any falsy value on the way). Our own operators are registered on
 * the json-rules-engine side with their generic test(), which compares the
 * tree logic around them and test() against compile().
 */
import { Almanac, Engine, type PathResolver, type RuleProperties, type RuleResult } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { createRng, toJsonPathCondition, type Rng } from '../../bench/generate-workload.js';
import { compileCondition, type CompiledCondition } from './compile-condition.js';
import { operators, type OperatorContext } from './operators.js';
import type { ConditionTrace, Facts } from './rule-types.js';

const SEED = 0x7e57;
const BATCHES = 40;
const RULES_PER_BATCH = 30;
const TICKETS_PER_BATCH = 25;

const ctx: OperatorContext = { lists: new Map<string, (string | number)[]>([['vip', ['VIP', 'acme', 10, 'faktura']]]) };

const BUILT_INS = ['equal', 'notEqual', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive', 'in', 'notIn', 'contains', 'doesNotContain'];

// ------------------------------------------------------------ random data

const SCALARS: readonly unknown[] = [0, 1, 2, 10, -1, 3.5, '0', '1', '2', '10', '10abc', ' 5', '3.5', 'abc', '', 'vip', 'VIP', 'P1', true, false, null];
const TEXTS: readonly string[] = [
  'Prośba o FAKTURĘ',
  'AWARIA krytyczna systemu',
  'vip abc',
  'Re: fak 10',
  'jan@sub.acme.pl',
  'Jan <jan@globex.com>',
  '2025-03-05T10:00:00Z',
  '2025-03-10',
  'critical outage',
  'abc',
];

function scalar(rng: Rng): unknown {
  return rng.pick(SCALARS);
}

function leafValue(rng: Rng, depth: number): unknown {
  const r = rng.next();
  if (r < 0.45) return scalar(rng);
  if (r < 0.65) return rng.pick(TEXTS);
  if (r < 0.85 || depth >= 2) return Array.from({ length: rng.int(4) }, () => (rng.chance(0.7) ? scalar(rng) : rng.pick(TEXTS)));
  return { a: leafValue(rng, depth + 1), b: leafValue(rng, depth + 1) };
}

/** A fact object whose keys are each present or absent at random. */
function randomObject(rng: Rng, keys: Record<string, () => unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = rng.chance(0.05) ? (JSON.parse('{"__proto__": {"x": 1}, "constructor": 5}') as Record<string, unknown>) : {};
  for (const [k, make] of Object.entries(keys)) if (rng.chance(0.8)) o[k] = make();
  return o;
}

function maybeFact(rng: Rng, make: () => unknown): unknown {
  const r = rng.next();
  if (r < 0.15) return undefined;
  if (r < 0.2) return null;
  if (r < 0.25) return rng.pick(['ACME', 42, ['x']]);
  return make();
}

function randomFacts(rng: Rng): Facts {
  const ticket = randomObject(rng, {
    subject: () => (rng.chance(0.8) ? rng.pick(TEXTS) : scalar(rng)),
    priority: () => scalar(rng),
    count: () => scalar(rng),
    tags: () => (rng.chance(0.8) ? Array.from({ length: rng.int(4) }, () => scalar(rng)) : scalar(rng)),
    nested: () => (rng.chance(0.8) ? { a: { b: leafValue(rng, 1) }, list: [scalar(rng), scalar(rng)] } : scalar(rng)),
    status: () => scalar(rng),
    empty: () => rng.pick(['', [], {}, 0]),
    createdAt: () => rng.pick(['2025-03-01T00:00:00Z', '2025-03-10T11:45:00Z', 'garbage', 7]),
  });
  const message = maybeFact(rng, () =>
    randomObject(rng, {
      text: () => rng.pick(TEXTS),
      from: () => (rng.chance(0.7) ? { domain: rng.pick(['acme.pl', 'globex.com', '']), address: rng.pick(TEXTS) } : scalar(rng)),
      attachments: () => Array.from({ length: rng.int(3) }, () => ({ size: scalar(rng) })),
    }),
  );
  const customer = maybeFact(rng, () =>
    randomObject(rng, {
      segment: () => rng.pick(['enterprise', 'vip', 'VIP', 'standard', null]),
      arrShare: () => scalar(rng),
      tier: () => scalar(rng),
      tags: () => Array.from({ length: rng.int(3) }, () => scalar(rng)),
      name: () => rng.pick(['ACME', 'acme', 'Globex', 10, null]),
    }),
  );
  const sla = maybeFact(rng, () => randomObject(rng, { percent: () => scalar(rng), breached: () => rng.pick([true, false, 'true']) }));
  const now = rng.pick(['2025-03-10T12:00:00Z', '2025-03-02T00:00:00Z']);
  return { ticket, message, customer, sla, now } as Facts;
}

const PATHS: Record<string, readonly (string | undefined)[]> = {
  ticket: ['subject', 'priority', 'count', 'tags', 'tags.0', 'tags.1', 'tags.length', 'nested', 'nested.a', 'nested.a.b', 'nested.a.b.0', 'nested.list.1', 'nested.list.length', 'status', 'empty', 'missing', 'missing.deep', 'subject.length', 'subject.0', 'createdAt', 'constructor', '__proto__', '__proto__.x', 'tags.map', undefined],
  message: ['text', 'from', 'from.domain', 'from.address', 'attachments', 'attachments.length', 'attachments.0.size', 'x', undefined],
  customer: ['segment', 'arrShare', 'tier', 'tags', 'tags.0', 'name', 'nope', undefined],
  sla: ['percent', 'breached', undefined],
  now: [undefined, 'length'],
  unknownFact: [undefined, 'x'],
};
const FACT_NAMES = ['ticket', 'ticket', 'ticket', 'message', 'customer', 'customer', 'sla', 'now', 'unknownFact'];

function randomRef(rng: Rng): Record<string, unknown> {
  const fact = rng.pick(FACT_NAMES);
  const path = rng.pick(PATHS[fact] as (string | undefined)[]);
  return path === undefined ? { fact } : { fact, path: rng.chance(0.2) ? `$.${path}` : path };
}

/** Literal values our operators accept (check() passes), so compile() never throws. */
const CUSTOM_VALUES: Record<string, readonly unknown[]> = {
  containsAnyWord: [['faktur*', 'invoice'], ['awari*', 'vip'], ['abc'], ['10', 'p1']],
  containsAllWords: [['faktur*', 'prosba'], ['vip', 'abc'], ['awaria']],
  notContainsAnyWord: [['vip'], ['faktur*', 'abc']],
  containsAnyPhrase: [['awaria krytyczna'], ['awari* krytyczn*', 'critical outage'], ['vip abc']],
  startsWith: ['fak', 'PROŚ', 'v', '1'],
  endsWith: ['abc', 'pl', 'Z'],
  domainIn: [['acme.pl'], ['globex.com', 'example.org']],
  domainNotIn: [['acme.pl'], ['globex.com']],
  matchesRegex: ['^fak', { pattern: 'VIP', flags: 'i' }, '\\d+', '^$'],
  notMatchesRegex: ['^fak', { pattern: 'vip', flags: 'i' }],
  inList: ['vip'],
  notInList: ['vip'],
  containsAny: [['vip'], ['vip', 'P1'], [10, 'abc']],
  containsAll: [['vip'], ['vip', 'P1']],
  between: [[0, 5], [1, 10], [-1, 2]],
  exists: [true, false],
  isEmpty: [true, false],
  before: ['2025-03-05', '2025-03-10T12:00:00Z'],
  after: ['2025-03-05', '2025-03-10T11:00:00Z'],
  olderThan: ['1d', '30m', '2w'],
  newerThan: ['1d', '30m', '2w'],
};
const CUSTOM_OPERATORS = Object.keys(CUSTOM_VALUES);

function builtInValue(rng: Rng, op: string): unknown {
  if (op === 'in' || op === 'notIn') {
    const r = rng.next();
    if (r < 0.8) return Array.from({ length: rng.int(5) }, () => scalar(rng));
    if (r < 0.97) return rng.pick(['abc vip P1 10', 'VIP', '']);
    return 5; // json-rules-engine throws on this; such tickets are skipped and counted
  }
  if (op.startsWith('less') || op.startsWith('greater')) return rng.chance(0.8) ? rng.pick([0, 1, 2, 5, 10, -1, 3.5]) : rng.pick(['10', '5', 'abc', null]);
  return scalar(rng);
}

function randomLeaf(rng: Rng): Record<string, unknown> {
  const fact = rng.pick(FACT_NAMES);
  const rawPath = rng.pick(PATHS[fact] as (string | undefined)[]);
  const custom = rng.chance(0.3);
  const operator = custom ? rng.pick(CUSTOM_OPERATORS) : rng.pick(BUILT_INS);
  const value = rng.chance(0.15) ? randomRef(rng) : custom ? rng.pick(CUSTOM_VALUES[operator] as unknown[]) : builtInValue(rng, operator);
  const leaf: Record<string, unknown> = { fact, operator, value };
  if (rawPath !== undefined) leaf.path = rng.chance(0.2) ? `$.${rawPath}` : rawPath;
  return leaf;
}

function randomCondition(rng: Rng, depth: number): unknown {
  const r = rng.next();
  if (depth < 3 && r < 0.35) return { [rng.pick(['all', 'any'])]: Array.from({ length: rng.int(5) }, () => randomCondition(rng, depth + 1)) };
  if (depth < 3 && r < 0.45) return { not: randomCondition(rng, depth + 1) };
  return randomLeaf(rng);
}

/** json-rules-engine needs a boolean root. */
function randomRoot(rng: Rng): unknown {
  const c = randomCondition(rng, 0);
  const isBoolean = c !== null && typeof c === 'object' && ('all' in c || 'any' in c || 'not' in c);
  return isBoolean ? c : { [rng.pick(['all', 'any'])]: [c] };
}

// ------------------------------------------------------------ the two sides

/** triage's meaning of a path, written independently of dotted-path.ts. */
function plainDottedResolver(value: object, path: string): unknown {
  let v: unknown = value;
  for (const key of path.replace(/^\$\./, '').split('.')) {
    if (v === null || v === undefined || (typeof v !== 'object' && typeof v !== 'string')) return undefined;
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') return undefined;
    if (!Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * Whether a condition uses __proto__ / constructor / prototype in a path. We
 * refuse those deliberately; JSONPath reads them when they are own keys (as
 * JSON.parse makes them), so such rules are compared on the dotted side only.
 */
function usesForbiddenKey(condition: unknown): boolean {
  return /"path":"[^"]*\b(?:__proto__|constructor|prototype)\b/.test(JSON.stringify(condition));
}

/** Whether resolving `path` steps on an empty string before its last key (where JSONPath gives up). */
function walksThroughEmptyString(value: unknown, path: string): boolean {
  let v: unknown = value;
  for (const key of path.replace(/^\$\./, '').split('.')) {
    if (v === '') return true;
    v = plainDottedResolver({ v }, `v.${key}`);
  }
  return false;
}

/** json-rules-engine's default (jsonpath-plus) resolver, as a fresh Almanac carries it. */
const jsonPathResolver = (new Almanac() as unknown as { pathResolver: PathResolver }).pathResolver;

interface LeafOutcome {
  result: unknown;
  factResult: unknown;
}

/** Leaf results in document order from json-rules-engine's rule result. */
function jreLeaves(node: unknown, out: LeafOutcome[]): void {
  const c = node as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(c, 'any')) for (const child of c.any as unknown[]) jreLeaves(child, out);
  else if (Object.prototype.hasOwnProperty.call(c, 'all')) for (const child of c.all as unknown[]) jreLeaves(child, out);
  else if (Object.prototype.hasOwnProperty.call(c, 'not')) jreLeaves(c.not, out);
  else out.push({ result: c.result, factResult: c.factResult });
}

interface JreSide {
  /** Rule results by rule id, or undefined when json-rules-engine threw (or hit a JSONPath quirk) for this ticket. */
  run(facts: Facts): Promise<Map<string, RuleResult> | undefined>;
}

function createJre(rules: readonly { id: string; when: unknown }[], jsonPath: boolean): JreSide {
  let current: Facts | undefined;
  let emptyStringWalked = false;
  const watchedJsonPath: PathResolver = (value, path) => {
    if (walksThroughEmptyString(value, path)) emptyStringWalked = true;
    return jsonPathResolver(value, path) as unknown;
  };
  const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: jsonPath ? watchedJsonPath : plainDottedResolver });
  for (const def of operators.values()) {
    if (def.origin === 'json-rules-engine') continue;
    engine.addOperator(def.name, (a: unknown, b: unknown) => def.test(a, b, ctx, current));
  }
  for (const rule of rules) {
    engine.addRule({ name: rule.id, conditions: jsonPath ? toJsonPathCondition(rule.when) : rule.when, event: { type: rule.id } } as RuleProperties);
  }
  return {
    async run(facts) {
      current = facts;
      emptyStringWalked = false;
      try {
        const { results, failureResults } = await engine.run({ ...facts });
        if (emptyStringWalked) return undefined;
        return new Map([...results, ...failureResults].map((r) => [String(r.name), r]));
      } catch {
        return undefined;
      }
    },
  };
}

// ------------------------------------------------------------ the test

describe('compileCondition agrees with json-rules-engine', () => {
  it(`on ${BATCHES * RULES_PER_BATCH * TICKETS_PER_BATCH} random (condition, ticket) pairs, twice`, async () => {
    const rng = createRng(SEED);
    let compared = 0;
    let skipped = 0;
    let fired = 0;
    let leaves = 0;

    const compare = (rule: { when: unknown; condition: CompiledCondition }, jre: RuleResult, facts: Facts): void => {
      const where = `rule ${JSON.stringify(rule.when)}\nfacts ${JSON.stringify(facts)}`;
      expect(rule.condition.test(facts), `test() ${where}`).toBe(jre.result);
      const trace: ConditionTrace[] = [];
      expect(rule.condition.explain(facts, trace), `explain() ${where}`).toBe(jre.result);
      const jreLeafOutcomes: LeafOutcome[] = [];
      jreLeaves(jre.conditions, jreLeafOutcomes);
      expect(trace.map((l) => l.result), `leaf results ${where}`).toEqual(jreLeafOutcomes.map((l) => l.result));
      expect(trace.map((l) => l.actual), `leaf facts ${where}`).toEqual(jreLeafOutcomes.map((l) => l.factResult));
      compared++;
      leaves += trace.length;
      if (jre.result) fired++;
    };

    for (let batch = 0; batch < BATCHES; batch++) {
      const rules = Array.from({ length: RULES_PER_BATCH }, (_, i) => ({ id: `r${batch}-${i}`, when: randomRoot(rng) }));
      const compiled = rules.map((r) => ({ ...r, condition: compileCondition(r.when, ctx) }));
      for (const jsonPath of [false, true]) {
        const eligible = jsonPath ? compiled.filter((r) => !usesForbiddenKey(r.when)) : compiled;
        const engine = createJre(eligible, jsonPath);
        // When json-rules-engine fails a whole run (a rule it throws on), each rule is retried in an engine of its own.
        const single = new Map<string, JreSide>();
        const rng2 = createRng(SEED + batch);
        for (let t = 0; t < TICKETS_PER_BATCH; t++) {
          const facts = randomFacts(rng2);
          const expected = await engine.run(facts);
          for (const rule of eligible) {
            let jre = expected?.get(rule.id);
            if (expected === undefined) {
              let side = single.get(rule.id);
              if (side === undefined) single.set(rule.id, (side = createJre([rule], jsonPath)));
              jre = (await side.run(facts))?.get(rule.id);
            }
            if (jre === undefined) skipped++;
            else compare(rule, jre, facts);
          }
        }
      }
    }
    // Enough cases, both outcomes well represented, and json-rules-engine's own failures rare.
    expect(compared).toBeGreaterThanOrEqual(5_000 * 2);
    expect(fired / compared).toBeGreaterThan(0.2);
    expect(fired / compared).toBeLessThan(0.8);
    expect(leaves / compared).toBeGreaterThan(1.5);
    expect(skipped / (compared + skipped)).toBeLessThan(0.1);
  }, 240_000);
});
