import { extname } from 'node:path';
import type { CustomerLookup } from '../lib/connector.js';
import type { FactObject } from '../../rules/lib/rule-types.js';
import { isForbiddenKey, resolvePath } from '../../rules/lib/dotted-path.js';
import { coerceValue, FIELD_TYPES, type FieldType } from '../../engine/enrichment/coerce-value.js';
import type { CompiledCustomerMapping } from '../../engine/enrichment/customer-mapping.js';
import { normalizeDomain, normalizeEmail, normalizePhone } from '../../engine/tickets/customer-identity.js';
import { parseCsv } from './parse-csv.js';

export type CustomerFileFormat = 'csv' | 'json';

export interface CustomerFileOptions {
  format?: CustomerFileFormat;
  /** Paths in a record holding its e-mail, phone and domain (several values: an array or "a;b"). */
  keys: { email: string; phone: string; domain: string };
  mapping: CompiledCustomerMapping;
  /** Country calling code for phone numbers written without one, as for tickets (R7). */
  defaultCountryCode?: string;
  /** CSV delimiter; `,` by default (`;` is common in Polish Excel exports). */
  delimiter?: string;
}

/** The customers of one version of the file, indexed by normalized e-mail, phone and domain. */
export interface CustomerIndex {
  size: number;
  /** Strongest identity first, as for tickets: e-mail, then phone, then domain. */
  lookup(query: CustomerLookup): FactObject | undefined;
  /** Things worth telling the operator that did not make the file unusable (duplicate keys, rows without a key). */
  warnings: string[];
}

/** `customers.csv` → csv; anything but .csv is read as JSON unless the format is given. */
export function customerFileFormat(path: string, format?: CustomerFileFormat): CustomerFileFormat {
  return format ?? (extname(path).toLowerCase() === '.csv' ? 'csv' : 'json');
}

/**
 * Parse a customer file. A file that is not what it claims to be (syntax, a
 * value that does not fit its declared type, a row with the wrong number of
 * cells) throws: better to keep serving the previous version than half of a
 * broken one.
 */
export function parseCustomerFile(text: string, path: string, options: CustomerFileOptions): CustomerIndex {
  const records = customerFileFormat(path, options.format) === 'csv' ? csvRecords(text, options.delimiter ?? ',') : jsonRecords(text);
  const byKey = new Map<string, FactObject>();
  const warnings: string[] = [];
  let size = 0;
  for (const { where, record } of records) {
    const keys = recordKeys(record, options);
    if (keys.length === 0) {
      warnings.push(`${where}: no ${options.keys.email}, ${options.keys.phone} or ${options.keys.domain}; the customer cannot be found`);
      continue;
    }
    const mapped = options.mapping.apply(record);
    for (const problem of mapped.problems) warnings.push(`${where}: ${problem}`);
    size++;
    for (const key of keys) {
      if (byKey.has(key)) warnings.push(`${where}: ${key} is already used by an earlier customer, which wins`);
      else byKey.set(key, mapped.fact);
    }
  }
  return {
    size,
    warnings,
    lookup(query) {
      const email = normalizeEmail(query.email);
      const phone = normalizePhone(query.phone, options.defaultCountryCode);
      const domain = normalizeDomain(query.domain);
      const candidates = [email && `email:${email}`, phone && `phone:${phone}`, domain && `domain:${domain}`];
      for (const key of candidates) {
        const fact = key ? byKey.get(key) : undefined;
        // A copy per lookup: the caller may hand it to code that mutates.
        if (fact !== undefined) return structuredClone(fact);
      }
      return undefined;
    },
  };
}

interface SourceRecord {
  where: string;
  record: Record<string, unknown>;
}

function recordKeys(record: Record<string, unknown>, options: CustomerFileOptions): string[] {
  const keys: string[] = [];
  const add = (kind: string, raw: unknown, normalize: (v: string) => string | undefined): void => {
    const values = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(';') : [];
    for (const v of values) {
      const n = typeof v === 'string' ? normalize(v) : undefined;
      if (n !== undefined && !keys.includes(`${kind}:${n}`)) keys.push(`${kind}:${n}`);
    }
  };
  add('email', resolvePath(record, options.keys.email), (v) => normalizeEmail(v));
  add('phone', resolvePath(record, options.keys.phone), (v) => normalizePhone(v, options.defaultCountryCode));
  add('domain', resolvePath(record, options.keys.domain), (v) => normalizeDomain(v));
  return keys;
}

function jsonRecords(text: string): SourceRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const list = Array.isArray(data) ? data : isObject(data) && Array.isArray(data.customers) ? data.customers : undefined;
  if (list === undefined) throw new Error('expected a JSON array of customers (or { "customers": [...] })');
  return list.map((record, i) => {
    if (!isObject(record)) throw new Error(`customer ${i + 1} is not an object`);
    return { where: `customer ${i + 1}`, record };
  });
}

interface Column {
  segments: string[];
  type: FieldType | undefined;
}

/**
 * The header row names the fields: `contract.active` builds a nested field,
 * `:type` declares a type (`vip:boolean`, `arrShare:number`,
 * `products:list`), since every CSV cell is text.
 */
function csvRecords(text: string, delimiter: string): SourceRecord[] {
  const rows = parseCsv(text, delimiter);
  const header = rows.shift();
  if (header === undefined) throw new Error('the file is empty (a CSV needs a header row)');
  const seen = new Set<string>();
  const columns: Column[] = header.cells.map((cell, i) => {
    const [rawName = '', rawType, ...rest] = cell.trim().split(':');
    const name = rawName.trim();
    const type = rawType?.trim();
    const segments = name.split('.');
    if (name === '' || segments.some((s) => s === '' || isForbiddenKey(s))) throw new Error(`header column ${i + 1} ("${cell}") is not a usable field name`);
    if (rest.length > 0 || (type !== undefined && !(FIELD_TYPES as readonly string[]).includes(type))) {
      throw new Error(`header column ${i + 1} ("${cell}"): the type after ":" must be one of ${FIELD_TYPES.join(', ')}`);
    }
    if (seen.has(name)) throw new Error(`header column ${i + 1}: "${name}" appears twice`);
    seen.add(name);
    return { segments, type: type as FieldType | undefined };
  });
  return rows.map((row) => {
    if (row.cells.length !== columns.length) throw new Error(`line ${row.line}: ${row.cells.length} cells, the header has ${columns.length}`);
    const record: Record<string, unknown> = {};
    columns.forEach((column, i) => {
      const coerced = coerceValue(row.cells[i], column.type);
      if (!coerced.ok) throw new Error(`line ${row.line}, column ${column.segments.join('.')}: ${coerced.problem}`);
      if (coerced.value !== undefined) setPath(record, column.segments, coerced.value, row.line);
    });
    return { where: `line ${row.line}`, record };
  });
}

function setPath(target: Record<string, unknown>, segments: readonly string[], value: unknown, line: number): void {
  let node = target;
  segments.forEach((key, i) => {
    if (i === segments.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (next !== undefined && !isObject(next)) throw new Error(`line ${line}: "${segments.slice(0, i + 1).join('.')}" is both a value and a group`);
    node[key] = next ?? {};
    node = node[key] as Record<string, unknown>;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
