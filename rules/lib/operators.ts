/**
 * The operator catalogue: json-rules-engine's built-in operators with exactly
 * its v7 semantics (rule files written for it must keep their meaning, and the
 * differential test holds us to it), plus triage's own operators for
 * service-desk text, domains, lists and dates.
 *
 * Each operator comes in three forms:
 *  - check():   load-time validation of the rule's literal value, with a coded error;
 *  - compile(): the literal value is prepared once per rule-set version (sets,
 *               folded keywords, compiled regexes, parsed dates) into a predicate;
 *  - test():    the generic form for values that are fact references, only
 *               known at evaluation time.
 * compile(v)(actual, facts) and test(actual, v, ctx, facts) always agree.
 */
import { TriageError } from '../../engine/errors/triage-error.js';
import { closestMatch } from './closest-match.js';
import { compileSafeRegex, ALLOWED_REGEX_FLAGS, MAX_PATTERN_LENGTH, MAX_REGEX_INPUT } from './regex-safety.js';
import type { Facts } from './rule-types.js';
import { compilePatterns, foldText, foldedText, foldedTextOf, patternProblem } from './text-match.js';

export interface OperatorCheckError {
  code: 'TRIAGE_RULE_BAD_OPERATOR_VALUE' | 'TRIAGE_RULE_INVALID_REGEX' | 'TRIAGE_RULE_UNSAFE_REGEX' | 'TRIAGE_RULE_UNKNOWN_LIST';
  /** Fill the message template of `code` in engine/errors/error-catalogue.ts. */
  args: unknown[];
}

export interface OperatorContext {
  lists: ReadonlyMap<string, readonly (string | number)[]>;
}

/**
 * A compiled operator. `facts` is the evaluation's facts: the date operators
 * read `now` from it and the text operators use it to share folded text
 * between conditions. Without it they fall back to the real clock and no memo.
 */
export type CompiledPredicate = (actual: unknown, facts?: Facts) => boolean;

export interface OperatorDefinition {
  name: string;
  /** One line for docs / did-you-mean. */
  summary: string;
  /** Where the semantics come from: json-rules-engine built-ins are mirrored exactly. */
  origin: 'json-rules-engine' | 'triage';
  /** Load-time check of the rule's literal value (not called for {fact} references). */
  check(value: unknown, ctx: OperatorContext): OperatorCheckError | undefined;
  /** Generic test, used when the value is a fact reference. */
  test(actual: unknown, value: unknown, ctx: OperatorContext, facts?: Facts): boolean;
  /** Precompile a literal value once per rule-set version into a fast predicate. */
  compile(value: unknown, ctx: OperatorContext): CompiledPredicate;
}

