/**
 * Compiles a json-rules-engine condition tree into plain closures, once per
 * rule-set version. json-rules-engine evaluates a tree through an Almanac and a
 * chain of Promises per condition; here a leaf is "get the fact, walk a
 * pre-split path, call a pre-compiled predicate", with no parsing, no Promise
 * and no allocation per evaluation. The semantics are json-rules-engine v7's
 * (see compile-condition.differential.test.ts, which compares the two):
 *
 *  - a node is `any` if it has an own `any` key, else `all`, else `not` (the
 *    order json-rules-engine checks them in), else a fact comparison;
 *  - `all: []` is true and so is `any: []`: json-rules-engine returns true for
 *    an empty list whatever the operator (rule.js prioritizeAndRun);
 *  - a fact that is not a non-null object is returned as is, path or not
 *    (almanac.js factValue): `{fact: customer, path: segment}` with customer
 *    null compares null, not undefined;
 *  - an unknown / unloaded fact is undefined (allowUndefinedFacts: true);
 *  - a value `{fact, path?}` (any object with an own `fact` key) is a reference
 *    to another fact's value, compared with the operator's generic test().
 *
 * Unlike json-rules-engine, the root may also be a single fact comparison.
 */
import { TriageError } from '../../engine/errors/triage-error.js';
import { isForbiddenKey, splitPath } from './dotted-path.js';
import { operators, suggestOperator, type OperatorContext, type OperatorDefinition } from './operators.js';
import { FACT_NAMES, type ConditionTrace, type FactName, type Facts } from './rule-types.js';

export { resolvePath } from './dotted-path.js';

export interface CompiledCondition {
  /** Fast path, short-circuits like json-rules-engine. */
  test(facts: Facts): boolean;
  /**
   * Same result as test(); pushes one ConditionTrace per leaf evaluated. Every
   * leaf is evaluated, as json-rules-engine does within an all/any, so a trace
   * shows each condition that failed, not only the first.
   */
  explain(facts: Facts, out: ConditionTrace[]): boolean;
  /** Facts read (incl. fact-reference values), to preload async facts. */
  readonly facts: ReadonlySet<FactName>;
}

type Test = (facts: Facts) => boolean;
type Explain = (facts: Facts, out: ConditionTrace[]) => boolean;
type Getter = (facts: Facts) => unknown;

