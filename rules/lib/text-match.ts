/**
 * Keyword matching for service-desk text in Polish and English: case and
 * diacritic folding, tokenizing into words, and matching word / stem / phrase
 * patterns against the tokens.
 *
 * Polish inflects heavily (faktura, faktury, fakturę, fakturze), so rule
 * authors write stems (`faktur*`) and we fold diacritics away on both sides, so
 * a customer who types without Polish letters ("fakture") still matches.
 */

/** Letters with no Unicode decomposition that users nevertheless type "without the accent". */
const SPECIAL_FOLDS: Readonly<Record<string, string>> = {
  ł: 'l',
  ß: 'ss',
  đ: 'd',
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ı: 'i',
  þ: 'th',
};
const SPECIAL_RE = /[łßđøæœıþ]/g;
const MARKS_RE = /\p{M}+/gu;
const WORD_RE = /^[\p{L}\p{N}]+$/u;
const MARK_RE = /^\p{M}+$/u;
// eslint-disable-next-line no-control-regex -- the whole ASCII range, control characters included, needs no Unicode folding
const ASCII_RE = /^[\x00-\x7f]*$/;
/** A `*` that does not directly end a word (leading, alone, or in the middle). */
const MISPLACED_STAR_RE = /(?:^|[^\p{L}\p{N}\p{M}])\*|\*[\p{L}\p{N}\p{M}]/u;

const SEP = 0;
const WORD = 1;
const MARK = 2;

/** How one (already lower-cased) non-ASCII character folds: a word character, a combining mark to drop, or a separator. */
interface Fold {
  kind: typeof SEP | typeof WORD | typeof MARK;
  text: string;
}

/**
 * Folds of the non-ASCII characters seen so far. Computing one needs Unicode
 * normalization, so it is done once per character, not once per occurrence;
 * the cap only guards against text that cycles through the whole of Unicode.
 */
const foldTable = new Map<number, Fold>();
const FOLD_TABLE_LIMIT = 50_000;

function computeFold(ch: string): Fold {
  // NFKD also folds ligatures (ﬁ), full-width forms and super/subscripts; lower-case
  // again because compatibility forms can decompose to capitals (ℌ → H).
  const text = ch.normalize('NFKD').replace(MARKS_RE, '').toLowerCase().replace(SPECIAL_RE, (c) => SPECIAL_FOLDS[c] ?? c);
  if (text === '' && MARK_RE.test(ch)) return { kind: MARK, text: '' };
  if (text !== '' && WORD_RE.test(text)) return { kind: WORD, text };
  return { kind: SEP, text: text === '' ? ch : text };
}

function foldOf(cp: number): Fold {
  let f = foldTable.get(cp);
  if (f === undefined) {
    f = computeFold(String.fromCodePoint(cp));
    if (foldTable.size < FOLD_TABLE_LIMIT) foldTable.set(cp, f);
  }
  return f;
}

/**
 * Lower-case, compatibility-decompose, drop combining marks and map the few
 * letters that do not decompose (ł, ß…). Pure-ASCII text (most English mail)
 * is only lower-cased.
 */
export function foldText(text: string): string {
  const lower = text.toLowerCase();
  if (ASCII_RE.test(lower)) return lower;
  let out = '';
  let from = 0;
  for (let i = 0; i < lower.length; ) {
    const c = lower.charCodeAt(i);
    if (c < 128) {
      i++;
      continue;
    }
    const cp = c >= 0xd800 && c <= 0xdbff ? (lower.codePointAt(i) as number) : c;
    const width = cp > 0xffff ? 2 : 1;
    out += lower.slice(from, i) + foldOf(cp).text;
    i += width;
    from = i;
  }
  return out + lower.slice(from);
}

/**
 * Split lower-cased text into folded word tokens in one pass, without
 * building the folded string first: ASCII letters and digits are taken as
 * they are (a token made only of them is a slice of the input), other
 * characters go through the fold table. NUL becomes a token of its own, a
 * boundary between the items of an array fact. With `keepStar`, a `*` right
 * after a word stays on it (pattern parsing).
 */