// ---------------------------------------------------------------- helpers

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${String(value)}`;
  return `a${typeof value === 'object' ? 'n object' : ` ${typeof value}`}`;
}

/** `operator "x" expects …, got …`, or with `problem`: `operator "x" expects …; <problem>`. */
function bad(name: string, expects: string, value: unknown, problem?: string): OperatorCheckError {
  return { code: 'TRIAGE_RULE_BAD_OPERATOR_VALUE', args: [name, problem === undefined ? `expects ${expects}, got ${describe(value)}` : `expects ${expects}; ${problem}`] };
}

function isScalar(v: unknown): v is string | number | boolean | null {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
}

/**
 * json-rules-engine's factValueValidator for its numeric operators:
 * `Number.parseFloat(v).toString() !== 'NaN'`. So numeric strings ("10",
 * even "10 kg") and one-element arrays ([5]) pass, then the comparison is plain
 * JS `<` with its coercions. Numbers skip the string round-trip: parseFloat of
 * a number's string form is NaN only for NaN.
 */
export function jreNumeric(v: unknown): boolean {
  if (typeof v === 'number') return v === v;
  if (typeof v === 'string') return !Number.isNaN(Number.parseFloat(v));
  try {
    return !Number.isNaN(Number.parseFloat(v as string));
  } catch {
    // parseFloat throws on symbols and null-prototype objects; json-rules-engine would reject the run.
    return false;
  }
}

/**
 * json-rules-engine's `in` is `value.indexOf(fact) > -1`: strict equality on an
 * array, a substring search on a string. Anything else throws inside
 * json-rules-engine (failing the whole run); we answer -1 instead.
 */
function jreIndexOf(container: unknown, item: unknown): number {
  if (Array.isArray(container)) return container.indexOf(item);
  if (typeof container === 'string') {
    try {
      return container.indexOf(item as string);
    } catch {
      return -1;
    }
  }
  return -1;
}

/**
 * Membership with exactly Array#indexOf semantics (===, so NaN is never found,
 * holes are skipped) but O(1): a Set uses SameValueZero, which differs from ===
 * only for NaN, so NaN is left out.
 */
function indexOfSet(list: readonly unknown[]): Set<unknown> {
  const set = new Set<unknown>();
  for (let i = 0; i < list.length; i++) {
    if (!(i in list)) continue;
    const v = list[i];
    if (v === v) set.add(v);
  }
  return set;
}

/**
 * Key for case- and diacritic-insensitive list comparisons (inList,
 * containsAny…): strings are folded and trimmed, numbers compare as their
 * decimal text (so 10 matches "10"); other values have no key and never match.
 */
export function listKey(v: unknown, facts?: Facts): string | undefined {
  if (typeof v === 'string') return (facts === undefined ? foldText(v) : foldedText(v, facts).folded).trim();
  if (typeof v === 'number') return String(v);
  return undefined;
}

const NOT_COMPILED = Symbol('not compiled');

/**
 * A generic test() for operators whose literal values are compiled: compiles
 * the resolved value, remembering the last primitive one (a fact reference such
 * as {fact: now} resolves to the same string for every condition of an
 * evaluation). Objects are compiled afresh because they may be mutated between
 * rules (tags). A value that fails check() never matches.
 */
function testViaCompile(def: Pick<OperatorDefinition, 'check' | 'compile'>): OperatorDefinition['test'] {
  let lastValue: unknown = NOT_COMPILED;
  let lastCtx: OperatorContext | undefined;
  let lastPredicate: CompiledPredicate = () => false;
  return (actual, value, ctx, facts) => {
    if (value === lastValue && ctx === lastCtx) return lastPredicate(actual, facts);
    const predicate = def.check(value, ctx) === undefined ? def.compile(value, ctx) : () => false;
    if (value === null || typeof value !== 'object') {
      lastValue = value;
      lastCtx = ctx;
      lastPredicate = predicate;
    }
    return predicate(actual, facts);
  };
}

/** compile() for our own operators refuses a value check() rejects: a rule set is validated before it is compiled. */
function ensureValid(def: Pick<OperatorDefinition, 'check'>, value: unknown, ctx: OperatorContext): void {
  const problem = def.check(value, ctx);
  if (problem) throw new TriageError(problem.code, problem.args);
}

type OwnOperatorSpec = Omit<OperatorDefinition, 'test' | 'origin'> & { test?: OperatorDefinition['test'] };

function own(spec: OwnOperatorSpec): OperatorDefinition {
  const compile = (value: unknown, ctx: OperatorContext): CompiledPredicate => {
    ensureValid(spec, value, ctx);
    return spec.compile(value, ctx);
  };
  return {
    name: spec.name,
    summary: spec.summary,
    origin: 'triage',
    check: spec.check,
    compile,
    test: spec.test ?? testViaCompile(spec),
  };
}

// ------------------------------------------------ json-rules-engine built-ins

const SCALAR = 'a string, number, boolean or null';

function jre(
  name: string,
  summary: string,
  check: (value: unknown) => OperatorCheckError | undefined,
  test: (a: unknown, b: unknown) => boolean,
  compile?: (value: unknown) => (a: unknown) => boolean,
): OperatorDefinition {
  return {
    name,
    summary,
    origin: 'json-rules-engine',
    check: (value) => check(value),
    test: (a, b) => test(a, b),
    compile: compile ?? ((value) => (a) => test(a, value)),
  };
}

const checkScalar = (name: string) => (v: unknown) => (isScalar(v) ? undefined : bad(name, SCALAR, v));
const checkList = (name: string) => (v: unknown) => (Array.isArray(v) ? undefined : bad(name, 'a list of values', v));
const checkNumber = (name: string) => (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? undefined : bad(name, 'a number', v));

function compileIn(negate: boolean) {
  return (value: unknown): ((a: unknown) => boolean) => {
    if (Array.isArray(value)) {
      const set = indexOfSet(value);
      return negate ? (a) => !set.has(a) : (a) => set.has(a);
    }
    if (typeof value === 'string') return negate ? (a) => jreIndexOf(value, a) === -1 : (a) => jreIndexOf(value, a) > -1;
    return () => false;
  };
}

function numeric(name: string, summary: string, cmp: (a: number, b: number) => boolean): OperatorDefinition {
  return jre(name, summary, checkNumber(name), (a, b) => jreNumeric(a) && cmp(a as number, b as number));
}

const builtIns: OperatorDefinition[] = [
  jre('equal', 'fact === value (strict, no type coercion)', checkScalar('equal'), (a, b) => a === b, (v) => (a) => a === v),
  jre('notEqual', 'fact !== value (strict; a missing fact is not equal)', checkScalar('notEqual'), (a, b) => a !== b, (v) => (a) => a !== v),
  jre('in', 'fact is one of the values in the list (strict equality)', checkList('in'), (a, b) => jreIndexOf(b, a) > -1, compileIn(false)),
  jre('notIn', 'fact is none of the values in the list (a missing fact is not in it)', checkList('notIn'), (a, b) => {
    // json-rules-engine throws (failing the run) when the value has no indexOf; we say "no match".
    if (!Array.isArray(b) && typeof b !== 'string') return false;
    return jreIndexOf(b, a) === -1;
  }, compileIn(true)),
  jre('contains', 'the fact (an array) has the value as an element', checkScalar('contains'), (a, b) => Array.isArray(a) && a.indexOf(b) > -1),
  jre('doesNotContain', 'the fact (an array) does not have the value as an element; false when the fact is not an array', checkScalar('doesNotContain'), (a, b) => Array.isArray(a) && a.indexOf(b) === -1),
  numeric('lessThan', 'fact < value (numbers; numeric strings accepted)', (a, b) => a < b),
  numeric('lessThanInclusive', 'fact <= value (numbers; numeric strings accepted)', (a, b) => a <= b),
  numeric('greaterThan', 'fact > value (numbers; numeric strings accepted)', (a, b) => a > b),
  numeric('greaterThanInclusive', 'fact >= value (numbers; numeric strings accepted)', (a, b) => a >= b),
];

// ---------------------------------------------------------------- text

function checkPatterns(name: string, what: string) {
  return (v: unknown): OperatorCheckError | undefined => {
    if (!isStringList(v)) return bad(name, `a non-empty list of ${what}`, v);
    for (const p of v) {
      const problem = patternProblem(p);
      if (problem) return bad(name, `a non-empty list of ${what}`, v, problem);
    }
    return undefined;
  };
}

function textOperator(name: string, summary: string, what: string, mode: 'any' | 'all', negate: boolean): OperatorDefinition {
  return own({
    name,
    summary,
    check: checkPatterns(name, what),
    compile(value) {
      const matches = compilePatterns(value as string[], mode);
      return negate
        ? (a, facts) => {
            const text = foldedTextOf(a, facts);
            return text !== undefined && !matches(text);
          }
        : (a, facts) => {
            const text = foldedTextOf(a, facts);
            return text !== undefined && matches(text);
          };
    },
  });
}

const WORDS = 'words (a trailing * matches any ending, e.g. faktur*)';

const textOperators: OperatorDefinition[] = [
  textOperator('containsAnyWord', 'the text has at least one of the words (case and diacritics ignored; faktur* matches any ending)', WORDS, 'any', false),
  textOperator('containsAllWords', 'the text has every one of the words (case and diacritics ignored; faktur* matches any ending)', WORDS, 'all', false),
  textOperator('notContainsAnyWord', 'the text has none of the words; false when the fact is not text', WORDS, 'any', true),
  textOperator('containsAnyPhrase', 'the text has one of the phrases as consecutive words (awari* krytyczn* matches "awarii krytycznej")', 'phrases', 'any', false),
  own({
    name: 'startsWith',
    summary: 'the text starts with the value (case and diacritics ignored)',
    check: (v) => (typeof v === 'string' && v.length > 0 ? undefined : bad('startsWith', 'a non-empty string', v)),
    compile(value) {
      const prefix = foldText(value as string);
      return (a, facts) => typeof a === 'string' && foldedText(a, facts).folded.startsWith(prefix);
    },
  }),
  own({
    name: 'endsWith',
    summary: 'the text ends with the value (case and diacritics ignored)',
    check: (v) => (typeof v === 'string' && v.length > 0 ? undefined : bad('endsWith', 'a non-empty string', v)),
    compile(value) {
      const suffix = foldText(value as string);
      return (a, facts) => typeof a === 'string' && foldedText(a, facts).folded.endsWith(suffix);
    },
  }),
];

// ---------------------------------------------------------------- domains

const DOMAIN_RE = /^[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)*$/u;

/** `*.acme.pl`, `@acme.pl`, `ACME.PL.` → `acme.pl`. */
function normalizeDomainEntry(entry: string): string {
  return entry.trim().toLowerCase().replace(/^(?:\*\.|@|\.)/, '').replace(/\.$/, '');
}

let lastAddress: string | undefined;
let lastDomain: string | undefined;

/**
 * The domain of `Jan <jan@sub.acme.pl>`, `jan@acme.pl` or a bare `acme.pl`,
 * lower-cased; undefined when there is none. The last answer is remembered:
 * several rules usually ask about the same sender.
 */
export function domainOf(address: string): string | undefined {
  if (address === lastAddress) return lastDomain;
  let s = address.trim();
  const lt = s.lastIndexOf('<');
  if (lt >= 0) {
    const gt = s.indexOf('>', lt);
    s = s.slice(lt + 1, gt < 0 ? undefined : gt).trim();
  }
  const at = s.lastIndexOf('@');
  if (at >= 0) s = s.slice(at + 1);
  s = s.toLowerCase().replace(/\.$/, '');
  const domain = DOMAIN_RE.test(s) ? s : undefined;
  lastAddress = address;
  lastDomain = domain;
  return domain;
}

function domainOperator(name: string, negate: boolean): OperatorDefinition {
  return own({
    name,
    summary: negate
      ? 'the e-mail address / domain is not one of the domains or their subdomains; false when the fact is not text'
      : 'the e-mail address / domain is one of the domains or a subdomain of one (case ignored)',
    check(v) {
      const expects = 'a non-empty list of domains such as acme.pl';
      if (!isStringList(v)) return bad(name, expects, v);
      const wrong = v.find((d) => !DOMAIN_RE.test(normalizeDomainEntry(d)));
      return wrong === undefined ? undefined : bad(name, expects, v, `${JSON.stringify(wrong)} is not a domain`);
    },
    compile(value) {
      const domains = [...new Set((value as string[]).map(normalizeDomainEntry))];
      const exact = new Set(domains);
      const suffixes = domains.map((d) => `.${d}`);
      const matchOne = (s: string): boolean => {
        const d = domainOf(s);
        if (d === undefined) return false;
        if (exact.has(d)) return true;
        for (const suffix of suffixes) if (d.endsWith(suffix)) return true;
        return false;
      };
      const matches = (a: unknown): boolean | undefined => {
        if (typeof a === 'string') return matchOne(a);
        if (!Array.isArray(a)) return undefined;
        let sawText = false;
        for (const item of a) {
          if (typeof item !== 'string') continue;
          sawText = true;
          if (matchOne(item)) return true;
        }
        return sawText ? false : undefined;
      };
      return negate ? (a) => matches(a) === false : (a) => matches(a) === true;
    },
  });
}

// ---------------------------------------------------------------- regex

interface RegexValue {
  pattern: string;
  flags: string;
}

function regexValue(v: unknown): RegexValue | undefined {
  if (typeof v === 'string') return { pattern: v, flags: '' };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const { pattern, flags } = v as { pattern?: unknown; flags?: unknown };
  if (typeof pattern !== 'string' || (flags !== undefined && typeof flags !== 'string')) return undefined;
  return { pattern, flags: flags ?? '' };
}

function checkRegex(name: string, v: unknown): OperatorCheckError | undefined {
  const expects = 'a pattern string or { pattern, flags }';
  const rv = regexValue(v);
  if (!rv) return bad(name, expects, v);
  if (rv.pattern.length > MAX_PATTERN_LENGTH) return bad(name, `a pattern of at most ${MAX_PATTERN_LENGTH} characters`, v, `this one has ${rv.pattern.length}`);
  const flagsOk = [...rv.flags].every((f, i) => ALLOWED_REGEX_FLAGS.includes(f) && rv.flags.indexOf(f) === i);
  if (!flagsOk) return bad(name, `flags from "${ALLOWED_REGEX_FLAGS}" (each at most once)`, v, `"${rv.flags}" is not allowed`);
  const compiled = compileSafeRegex(rv.pattern, rv.flags);
  return compiled.ok ? undefined : { code: compiled.code, args: compiled.args };
}

function regexOperator(name: string, negate: boolean): OperatorDefinition {
  return own({
    name,
    summary: negate
      ? 'the text does not match the regular expression; false when the fact is not text'
      : 'the text matches the regular expression (JavaScript syntax, flags i m s u)',
    check: (v) => checkRegex(name, v),
    compile(value) {
      const rv = regexValue(value) as RegexValue;
      const compiled = compileSafeRegex(rv.pattern, rv.flags);
      if (!compiled.ok) throw new TriageError(compiled.code, compiled.args);
      const re = compiled.regex;
      // Only the first MAX_REGEX_INPUT characters are searched: the safety checks
      // stop exponential patterns, this bounds the polynomial ones (.*a.*b).
      const test = (a: string): boolean => re.test(a.length > MAX_REGEX_INPUT ? a.slice(0, MAX_REGEX_INPUT) : a);
      return negate ? (a) => typeof a === 'string' && !test(a) : (a) => typeof a === 'string' && test(a);
    },
  });
}

// ---------------------------------------------------------------- lists

function checkListName(name: string, v: unknown, ctx: OperatorContext): OperatorCheckError | undefined {
  if (typeof v !== 'string' || v.length === 0) return bad(name, 'the name of a list defined under `lists:`', v);
  if (ctx.lists.has(v)) return undefined;
  const suggestion = closestMatch(v, ctx.lists.keys());
  return { code: 'TRIAGE_RULE_UNKNOWN_LIST', args: [v, suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`] };
}