interface Node {
  test: Test;
  explain: Explain;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** getOwn without the forbidden-key check: compiled paths are checked once, when split. */
function step(v: unknown, key: string): unknown {
  if (v === null || v === undefined) return undefined;
  const t = typeof v;
  if (t !== 'object' && t !== 'string') return undefined;
  return hasOwn.call(v, key) ? (v as Record<string, unknown>)[key] : undefined;
}

function isFactName(name: unknown): name is FactName {
  return typeof name === 'string' && (FACT_NAMES as readonly string[]).includes(name);
}

function factAccessor(name: unknown): Getter {
  switch (name) {
    case 'ticket':
      return (f) => f.ticket;
    case 'message':
      return (f) => f.message;
    case 'customer':
      return (f) => f.customer;
    case 'sla':
      return (f) => f.sla;
    case 'now':
      return (f) => f.now;
    case 'order':
      return (f) => f.order;
    default:
      // json-rules-engine with allowUndefinedFacts: an unknown fact is undefined.
      return () => undefined;
  }
}

/**
 * The value of `fact` at `path`, with json-rules-engine's rule that a path is
 * applied only to a non-null object fact (a string or null fact is returned
 * whole). The path is split here, once; short paths get unrolled closures.
 */
function valueGetter(fact: unknown, path: unknown): Getter {
  const root = factAccessor(fact);
  // json-rules-engine applies a path only when it is truthy.
  const segments = typeof path === 'string' && path !== '' ? splitPath(path) : [];
  if (segments.length === 0) return root;
  if (segments.some(isForbiddenKey)) {
    return (f) => {
      const v = root(f);
      return v !== null && typeof v === 'object' ? undefined : v;
    };
  }
  const k0 = segments[0] as string;
  if (segments.length === 1) {
    return (f) => {
      const v = root(f);
      if (v === null || typeof v !== 'object') return v;
      return hasOwn.call(v, k0) ? (v as Record<string, unknown>)[k0] : undefined;
    };
  }
  if (segments.length === 2) {
    const k1 = segments[1] as string;
    return (f) => {
      const v = root(f);
      if (v === null || typeof v !== 'object') return v;
      return step(hasOwn.call(v, k0) ? (v as Record<string, unknown>)[k0] : undefined, k1);
    };
  }
  const n = segments.length;
  return (f) => {
    const v = root(f);
    if (v === null || typeof v !== 'object') return v;
    let w: unknown = v;
    for (let i = 0; i < n && w !== undefined; i++) w = step(w, segments[i] as string);
    return w;
  };
}

/** json-rules-engine's test for a fact-reference value (almanac.js getValue). */
function isFactReference(value: unknown): value is { fact: unknown; path?: unknown } {
  return value !== null && typeof value === 'object' && hasOwn.call(value, 'fact');
}

function schemaError(message: string): TriageError {
  return new TriageError('TRIAGE_RULE_SCHEMA', [message]);
}

function compileLeaf(c: Record<string, unknown>, ctx: OperatorContext, facts: Set<FactName>): Node {
  const opName = c.operator;
  const op: OperatorDefinition | undefined = typeof opName === 'string' ? operators.get(opName) : undefined;
  if (op === undefined) {
    const suggestion = typeof opName === 'string' ? suggestOperator(opName) : undefined;
    throw new TriageError('TRIAGE_RULE_UNKNOWN_OPERATOR', [String(opName), suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`]);
  }
  if (isFactName(c.fact)) facts.add(c.fact);
  const get = valueGetter(c.fact, c.path);
  const factLabel = String(c.fact);
  const pathLabel = typeof c.path === 'string' ? c.path : undefined;
  const operator = op.name;
  const value = c.value;

  if (isFactReference(value)) {
    if (isFactName(value.fact)) facts.add(value.fact);
    const getValue = valueGetter(value.fact, value.path);
    return {
      test: (f) => op.test(get(f), getValue(f), ctx, f),
      explain: (f, out) => {
        const actual = get(f);
        const resolved = getValue(f);
        const result = op.test(actual, resolved, ctx, f);
        // The trace shows the value compared with, i.e. the referenced fact's value at evaluation time.
        out.push({ fact: factLabel, path: pathLabel, operator, value: resolved, actual, result });
        return result;
      },
    };
  }

  const predicate = op.compile(value, ctx);
  return {
    test: (f) => predicate(get(f), f),
    explain: (f, out) => {
      const actual = get(f);
      const result = predicate(actual, f);
      out.push({ fact: factLabel, path: pathLabel, operator, value, actual, result });
      return result;
    },
  };
}

function allOf(tests: readonly Test[]): Test {
  const n = tests.length;
  if (n === 0) return () => true;
  const [a, b, c] = tests as [Test, Test, Test];
  if (n === 1) return a;
  if (n === 2) return (f) => a(f) && b(f);
  if (n === 3) return (f) => a(f) && b(f) && c(f);
  return (f) => {
    for (let i = 0; i < n; i++) if (!(tests[i] as Test)(f)) return false;
    return true;
  };
}

function anyOf(tests: readonly Test[]): Test {
  const n = tests.length;
  // Not a typo: json-rules-engine v7 answers true for an empty `any`.
  if (n === 0) return () => true;
  const [a, b, c] = tests as [Test, Test, Test];
  if (n === 1) return a;
  if (n === 2) return (f) => a(f) || b(f);
  if (n === 3) return (f) => a(f) || b(f) || c(f);
  return (f) => {
    for (let i = 0; i < n; i++) if ((tests[i] as Test)(f)) return true;
    return false;
  };
}

function compileNode(condition: unknown, ctx: OperatorContext, facts: Set<FactName>, where: string): Node {
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) {
    throw schemaError(`${where}: a condition is an object with all, any, not, or fact + operator + value`);
  }
  const c = condition as Record<string, unknown>;
  const kind = hasOwn.call(c, 'any') ? 'any' : hasOwn.call(c, 'all') ? 'all' : hasOwn.call(c, 'not') ? 'not' : undefined;
  if (kind === 'not') {
    const child = compileNode(c.not, ctx, facts, `${where}.not`);
    const t = child.test;
    const e = child.explain;
    return { test: (f) => !t(f), explain: (f, out) => !e(f, out) };
  }
  if (kind !== undefined) {
    const list = c[kind];
    if (!Array.isArray(list)) throw schemaError(`${where}.${kind} must be a list of conditions`);
    const children = list.map((child, i) => compileNode(child, ctx, facts, `${where}.${kind}[${i}]`));
    const tests = children.map((ch) => ch.test);
    const explains = children.map((ch) => ch.explain);
    if (kind === 'all') {
      return {
        test: allOf(tests),
        explain: (f, out) => {
          let result = true;
          for (const e of explains) if (!e(f, out)) result = false;
          return result;
        },
      };
    }
    return {
      test: anyOf(tests),
      explain: (f, out) => {
        let result = explains.length === 0;
        for (const e of explains) if (e(f, out)) result = true;
        return result;
      },
    };
  }
  if (hasOwn.call(c, 'condition')) throw schemaError(`${where}: shared condition references are not supported; repeat the condition`);
  if (!hasOwn.call(c, 'fact') || !hasOwn.call(c, 'operator') || !hasOwn.call(c, 'value')) {
    throw schemaError(`${where}: a fact condition needs fact, operator and value`);
  }
  return compileLeaf(c, ctx, facts);
}

/**
 * Compile a condition tree. Assumes it was validated (check-rule-file.ts); an
 * unknown operator or a malformed node still throws a TriageError, and so does
 * a value one of our operators rejects.
 */
export function compileCondition(condition: unknown, ctx: OperatorContext): CompiledCondition {
  const facts = new Set<FactName>();
  const node = compileNode(condition, ctx, facts, 'when');
  return { test: node.test, explain: node.explain, facts };
}
