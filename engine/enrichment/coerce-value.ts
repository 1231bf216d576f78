/**
 * The few types a CRM field can be declared as. CRMs and CSV files hand out
 * strings (`"true"`, `"0.12"`, `"a;b"`); rules compare typed values, and a
 * condition `contract.active equal true` must not silently miss `"true"`.
 */
export const FIELD_TYPES = ['string', 'number', 'boolean', 'list'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export type Coerced = { ok: true; value: unknown } | { ok: false; problem: string };

const TRUE_WORDS: ReadonlySet<string> = new Set(['true', 'yes', 'y', '1', 'on', 'tak']);
const FALSE_WORDS: ReadonlySet<string> = new Set(['false', 'no', 'n', '0', 'off', 'nie']);

/**
 * Coerce one value. Missing, null and empty-string values become undefined
 * (the field is left out) for every type: "no value" must read the same
 * whether the CRM omitted the property or sent it blank. Without a type the
 * value is kept as it came.
 */
export function coerceValue(value: unknown, type: FieldType | undefined): Coerced {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return { ok: true, value: undefined };
  switch (type) {
    case undefined:
      return { ok: true, value };
    case 'string':
      if (typeof value === 'string') return { ok: true, value };
      if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
      return fail(value, 'a string');
    case 'number': {
      if (typeof value === 'number') return Number.isFinite(value) ? { ok: true, value } : fail(value, 'a number');
      if (typeof value !== 'string') return fail(value, 'a number');
      const text = value.trim();
      // A decimal comma ("0,12") is how Polish spreadsheets write numbers; thousands separators are not guessed.
      const normalized = /^[+-]?\d+,\d+$/.test(text) ? text.replace(',', '.') : text;
      const n = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(normalized) ? Number(normalized) : Number.NaN;
      return Number.isFinite(n) ? { ok: true, value: n } : fail(value, 'a number');
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 1 || value === 0) return { ok: true, value: value === 1 };
      if (typeof value !== 'string') return fail(value, 'a boolean');
      const word = value.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return { ok: true, value: true };
      if (FALSE_WORDS.has(word)) return { ok: true, value: false };
      return fail(value, 'a boolean');
    }
    case 'list': {
      // HubSpot multi-select properties and CSV cells write lists as "a;b;c".
      const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(';') : [value];
      const out: string[] = [];
      for (const item of items) {
        if (typeof item === 'string') {
          if (item.trim() !== '') out.push(item.trim());
        } else if (typeof item === 'number' || typeof item === 'boolean') {
          out.push(String(item));
        } else if (item !== null && item !== undefined) {
          return fail(value, 'a list of strings');
        }
      }
      return { ok: true, value: out };
    }
  }
}

function fail(value: unknown, expected: string): Coerced {
  const shown = JSON.stringify(value) ?? String(value);
  return { ok: false, problem: `${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown} is not ${expected}` };
}
