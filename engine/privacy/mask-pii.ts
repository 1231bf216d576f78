import { TriageError } from '../errors/triage-error.js';
import { ALLOWED_REGEX_FLAGS, compileSafeRegex } from '../../rules/lib/regex-safety.js';
import { isLuhnValid } from './is-luhn-valid.js';
import { isValidIban, IBAN_LENGTHS } from './is-valid-iban.js';
import { isValidPesel } from './is-valid-pesel.js';

/**
 * PII masking (R20): payment card numbers, PESEL numbers and IBANs found in
 * free text are replaced by `*`, keeping the last four characters (and an
 * IBAN's country code) so an agent can still tell which card or account the
 * customer meant: `**** **** **** 1234`, `PL** **** … 1234`, `*******1359`.
 * Separators stay where they were.
 *
 * Every detector validates a checksum, so numbers that merely look similar
 * (order numbers, phone numbers, dates, invoice numbers) stay readable:
 * - card: 13–19 digits, unbroken or in the usual groups (4-4-4-4[-1..4],
 *   4-6-5, 4-6-4) separated by spaces or dashes, first digit 2–6 (the payment
 *   card industries; 13 digits only for Visa's 4), Luhn check;
 * - PESEL: 11 digits with a valid check digit and a birth date between 1900
 *   and today;
 * - IBAN: country code + check digits + the country's exact length, mod-97
 *   check; with or without spaces, any case. A Polish account number written
 *   without "PL" (26 digits, NRB) counts when it passes as a PL IBAN;
 * - extra patterns from the configuration (privacy.extraPatterns).
 *
 * A number glued to letters or to other digit groups ("INV4111…", "12 4111 …")
 * is not taken apart: a card in the middle of a longer number is far more
 * likely to be a coincidence than a card.
 */
export interface PiiMasker {
  /** `text` with every detected card number, PESEL, IBAN and extra pattern masked. */
  mask(text: string): string;
}

export interface PiiMaskerOptions {
  /**
   * Extra regular expressions (privacy.extraPatterns): `pattern` or
   * `/pattern/flags` with flags from i, m, s, u. Screened like rule regexes
   * (rules/lib/regex-safety.ts). The whole match is masked; matches of eight
   * or more letters and digits keep their last four.
   */
  extraPatterns?: readonly string[];
  /** Clock for the PESEL birth-date check. */
  today?: () => Date;
}

/** Characters a mask replaces; everything else (spaces, dashes, dots) stays. */
const MASKABLE = /[\p{L}\p{N}]/u;
const MASK_CHAR = '*';
const KEEP_LAST = 4;

// Lookarounds keep a match from starting or ending inside a longer word or digit run.
const NOT_AFTER = String.raw`(?<![\p{L}\p{N}]|\d[ -]|\+)`;
const NOT_BEFORE = String.raw`(?![\p{L}\p{N}]|[ -]\d)`;
const IBAN = /(?<![\p{L}\p{N}])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){10,30}/gu;
const NRB = new RegExp(`${NOT_AFTER}\\d{2}(?: ?\\d{4}){6}${NOT_BEFORE}`, 'gu');
const CARD = new RegExp(`${NOT_AFTER}(?:\\d{13,19}|\\d{4}(?:[ -]\\d{4}){2,3}[ -]\\d{1,4}|\\d{4}[ -]\\d{6}[ -]\\d{4,5})${NOT_BEFORE}`, 'gu');
const PESEL = new RegExp(`${NOT_AFTER}\\d{11}${NOT_BEFORE}`, 'gu');

/**
 * Replace letters and digits of `value` by `*`, except the first `keepFirst`
 * and the last `keepLast` of them. Separators are kept.
 */
export function maskKeeping(value: string, keepLast: number, keepFirst = 0): string {
  const chars = Array.from(value);
  const total = chars.filter((c) => MASKABLE.test(c)).length;
  let seen = 0;
  return chars
    .map((c) => {
      if (!MASKABLE.test(c)) return c;
      const i = seen++;
      return i < keepFirst || i >= total - keepLast ? c : MASK_CHAR;
    })
    .join('');
}