function scanTokens(lower: string, keepStar: boolean): string[] {
  const tokens: string[] = [];
  const n = lower.length;
  let start = -1; // start of the current token in `lower`
  let built: string | undefined; // the token so far, once it differs from the slice
  for (let i = 0; i < n; ) {
    const c = lower.charCodeAt(i);
    if (c < 128) {
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
        if (start < 0) start = i;
        else if (built !== undefined) built += lower[i];
        i++;
        continue;
      }
      if (start >= 0) {
        let token = built ?? lower.slice(start, i);
        if (keepStar && c === 42) token += '*';
        tokens.push(token);
        start = -1;
        built = undefined;
      }
      if (c === 0) tokens.push('\0');
      i++;
      continue;
    }
    const cp = c >= 0xd800 && c <= 0xdbff ? (lower.codePointAt(i) as number) : c;
    const width = cp > 0xffff ? 2 : 1;
    const f = foldOf(cp);
    if (f.kind === SEP) {
      if (start >= 0) {
        tokens.push(built ?? lower.slice(start, i));
        start = -1;
        built = undefined;
      }
    } else if (start >= 0) {
      built = (built ?? lower.slice(start, i)) + f.text;
    } else if (f.kind === WORD) {
      start = i;
      built = f.text;
    }
    // A combining mark outside a word is dropped.
    i += width;
  }
  if (start >= 0) tokens.push(built ?? lower.slice(start));
  return tokens;
}

/** Folded word tokens (Unicode letters and digits) of a text. */
export function tokenize(text: string): string[] {
  return scanTokens(text.toLowerCase(), false);
}

/**
 * Texts with at most this many tokens are scanned (comparing precomputed
 * integer keys, which is a tight loop) instead of indexed in a Map: building
 * the Map costs more than the few dozen lookups a rule set makes on a typical
 * subject or message body. Longer texts (long mail threads) get the Map.
 */
const SCAN_LIMIT = 128;

/**
 * Lookup key of a word: its first two UTF-16 code units packed into an int32
 * (the first one alone for a one-character word). Distinct prefixes get
 * distinct keys: word characters are never NUL, so a packed pair never equals a
 * single code unit.
 */
export function indexKey(word: string): number {
  return word.length >= 2 ? ((word.charCodeAt(0) << 16) | word.charCodeAt(1)) | 0 : word.charCodeAt(0);
}

/**
 * A fact text prepared for matching. Each view is computed on first use, so an
 * operator that needs only the folded string never pays for tokenizing.
 *
 * Words and stems are found by their key (first two characters) before any
 * string comparison: a word needs `===` and a stem (`faktur*`) `startsWith`
 * only on the one or two tokens sharing its first two letters. The keys (or,
 * for long texts, a Map from key to tokens) are built once per text per
 * evaluation however many conditions read the text.
 */
export class FoldedText {
  private foldedCache: string | undefined;
  private tokensCache: readonly string[] | undefined;
  private keysCache: number[] | undefined;
  private indexCache: Map<number, string | string[]> | undefined;

  constructor(readonly raw: string) {}

  get folded(): string {
    return (this.foldedCache ??= foldText(this.raw));
  }

  /** Tokens in text order; `\0` separates the items of an array fact so a phrase never spans two items. */
  get tokens(): readonly string[] {
    return (this.tokensCache ??= tokenize(this.raw));
  }

  /**
   * indexKey of each token, for texts up to SCAN_LIMIT tokens. A plain array,
   * not an Int32Array: small typed arrays get an off-heap backing store, which
   * costs more to allocate than the whole scan saves.
   */
  private get keys(): number[] {
    if (this.keysCache !== undefined) return this.keysCache;
    const tokens = this.tokens;
    const keys: number[] = [];
    for (let i = 0; i < tokens.length; i++) keys.push(indexKey(tokens[i] as string));
    return (this.keysCache = keys);
  }

