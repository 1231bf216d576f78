import { compileSafeRegex } from '../../rules/lib/regex-safety.js';
import { TriageError } from '../errors/triage-error.js';

/**
 * Where an order number was found: a ticket field (a form's `orderNumber`,
 * API data) or the subject/body text through a pattern.
 */
export interface FoundOrderNumber {
  number: string;
  source: 'field' | 'text';
}

export const DEFAULT_ORDER_FIELDS: readonly string[] = ['orderNumber', 'order_number', 'orderId'];

/**
 * Default patterns, first capture group = the number; case-insensitive and
 * Unicode. Polish writes the noun inflected and often without diacritics:
 * "zamówienie nr 12345", "do zamówienia 12345", "w zamowieniu numer 12345",
 * "nr zamówienia: 12345", "zam. 12345"; English "order 12345", "order no.
 * 12345", "order #12345"; and a bare "#12345". At least 3 digits, so "zamówienie
 * nr 2" in a sentence is not taken for an order.
 */
export const DEFAULT_ORDER_PATTERNS: readonly string[] = [
  String.raw`zam[oó]wie[nń][a-ząęóśłżźćń]*\s*(?:nr|numer|no)?\.?\s*:?\s*#?\s*(\d{3,12})(?!\d)`,
  String.raw`(?:nr|numer)\.?\s+zam(?:[oó]wienia|\.)?\s*:?\s*#?\s*(\d{3,12})(?!\d)`,
  String.raw`\border\s*(?:no|nr|number|id)?\.?\s*:?\s*#?\s*(\d{3,12})(?!\d)`,
  String.raw`\bzam\.\s*(?:nr)?\.?\s*(\d{3,12})(?!\d)`,
  String.raw`(?:^|[^\w&])#(\d{3,12})(?!\d)`,
];

/** Characters of subject and body searched: order numbers sit near the top, and it bounds regex time. */
const MAX_TEXT = 20_000;

export interface OrderNumberSource {
  subject: string | null;
  text: string | null;
  /** The ticket's data (form fields under `form.fields`, API extras at the top). */
  data: Record<string, unknown>;
}

/**
 * Finds the order number a ticket or message carries: the configured fields
 * first (a form asked for it explicitly), then the patterns over the subject,
 * then over the body. Patterns are screened like rule regexes, so one careless
 * `(\d+\s?)+` cannot let a crafted e-mail stall ticket creation.
 */
export class OrderNumberExtractor {
  private readonly fields: readonly string[];
  private readonly patterns: readonly RegExp[];

  constructor(options: { fields?: readonly string[]; patterns?: readonly string[] } = {}) {
    this.fields = options.fields ?? DEFAULT_ORDER_FIELDS;
    this.patterns = (options.patterns ?? DEFAULT_ORDER_PATTERNS).map(compilePattern);
  }

  find(source: OrderNumberSource): FoundOrderNumber | undefined {
    const fromField = this.fromFields(source.data);
    if (fromField !== undefined) return { number: fromField, source: 'field' };
    for (const text of [source.subject, source.text]) {
      if (text === null || text === '') continue;
      const sample = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
      for (const pattern of this.patterns) {
        const m = pattern.exec(sample);
        const number = m?.[1] ?? m?.[0];
        if (number !== undefined && number.trim() !== '') return { number: number.trim(), source: 'text' };
      }
    }
    return undefined;
  }

  private fromFields(data: Record<string, unknown>): string | undefined {
    const form = asObject(data.form);
    const places = [data, asObject(form?.fields), asObject(data.fields)];
    for (const name of this.fields) {
      for (const place of places) {
        const value = place === undefined || !Object.hasOwn(place, name) ? undefined : place[name];
        const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim().replace(/^#\s*/, '') : '';
        // A field may hold "12345" or "Zamówienie 12345": the number is what is looked up.
        if (/^[A-Za-z0-9][A-Za-z0-9/_-]{0,63}$/.test(text)) return text;
        const digits = /(\d{3,12})/.exec(text)?.[1];
        if (digits !== undefined) return digits;
      }
    }
    return undefined;
  }
}

/** A configured pattern, compiled with flags `iu` after the rule-regex safety checks. */
export function compilePattern(pattern: string): RegExp {
  const compiled = compileSafeRegex(pattern, 'iu');
  if (!compiled.ok) throw new TriageError('TRIAGE_ORDER_PATTERN_INVALID', [JSON.stringify(pattern), compiled.code === 'TRIAGE_RULE_UNSAFE_REGEX' ? 'it can backtrack catastrophically on crafted text' : String(compiled.args[1])]);
  return compiled.regex;
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
