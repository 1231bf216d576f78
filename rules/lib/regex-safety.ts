/**
 * Load-time screening of rule regular expressions for catastrophic
 * backtracking (ReDoS). A rule file is written by a process owner, not an
 * attacker, but the text it runs against comes from anyone who can send an
 * e-mail, so one careless `(\w+\s?)+` would let a single mail stall evaluation
 * for every ticket behind it.
 *
 * Two independent checks, either one rejects:
 *  - safe-regex2 (star height > 1, i.e. nested quantifiers, and too many repetitions);
 *  - our own walk, which also finds alternatives that can match the same text
 *    inside a repetition, e.g. `(a|ab)*` or `(\w|\d)+` — star height 1, so
 *    safe-regex2 lets them through, yet each iteration can choose either branch.
 * Both err on the side of rejecting; the error hint points to the keyword
 * operators, which cover what most rules want from a regex.
 *
 * What neither check catches is polynomial backtracking (`.*a.*b` on a long
 * text without a match is quadratic). That is bounded by matching only the
 * first MAX_REGEX_INPUT characters of a fact (see operators.ts).
 */
import safeRegex from 'safe-regex2';

/** Longer patterns are almost always generated or copy-pasted and unreviewable in a pull request. */
export const MAX_PATTERN_LENGTH = 500;
/** Characters of a fact a regex sees; bounds the polynomial cases the checks let through. */
export const MAX_REGEX_INPUT = 100_000;
/** Flags a rule may use: `g` and `y` make RegExp#test stateful (lastIndex), `d` is useless for a yes/no test. */
export const ALLOWED_REGEX_FLAGS = 'imsu';

/** Repetitions with an upper bound above this count as unbounded for the nesting check. */
const LARGE_REPEAT = 16;

type Node =
  | { kind: 'atom'; src: string }
  | { kind: 'group'; alts: Node[][] }
  | { kind: 'repeat'; node: Node; min: number; max: number }
  | { kind: 'assert' }
  | { kind: 'backref' };

/** A tiny recursive-descent parser for JS regex syntax; the pattern has already compiled, so it can be lenient. */
class Parser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): Node[][] {
    return this.alternatives();
  }

  private alternatives(): Node[][] {
    const alts: Node[][] = [[]];
    while (this.i < this.src.length) {
      const ch = this.src[this.i] as string;
      if (ch === ')') break;
      if (ch === '|') {
        this.i++;
        alts.push([]);
        continue;
      }
      const term = this.term();
      if (term) (alts[alts.length - 1] as Node[]).push(this.quantified(term));
    }
    return alts;
  }

  private term(): Node | undefined {
    const s = this.src;
    const ch = s[this.i] as string;
    if (ch === '^' || ch === '$') {
      this.i++;
      return { kind: 'assert' };
    }
    if (ch === '(') {
      let lookaround = false;
      if (s.startsWith('(?:', this.i)) this.i += 3;
      else if (s.startsWith('(?=', this.i) || s.startsWith('(?!', this.i)) {
        this.i += 3;
        lookaround = true;
      } else if (s.startsWith('(?<=', this.i) || s.startsWith('(?<!', this.i)) {
        this.i += 4;
        lookaround = true;
      } else if (s.startsWith('(?<', this.i)) {
        this.i = s.indexOf('>', this.i) + 1;
      } else this.i++;
      const alts = this.alternatives();
      this.i++; // ')'
      // A lookaround matches no characters but can still backtrack inside; keep its body for the walk.
      return lookaround ? { kind: 'repeat', node: { kind: 'group', alts }, min: 0, max: 1 } : { kind: 'group', alts };
    }
    if (ch === '[') {
      const start = this.i;
      this.i++;
      // In JS a `]` right after `[` or `[^` closes the class (`[]` never matches, `[^]` is any character).
      if (s[this.i] === '^') this.i++;
      while (this.i < s.length && s[this.i] !== ']') this.i += s[this.i] === '\\' ? 2 : 1;
      this.i++;
      return { kind: 'atom', src: s.slice(start, this.i) };
    }
    if (ch === '\\') {
      const start = this.i;
      const next = s[this.i + 1] ?? '';
      if (next === 'b' || next === 'B') {
        this.i += 2;
        return { kind: 'assert' };
      }
      if (/[1-9]/.test(next)) {
        this.i += 2;
        while (/\d/.test(s[this.i] ?? '')) this.i++;
        return { kind: 'backref' };
      }
      if (next === 'k' && s[this.i + 2] === '<') {
        this.i = s.indexOf('>', this.i) + 1;
        return { kind: 'backref' };
      }
      if ((next === 'p' || next === 'P') && s[this.i + 2] === '{') this.i = s.indexOf('}', this.i) + 1;
      else if (next === 'u' && s[this.i + 2] === '{') this.i = s.indexOf('}', this.i) + 1;
      else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(this.i + 2, this.i + 6))) this.i += 6;
      else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(this.i + 2, this.i + 4))) this.i += 4;
      else if (next === 'c' && /[a-zA-Z]/.test(s[this.i + 2] ?? '')) this.i += 3;
      else this.i += 2;
      return { kind: 'atom', src: s.slice(start, this.i) };
    }
    // A quantifier with nothing to repeat cannot occur in a pattern that compiled; a stray `{` is a literal.
    const cp = s.codePointAt(this.i) ?? 0;
    const len = cp > 0xffff ? 2 : 1;
    this.i += len;
    return { kind: 'atom', src: s.slice(this.i - len, this.i) };
  }

  private quantified(node: Node): Node {
    const s = this.src;
    let min: number;
    let max: number;
    const ch = s[this.i];
    if (ch === '*') [min, max] = [0, Infinity];
    else if (ch === '+') [min, max] = [1, Infinity];
    else if (ch === '?') [min, max] = [0, 1];
    else if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i));
      if (!m) return node;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      this.i += m[0].length - 1;
    } else return node;
    this.i++;
    if (s[this.i] === '?') this.i++; // lazy: same backtracking space
    return this.quantified({ kind: 'repeat', node, min, max });
  }
}