  /** Distinct tokens by key, for texts longer than SCAN_LIMIT tokens; most keys hold one token, stored bare. */
  private get index(): Map<number, string | string[]> {
    if (this.indexCache !== undefined) return this.indexCache;
    const index = new Map<number, string | string[]>();
    for (const t of this.tokens) {
      const key = indexKey(t);
      const group = index.get(key);
      if (group === undefined) index.set(key, t);
      else if (typeof group === 'string') {
        if (group !== t) index.set(key, [group, t]);
      } else if (!group.includes(t)) group.push(t);
    }
    return (this.indexCache = index);
  }

  /** Whether a token equals `word` (`key` = indexKey(word), precomputed by the caller). */
  hasWord(word: string, key: number = indexKey(word)): boolean {
    const tokens = this.tokens;
    if (tokens.length <= SCAN_LIMIT) {
      const keys = this.keys;
      for (let i = 0; i < keys.length; i++) if (keys[i] === key && tokens[i] === word) return true;
      return false;
    }
    const group = this.index.get(key);
    return group === undefined ? false : typeof group === 'string' ? group === word : group.includes(word);
  }

  /** Whether a token starts with `stem` (`key` = indexKey(stem), precomputed by the caller). */
  hasStem(stem: string, key: number = indexKey(stem)): boolean {
    const tokens = this.tokens;
    if (stem.length < 2) {
      for (const t of tokens) if (t.startsWith(stem)) return true;
      return false;
    }
    if (tokens.length <= SCAN_LIMIT) {
      const keys = this.keys;
      for (let i = 0; i < keys.length; i++) if (keys[i] === key && (tokens[i] as string).startsWith(stem)) return true;
      return false;
    }
    const group = this.index.get(key);
    if (group === undefined) return false;
    if (typeof group === 'string') return group.startsWith(stem);
    for (const t of group) if (t.startsWith(stem)) return true;
    return false;
  }
}

/**
 * The text of a fact value: a string, or the string items of an array (other
 * items are ignored) joined with NUL, which tokenizes as a boundary. Anything
 * else has no text (the operators then return false).
 */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return undefined;
  let out = '';
  let first = true;
  for (const item of value) {
    if (typeof item !== 'string') continue;
    out = first ? item : `${out}\0${item}`;
    first = false;
  }
  return first ? undefined : out;
}

/**
 * Folded texts are memoized per evaluation (keyed by the facts object), because
 * 50 rules typically look at the same subject and body: each text is folded
 * and tokenized once per ticket instead of once per condition. Keys are the
 * strings themselves, not the objects that hold them, so a rule that changes a
 * field (tags, category) mid-evaluation can never see a stale entry.
 *
 * One memo, for the evaluation that asked last: an evaluation's conditions
 * run one after another (decide() is synchronous), so a new facts object means
 * the previous evaluation is done, or is an async evaluate() waiting for a
 * lazy fact, which then folds its texts again (a cache miss, never a wrong
 * answer). Not a WeakMap keyed by facts objects, as before: its entries stay
 * until a full garbage collection, and with two evaluations per new ticket the
 * table grew by thousands of entries between two, each young-generation
 * collection walking it (ingest bench, 2026-11-30: scavenges of 6.8 ms every
 * 100 ms, 4–5 ms without it).
 */
let memoScope: object | undefined;
let memo = new Map<string, FoldedText>();
/** Bounds the memo of one evaluation; a rule set never reads anywhere near this many distinct texts. */
const MEMO_LIMIT = 256;

export function foldedText(text: string, scope?: object): FoldedText {
  if (scope === undefined) return new FoldedText(text);
  if (scope !== memoScope) {
    memoScope = scope;
    memo = new Map();
  }
  let ft = memo.get(text);
  if (ft === undefined) {
    ft = new FoldedText(text);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, ft);
  }
  return ft;
}

/** Folded text of a fact value (string or array of strings), or undefined when it has none. */
export function foldedTextOf(value: unknown, scope?: object): FoldedText | undefined {
  const text = textOf(value);
  return text === undefined ? undefined : foldedText(text, scope);
}