function keySet(values: readonly unknown[]): Set<string> {
  const keys = new Set<string>();
  for (const v of values) {
    const k = listKey(v);
    if (k !== undefined) keys.add(k);
  }
  return keys;
}

/** true / false for a string, number or array fact; undefined for anything else. */
function anyKeyIn(keys: ReadonlySet<string>, a: unknown, facts: Facts | undefined): boolean | undefined {
  if (Array.isArray(a)) {
    for (const item of a) {
      const k = listKey(item, facts);
      if (k !== undefined && keys.has(k)) return true;
    }
    return false;
  }
  const k = listKey(a, facts);
  return k === undefined ? undefined : keys.has(k);
}

function listOperator(name: string, negate: boolean): OperatorDefinition {
  return own({
    name,
    summary: negate
      ? 'the fact (or no element of an array fact) is in the named list; false when the fact is missing'
      : 'the fact (or any element of an array fact) is in the named list (case and diacritics ignored)',
    check: (v, ctx) => checkListName(name, v, ctx),
    compile(value, ctx) {
      const keys = keySet(ctx.lists.get(value as string) ?? []);
      return negate ? (a, facts) => anyKeyIn(keys, a, facts) === false : (a, facts) => anyKeyIn(keys, a, facts) === true;
    },
  });
}