/**
 * Characters used to approximate "which characters can an atom match": ASCII
 * plus a few Polish letters, other scripts and odd whitespace. Two atoms
 * overlap when one of these is matched by both, which is exact for the common
 * cases (letters, digits, \w, \s, ., classes) and conservative otherwise.
 */
const SAMPLE_CHARS: readonly string[] = [
  ...Array.from({ length: 128 }, (_, c) => String.fromCharCode(c)),
  ...'ąćęłńóśźżĄĆĘŁŃÓŚŹŻéüßçñ\u00a0\u2028\u2029\ufeff中яЯ€',
];

type CharSet = Uint8Array;

class CharSets {
  private readonly cache = new Map<string, CharSet>();
  readonly any: CharSet = new Uint8Array(SAMPLE_CHARS.length).fill(1);
  constructor(private readonly flags: string) {}

  of(src: string): CharSet {
    let set = this.cache.get(src);
    if (set) return set;
    set = new Uint8Array(SAMPLE_CHARS.length);
    try {
      const re = new RegExp(`^(?:${src})$`, this.flags);
      SAMPLE_CHARS.forEach((c, k) => {
        if (re.test(c)) (set as CharSet)[k] = 1;
      });
    } catch {
      set.fill(1);
    }
    this.cache.set(src, set);
    return set;
  }
}

function intersects(a: CharSet, b: CharSet): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] && b[k]) return true;
  return false;
}

function union(a: CharSet, b: CharSet): CharSet {
  const out = new Uint8Array(a.length);
  for (let k = 0; k < a.length; k++) out[k] = a[k] || b[k] ? 1 : 0;
  return out;
}

function nullable(node: Node): boolean {
  switch (node.kind) {
    case 'atom':
      return false;
    case 'group':
      return node.alts.some((seq) => seq.every(nullable));
    case 'repeat':
      return node.min === 0 || nullable(node.node);
    default:
      return true;
  }
}

/** Characters a sequence can start with (conservatively everything when it can be empty or starts with a back-reference). */
function firstOfSeq(seq: readonly Node[], sets: CharSets): CharSet {
  let acc: CharSet = new Uint8Array(sets.any.length);
  for (const node of seq) {
    if (node.kind === 'assert') continue;
    if (node.kind === 'backref') return sets.any;
    acc = union(acc, firstOf(node, sets));
    if (!nullable(node)) return acc;
  }
  return sets.any;
}