/** One word of a pattern: folded, and whether it is a stem (`faktur*`). */
export interface PatternWord {
  readonly text: string;
  readonly stem: boolean;
}

/** A word or phrase pattern: one or more words matched on consecutive tokens. */
export type TextPattern = readonly PatternWord[];

/** Why a pattern string is unusable, or undefined when it is fine. */
export function patternProblem(pattern: string): string | undefined {
  if (MISPLACED_STAR_RE.test(pattern)) return `"${pattern}" has a "*" that does not end a word (only a trailing "*" is supported, e.g. faktur*)`;
  if (parsePattern(pattern).length === 0) return `"${pattern}" has no letters or digits`;
  return undefined;
}

/** `"Awari* krytyczn*"` → `[{text:'awari', stem:true}, {text:'krytyczn', stem:true}]`. */
export function parsePattern(pattern: string): TextPattern {
  const words = scanTokens(pattern.toLowerCase(), true);
  return words.map((w) => (w.endsWith('*') ? { text: w.slice(0, -1), stem: true } : { text: w, stem: false }));
}

function wordMatches(token: string, word: PatternWord): boolean {
  return word.stem ? token.startsWith(word.text) : token === word.text;
}

function phraseAt(tokens: readonly string[], start: number, phrase: TextPattern): boolean {
  for (let j = 0; j < phrase.length; j++) {
    if (!wordMatches(tokens[start + j] as string, phrase[j] as PatternWord)) return false;
  }
  return true;
}

/** Whether the pattern (a single word or a phrase) occurs in the text. */
export function matchesPattern(text: FoldedText, pattern: TextPattern): boolean {
  const first = pattern[0];
  if (first === undefined) return false;
  // Set / binary-search lookups answer single words without scanning the text,
  // and reject most phrases before the scan.
  for (const w of pattern) {
    if (!(w.stem ? text.hasStem(w.text) : text.hasWord(w.text))) return false;
  }
  if (pattern.length === 1) return true;
  const tokens = text.tokens;
  const last = tokens.length - pattern.length;
  for (let i = 0; i <= last; i++) {
    if (wordMatches(tokens[i] as string, first) && phraseAt(tokens, i, pattern)) return true;
  }
  return false;
}

/**
 * A predicate over folded text for a list of patterns, pre-split by kind so the
 * common case (plain words) is a handful of Set lookups.
 */
export function compilePatterns(patterns: readonly string[], mode: 'any' | 'all'): (text: FoldedText) => boolean {
  const parsed = patterns.map(parsePattern).filter((p) => p.length > 0);
  const words: string[] = [];
  const stems: string[] = [];
  const phrases: TextPattern[] = [];
  // Duplicates (faktura listed twice, or two spellings that fold alike) are checked once.
  for (const p of parsed) {
    const only = p[0] as PatternWord;
    if (p.length > 1) phrases.push(p);
    else if (only.stem) {
      if (!stems.includes(only.text)) stems.push(only.text);
    } else if (!words.includes(only.text)) words.push(only.text);
  }
  const wordKeys = words.map(indexKey);
  const stemKeys = stems.map(indexKey);
  if (mode === 'any') {
    return (text) => {
      for (let i = 0; i < words.length; i++) if (text.hasWord(words[i] as string, wordKeys[i])) return true;
      for (let i = 0; i < stems.length; i++) if (text.hasStem(stems[i] as string, stemKeys[i])) return true;
      for (const p of phrases) if (matchesPattern(text, p)) return true;
      return false;
    };
  }
  return (text) => {
    if (parsed.length === 0) return false;
    for (let i = 0; i < words.length; i++) if (!text.hasWord(words[i] as string, wordKeys[i])) return false;
    for (let i = 0; i < stems.length; i++) if (!text.hasStem(stems[i] as string, stemKeys[i])) return false;
    for (const p of phrases) if (!matchesPattern(text, p)) return false;
    return true;
  };
}