/** A masker with the built-in detectors plus `extraPatterns`; throws TRIAGE_CONFIG_INVALID for a bad or unsafe pattern. */
export function createPiiMasker(options: PiiMaskerOptions = {}): PiiMasker {
  const problems = checkExtraPatterns(options.extraPatterns ?? []);
  if (problems.length > 0) throw new TriageError('TRIAGE_CONFIG_INVALID', ['privacy.extraPatterns', problems.join('; ')]);
  const extras = (options.extraPatterns ?? []).map(compileExtraPattern);
  const today = options.today ?? (() => new Date());
  return {
    mask(text: string): string {
      if (text === '' || (extras.length === 0 && !/\d/.test(text))) return text;
      let out = text;
      if (/\d/.test(out)) {
        const now = today();
        out = maskIbans(out);
        out = replaceWhere(out, NRB, (m) => (isValidIban(`PL${digitsOf(m)}`) ? maskKeeping(m, KEEP_LAST) : undefined));
        out = replaceWhere(out, CARD, (m) => (isCardNumber(digitsOf(m)) ? maskKeeping(m, KEEP_LAST) : undefined));
        out = replaceWhere(out, PESEL, (m) => (isValidPesel(m, now) ? maskKeeping(m, KEEP_LAST) : undefined));
      }
      for (const extra of extras) {
        out = out.replace(extra.regex, (m) => {
          const n = Array.from(m).filter((c) => MASKABLE.test(c)).length;
          return maskKeeping(m, n >= 2 * KEEP_LAST ? KEEP_LAST : 0);
        });
      }
      return out;
    },
  };
}

const builtIn = createPiiMasker();

/** Mask with the built-in detectors only (no configured extra patterns; see privacySettings() for those). */
export function maskPii(text: string): string {
  return builtIn.mask(text);
}

/** Problems with configured extra patterns, one message each (empty when all are fine). */
export function checkExtraPatterns(patterns: readonly string[]): string[] {
  const problems: string[] = [];
  patterns.forEach((p, i) => {
    const { pattern, flags } = splitPattern(p);
    if (pattern === '') {
      problems.push(`[${i}] is empty`);
      return;
    }
    if ([...flags].some((f) => !ALLOWED_REGEX_FLAGS.includes(f))) {
      problems.push(`[${i}] ${p}: flags may only be ${[...ALLOWED_REGEX_FLAGS].join(', ')}`);
      return;
    }
    const compiled = compileSafeRegex(pattern, flags);
    if (!compiled.ok) problems.push(`[${i}] ${compiled.code === 'TRIAGE_RULE_UNSAFE_REGEX' ? `${String(compiled.args[0])} can backtrack catastrophically` : `invalid regular expression ${compiled.args.join(': ')}`}`);
    else if (compiled.regex.test('')) problems.push(`[${i}] ${p} matches the empty string`);
  });
  return problems;
}

function splitPattern(p: string): { pattern: string; flags: string } {
  const literal = /^\/(.+)\/([a-z]*)$/s.exec(p);
  return literal ? { pattern: literal[1] ?? '', flags: literal[2] ?? '' } : { pattern: p, flags: '' };
}

function compileExtraPattern(p: string): { regex: RegExp } {
  const { pattern, flags } = splitPattern(p);
  return { regex: new RegExp(pattern, `${flags}g`) };
}

function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}

/**
 * 13 digits are only ever an old Visa (leading 4); the rule keeps EAN-13
 * product codes (590… in Poland) out, which pass Luhn one time in ten.
 */
function isCardNumber(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19 || !/^[2-6]/.test(digits)) return false;
  if (digits.length === 13 && !digits.startsWith('4')) return false;
  return isLuhnValid(digits);
}

/**
 * Replace the matches of a global regex for which `replacement` returns a
 * string; other matches stay. The regexes are module-level, so lastIndex is
 * reset by String#replace itself.
 */
function replaceWhere(text: string, regex: RegExp, replacement: (match: string) => string | undefined): string {
  return text.replace(regex, (m) => replacement(m) ?? m);
}

/**
 * IBANs written with spaces have no natural end ("PL61 1090 … 2874 PLN"), so
 * the match is greedy and then cut to the exact length the country code
 * dictates. Scanning resumes right after what was taken, so two IBANs in a row
 * are both found.
 */
function maskIbans(text: string): string {
  let out = '';
  let from = 0;
  const re = new RegExp(IBAN.source, IBAN.flags);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const start = m.index;
    const length = IBAN_LENGTHS[text.slice(start, start + 2).toUpperCase()];
    const end = length === undefined ? -1 : endAfterAlnum(text, start, length);
    const candidate = end < 0 ? '' : text.slice(start, end);
    if (end >= 0 && !MASKABLE.test(text[end] ?? '') && isValidIban(candidate)) {
      out += text.slice(from, start) + maskKeeping(candidate, KEEP_LAST, 2);
      from = end;
      re.lastIndex = end;
    } else {
      // Not an IBAN here; a real one may still start inside this match (after a space).
      re.lastIndex = start + 1;
    }
  }
  return out + text.slice(from);
}

/** Index just after the `count`-th letter or digit from `start`, allowing single spaces between them; -1 if the text ends first. */
function endAfterAlnum(text: string, start: number, count: number): number {
  let seen = 0;
  let i = start;
  while (i < text.length && seen < count) {
    const c = text[i] ?? '';
    if (/[A-Za-z0-9]/.test(c)) seen++;
    else if (!(c === ' ' && /[A-Za-z0-9]/.test(text[i + 1] ?? '') && seen > 0)) return -1;
    i++;
  }
  return seen === count ? i : -1;
}