function checkValueList(name: string) {
  return (v: unknown): OperatorCheckError | undefined =>
    Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' || typeof x === 'number')
      ? undefined
      : bad(name, 'a non-empty list of strings or numbers', v);
}

const collectionOperators: OperatorDefinition[] = [
  listOperator('inList', false),
  listOperator('notInList', true),
  own({
    name: 'containsAny',
    summary: 'the fact (an array, e.g. tags) shares at least one element with the value list (case and diacritics ignored)',
    check: checkValueList('containsAny'),
    compile(value) {
      const keys = keySet(value as unknown[]);
      return (a, facts) => Array.isArray(a) && anyKeyIn(keys, a, facts) === true;
    },
  }),
  own({
    name: 'containsAll',
    summary: 'the fact (an array, e.g. tags) has every element of the value list (case and diacritics ignored)',
    check: checkValueList('containsAll'),
    compile(value) {
      const wanted = [...keySet(value as unknown[])];
      return (a, facts) => {
        if (!Array.isArray(a)) return false;
        const have = new Set<string>();
        for (const item of a) {
          const k = listKey(item, facts);
          if (k !== undefined) have.add(k);
        }
        for (const k of wanted) if (!have.has(k)) return false;
        return true;
      };
    },
  }),
];

// ---------------------------------------------------------------- values

