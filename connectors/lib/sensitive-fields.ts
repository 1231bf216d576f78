import type { JsonSchema } from './connector.js';

export type SettingsPath = (string | number)[];

/**
 * `"x-sensitive": true` in a connector's credentials schema marks a value
 * that is a secret: it must come from the environment and is masked wherever
 * settings are shown. The mark is honoured on `properties`,
 * `additionalProperties` and `items` (e.g. every value of a header map);
 * marks inside oneOf/anyOf are not followed, so connectors put them on plain
 * properties.
 */
export function visitSensitive(schema: JsonSchema, value: unknown, visit: (path: SettingsPath, value: unknown) => void, path: SettingsPath = []): void {
  if (schema['x-sensitive'] === true) {
    visit(path, value);
    return;
  }
  if (Array.isArray(value)) {
    const items = schema.items;
    if (isSchema(items)) value.forEach((v, i) => visitSensitive(items, v, visit, [...path, i]));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const additional = schema.additionalProperties;
  for (const [key, v] of Object.entries(value)) {
    const sub = properties[key];
    if (isSchema(sub)) visitSensitive(sub, v, visit, [...path, key]);
    else if (isSchema(additional)) visitSensitive(additional, v, visit, [...path, key]);
  }
}

/** A deep copy of `settings` with every sensitive value replaced by "***". */
export function maskSensitive(schema: JsonSchema, settings: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(settings);
  visitSensitive(schema, copy, (path) => {
    let node: unknown = copy;
    for (const seg of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[seg];
    const last = path[path.length - 1];
    if (last !== undefined && node && typeof node === 'object') (node as Record<string | number, unknown>)[last] = '***';
  });
  return copy;
}

/** Every sensitive value (strings only), e.g. to scrub them from messages. */
export function sensitiveValues(schema: JsonSchema, settings: Record<string, unknown>): string[] {
  const out: string[] = [];
  visitSensitive(schema, settings, (_p, v) => {
    if (typeof v === 'string' && v !== '') out.push(v);
  });
  return out;
}

export interface CredentialField {
  name: string;
  type: string;
  required: boolean;
  /** `true`: the value is a secret; `values`: every value of this map is. */
  sensitive: boolean | 'values';
  description?: string;
  default?: unknown;
}

/** The top-level settings of a credentials schema, for `triage connectors list` and docs. */
export function describeCredentials(schema: JsonSchema): CredentialField[] {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  return Object.entries(properties).flatMap(([name, s]) => {
    if (!isSchema(s)) return [];
    const additional = s.additionalProperties;
    const sensitive = s['x-sensitive'] === true ? true : isSchema(additional) && additional['x-sensitive'] === true ? 'values' : false;
    const type = typeName(s);
    return [{ name, type, required: required.includes(name), sensitive, ...(typeof s.description === 'string' ? { description: s.description } : {}), ...(s.default === undefined ? {} : { default: s.default }) }];
  });
}

/** `string`, `string|array` (type lists, oneOf/anyOf branches), `"csv"|"json"` (enums). */
function typeName(s: JsonSchema): string {
  if (Array.isArray(s.type)) return s.type.join('|');
  if (typeof s.type === 'string') return s.type;
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join('|');
  const branches = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined;
  if (branches) return [...new Set(branches.filter(isSchema).map(typeName))].join('|');
  return 'any';
}

function isSchema(v: unknown): v is JsonSchema {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