function firstOf(node: Node, sets: CharSets): CharSet {
  switch (node.kind) {
    case 'atom':
      return sets.of(node.src);
    case 'group':
      return node.alts.map((seq) => firstOfSeq(seq, sets)).reduce(union);
    case 'repeat':
      return firstOf(node.node, sets);
    default:
      return sets.any;
  }
}

/**
 * Could two alternatives match the same text? Compare them position by
 * position while both are plain atoms; disjoint characters at some position
 * prove they cannot, anything else (one is a prefix of the other, or a
 * quantifier / group makes the rest unknown) counts as overlap.
 */
function alternativesOverlap(a: readonly Node[], b: readonly Node[], sets: CharSets): boolean {
  const pa = a.filter((n) => n.kind !== 'assert');
  const pb = b.filter((n) => n.kind !== 'assert');
  for (let k = 0; ; k++) {
    const x = pa[k];
    const y = pb[k];
    if (x === undefined || y === undefined) return true;
    if (x.kind === 'atom' && y.kind === 'atom') {
      if (!intersects(sets.of(x.src), sets.of(y.src))) return false;
      continue;
    }
    return intersects(firstOfSeq(pa.slice(k), sets), firstOfSeq(pb.slice(k), sets));
  }
}

function isUnbounded(node: Node & { kind: 'repeat' }): boolean {
  return node.max > LARGE_REPEAT;
}

/** Walk the tree; `repeated` says whether we are inside an unbounded repetition. */
function findHazard(node: Node, repeated: boolean, sets: CharSets): string | undefined {
  if (node.kind === 'repeat') {
    const unbounded = isUnbounded(node);
    if (unbounded && repeated) return 'nested quantifiers';
    if (unbounded && node.node.kind === 'group' && nullable(node.node)) return 'a repeated group that can match the empty string';
    return findHazard(node.node, repeated || unbounded, sets);
  }
  if (node.kind === 'group') {
    if (repeated && node.alts.length > 1) {
      for (let x = 0; x < node.alts.length; x++) {
        for (let y = x + 1; y < node.alts.length; y++) {
          if (alternativesOverlap(node.alts[x] as Node[], node.alts[y] as Node[], sets)) return 'overlapping alternatives inside a repetition';
        }
      }
    }
    for (const seq of node.alts) {
      for (const child of seq) {
        const h = findHazard(child, repeated, sets);
        if (h) return h;
      }
    }
  }
  return undefined;
}

/**
 * Why `pattern` (already known to compile with `flags`) risks catastrophic
 * backtracking, or undefined when it looks safe.
 */
export function regexHazard(pattern: string, flags = ''): string | undefined {
  // ret (safe-regex2's parser) predates lookbehind and reports it as unsafe; a
  // lookahead has the same backtracking structure, so check that instead.
  const forSafeRegex = pattern.replace(/\(\?<([=!])/g, '(?$1');
  if (!safeRegex(forSafeRegex)) return 'nested quantifiers or too many repetitions';
  const sets = new CharSets(flags.replace(/[gyd]/g, ''));
  const root: Node = { kind: 'group', alts: new Parser(pattern).parse() };
  return findHazard(root, false, sets);
}

/** Outcome of preparing a rule regex: the compiled RegExp, or the catalogue code and its message args. */
export type RegexCompileResult =
  | { ok: true; regex: RegExp }
  | { ok: false; code: 'TRIAGE_RULE_INVALID_REGEX' | 'TRIAGE_RULE_UNSAFE_REGEX'; args: unknown[] };

/** Compile a rule regex after checking it is valid and safe (flags must already be limited to ALLOWED_REGEX_FLAGS). */
export function compileSafeRegex(pattern: string, flags: string): RegexCompileResult {
  const shown = `/${pattern}/${flags}`;
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, flags);
  } catch (e) {
    const message = e instanceof Error ? e.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') : String(e);
    return { ok: false, code: 'TRIAGE_RULE_INVALID_REGEX', args: [shown, message] };
  }
  const hazard = regexHazard(pattern, flags);
  if (hazard !== undefined) return { ok: false, code: 'TRIAGE_RULE_UNSAFE_REGEX', args: [`${shown} (${hazard})`] };
  return { ok: true, regex };
}