function isEmptyValue(a: unknown): boolean {
  if (a === undefined || a === null || a === '') return true;
  if (Array.isArray(a)) return a.length === 0;
  if (typeof a === 'object') {
    for (const k in a) if (Object.prototype.hasOwnProperty.call(a, k)) return false;
    return true;
  }
  return false;
}

const checkBoolean = (name: string) => (v: unknown) => (typeof v === 'boolean' ? undefined : bad(name, 'true or false', v));

const valueOperators: OperatorDefinition[] = [
  own({
    name: 'between',
    summary: 'min <= fact <= max for value [min, max] (numbers; numeric strings accepted)',
    check(v) {
      const ok = Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x)) && (v[0] as number) <= (v[1] as number);
      return ok ? undefined : bad('between', 'a list [min, max] of two numbers with min <= max', v);
    },
    compile(value) {
      const [min, max] = value as [number, number];
      // Same fact handling as json-rules-engine's numeric operators (see jreNumeric).
      return (a) => jreNumeric(a) && (a as number) >= min && (a as number) <= max;
    },
  }),
  own({
    name: 'exists',
    summary: 'value true: the fact is neither missing nor null; value false: it is missing or null',
    check: checkBoolean('exists'),
    compile(value) {
      return value === true ? (a) => a !== undefined && a !== null : (a) => a === undefined || a === null;
    },
  }),
  own({
    name: 'isEmpty',
    summary: 'value true: the fact is missing, null, "", [] or {}; value false: it is not',
    check: checkBoolean('isEmpty'),
    compile(value) {
      return value === true ? isEmptyValue : (a) => !isEmptyValue(a);
    },
  }),
];

