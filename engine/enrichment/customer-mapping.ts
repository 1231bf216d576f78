import { isForbiddenKey, resolveSegments, splitPath } from '../../rules/lib/dotted-path.js';
import type { FactObject } from '../../rules/lib/rule-types.js';
import { coerceValue, FIELD_TYPES, type FieldType } from './coerce-value.js';

/**
 * How a CRM record becomes our `customer` fact (R8). Each field of the fact
 * names a plain dotted path into the record, optionally with a type the value
 * is coerced to (CRMs such as HubSpot return every property as a string, and
 * `contract.active equal true` must not silently fail on `"true"`). Nested
 * objects build nested fact fields:
 *
 *   { name: properties.name,
 *     vip: { path: properties.vip, type: boolean },
 *     contract: { active: { path: properties.sla_active, type: boolean }, level: properties.sla_level } }
 *
 * An object with a string `path` is a field, any other object a group.
 */
export type CustomerMapping = { [field: string]: string | FieldSpec | CustomerMapping };

export interface FieldSpec {
  path: string;
  type?: FieldType;
}

/** `enrichment` is ours: it says whether the CRM answered (docs/enrichment.md). */
export const RESERVED_FACT_FIELDS: ReadonlySet<string> = new Set(['enrichment']);

export interface MappedCustomer {
  fact: FactObject;
  /** Values that did not fit their declared type (the field is left out), e.g. `vip: "maybe" is not a boolean`. */
  problems: string[];
}

export interface CompiledCustomerMapping {
  apply(record: unknown): MappedCustomer;
}

type Node = { kind: 'field'; name: string; segments: readonly string[]; type: FieldType | undefined } | { kind: 'group'; name: string; children: Node[] };

/**
 * Check a mapping once, when the connection is created, so a typo fails at
 * start-up rather than as a silently missing fact. Throws an Error whose
 * message says which field is wrong; the connector wraps it in its coded error.
 */
export function compileCustomerMapping(mapping: unknown): CompiledCustomerMapping {
  if (!isPlainObject(mapping)) throw new Error('must be an object of fact field → record path');
  if (Object.keys(mapping).length === 0) throw new Error('is empty; leave it out to take the record as it is');
  const nodes = compileGroup(mapping, '', true);
  return {
    apply(record) {
      const problems: string[] = [];
      const fact = applyGroup(nodes, record, '', problems);
      return { fact, problems };
    },
  };
}

/** Without a mapping the record is the fact, minus anything that could reach object internals. */
export function identityMapping(): CompiledCustomerMapping {
  return {
    apply(record) {
      const fact: FactObject = {};
      if (isPlainObject(record)) {
        for (const [key, value] of Object.entries(record)) if (!isForbiddenKey(key) && !RESERVED_FACT_FIELDS.has(key)) fact[key] = value;
      }
      return { fact, problems: [] };
    },
  };
}

function compileGroup(group: Record<string, unknown>, prefix: string, top: boolean): Node[] {
  const nodes: Node[] = [];
  for (const [name, spec] of Object.entries(group)) {
    const where = `${prefix}${name}`;
    if (name === '' || name.includes('.') || isForbiddenKey(name)) throw new Error(`"${where}" is not a usable field name`);
    if (top && RESERVED_FACT_FIELDS.has(name)) throw new Error(`"${name}" is set by triage itself (whether the CRM answered) and cannot be mapped`);
    if (typeof spec === 'string') {
      nodes.push({ kind: 'field', name, segments: compilePath(spec, where), type: undefined });
    } else if (isPlainObject(spec) && typeof spec.path === 'string') {
      const extra = Object.keys(spec).filter((k) => k !== 'path' && k !== 'type');
      if (extra.length > 0) throw new Error(`"${where}" has unknown key(s) ${extra.join(', ')} (a field takes path and type)`);
      const type = spec.type;
      if (type !== undefined && !(FIELD_TYPES as readonly unknown[]).includes(type)) {
        throw new Error(`"${where}" has type ${JSON.stringify(type)}; types are ${FIELD_TYPES.join(', ')}`);
      }
      nodes.push({ kind: 'field', name, segments: compilePath(spec.path, where), type: type as FieldType | undefined });
    } else if (isPlainObject(spec)) {
      if (Object.keys(spec).length === 0) throw new Error(`"${where}" is an empty group`);
      nodes.push({ kind: 'group', name, children: compileGroup(spec, `${where}.`, false) });
    } else {
      throw new Error(`"${where}" must be a dotted path, { path, type } or a group of fields`);
    }
  }
  return nodes;
}

function compilePath(path: string, where: string): readonly string[] {
  const segments = splitPath(path);
  if (segments.length === 0 || segments.some((s) => s === '')) throw new Error(`"${where}" has an empty path segment in "${path}"`);
  const forbidden = segments.find(isForbiddenKey);
  if (forbidden !== undefined) throw new Error(`"${where}" reads "${forbidden}", which is never resolved`);
  return segments;
}

function applyGroup(nodes: readonly Node[], record: unknown, prefix: string, problems: string[]): FactObject {
  const out: FactObject = {};
  for (const node of nodes) {
    if (node.kind === 'group') {
      const child = applyGroup(node.children, record, `${prefix}${node.name}.`, problems);
      if (Object.keys(child).length > 0) out[node.name] = child;
      continue;
    }
    const raw = resolveSegments(record, node.segments);
    const coerced = coerceValue(raw, node.type);
    if (coerced.ok) {
      // Missing and empty values leave the field out: "no value" reads the same to every operator.
      if (coerced.value !== undefined) out[node.name] = coerced.value;
    } else {
      problems.push(`${prefix}${node.name}: ${coerced.problem}`);
    }
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