// ---------------------------------------------------------------- dates

const ISO_RE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

let lastInstantText: string | undefined;
let lastInstant: number | undefined;

/**
 * Milliseconds since the epoch of an ISO date / date-time string (a date-time
 * without an offset is UTC, so a rule means the same on every server), a
 * number of milliseconds, or a Date; undefined when unparseable. The last
 * string is remembered because `now` is parsed by every date condition.
 */
export function parseInstant(v: unknown): number | undefined {
  if (typeof v === 'string') {
    if (v === lastInstantText) return lastInstant;
    const m = ISO_RE.exec(v.trim());
    let ms: number | undefined;
    if (m) {
      const zone = m[3] === undefined ? 'Z' : m[3].toUpperCase() === 'Z' ? 'Z' : m[3].includes(':') ? m[3] : `${m[3].slice(0, 3)}:${m[3].slice(3)}`;
      const t = Date.parse(m[2] === undefined ? `${m[1]}T00:00:00Z` : `${m[1]}T${m[2]}${zone}`);
      ms = Number.isNaN(t) ? undefined : t;
    }
    lastInstantText = v;
    lastInstant = ms;
    return ms;
  }
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (v instanceof Date) {
    const t = v.getTime();
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION_RE = /^(\d+)\s*([smhdw])$/;

/** `30m` → 1 800 000; undefined when not a duration. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = DURATION_RE.exec(v.trim());
  return m ? Number(m[1]) * (DURATION_UNITS[m[2] as string] as number) : undefined;
}

function nowOf(facts: Facts | undefined): number | undefined {
  return facts === undefined ? Date.now() : parseInstant(facts.now);
}

function instantOperator(name: string, summary: string, cmp: (fact: number, value: number) => boolean): OperatorDefinition {
  const check = (v: unknown): OperatorCheckError | undefined =>
    typeof v === 'string' && parseInstant(v) !== undefined ? undefined : bad(name, 'an ISO date such as 2025-01-31 or 2025-01-31T08:00:00Z (or {fact: now})', v);
  return own({
    name,
    summary,
    check,
    compile(value) {
      const at = parseInstant(value) as number;
      return (a) => {
        const t = parseInstant(a);
        return t !== undefined && cmp(t, at);
      };
    },
    // Fact references (typically {fact: now}) are compared directly: no check, no compile.
    test(a, value) {
      const t = parseInstant(a);
      const at = parseInstant(value);
      return t !== undefined && at !== undefined && cmp(t, at);
    },
  });
}

function ageOperator(name: string, summary: string, cmp: (age: number, duration: number) => boolean): OperatorDefinition {
  return own({
    name,
    summary,
    check: (v) => (parseDuration(v) === undefined ? bad(name, 'a duration such as 30m, 4h, 5d or 2w', v) : undefined),
    compile(value) {
      const duration = parseDuration(value) as number;
      return (a, facts) => {
        const t = parseInstant(a);
        if (t === undefined) return false;
        const now = nowOf(facts);
        return now !== undefined && cmp(now - t, duration);
      };
    },
  });
}

const dateOperators: OperatorDefinition[] = [
  instantOperator('before', 'the date/time is strictly before the value (ISO date or {fact: now})', (t, at) => t < at),
  instantOperator('after', 'the date/time is strictly after the value (ISO date or {fact: now})', (t, at) => t > at),
  ageOperator('olderThan', 'the timestamp is at least the duration (30m, 4h, 5d, 2w) before now', (age, d) => age >= d),
  ageOperator('newerThan', 'the timestamp is less than the duration (30m, 4h, 5d, 2w) before now', (age, d) => age < d),
];

// ---------------------------------------------------------------- catalogue

const all: OperatorDefinition[] = [
  ...builtIns,
  ...textOperators,
  domainOperator('domainIn', false),
  domainOperator('domainNotIn', true),
  regexOperator('matchesRegex', false),
  regexOperator('notMatchesRegex', true),
  ...collectionOperators,
  ...valueOperators,
  ...dateOperators,
];

export const operators: ReadonlyMap<string, OperatorDefinition> = new Map(all.map((op) => [op.name, op]));

/** The closest known operator name (edit distance), for "did you mean" hints. */
export function suggestOperator(name: string): string | undefined {
  return closestMatch(name, operators.keys());
}
