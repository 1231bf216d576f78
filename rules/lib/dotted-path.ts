/**
 * Plain dotted paths (`subject`, `from.domain`, `attachments.length`, `tags.0`)
 * into fact values. This replaces json-rules-engine's default JSONPath resolver
 * (jsonpath-plus, which had an RCE CVE): a path is split once, at rule-load
 * time, and walked with own-property lookups only.
 */

/**
 * Keys that would reach the prototype chain or a constructor. They resolve to
 * undefined even when an object has them as own properties (JSON.parse creates
 * an own `__proto__`), so a rule can never read or compare object internals.
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const hasOwn = Object.prototype.hasOwnProperty;

export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key);
}

/**
 * `$.from.domain` → `['from', 'domain']`. The `$.` prefix is accepted because
 * json-rules-engine rules written for its JSONPath resolver carry it; `$` alone
 * and the empty string mean "the fact itself".
 */
export function splitPath(path: string | undefined): readonly string[] {
  if (path === undefined) return [];
  const p = path.startsWith('$.') ? path.slice(2) : path === '$' ? '' : path;
  return p === '' ? [] : p.split('.');
}

/**
 * One step of a walk: an own property of an object, array or string (so
 * `length` and numeric indexes work on arrays and strings), else undefined.
 */
export function getOwn(value: unknown, key: string): unknown {
  if (value === null || value === undefined) return undefined;
  const t = typeof value;
  if (t !== 'object' && t !== 'string') return undefined;
  if (FORBIDDEN_KEYS.has(key)) return undefined;
  return hasOwn.call(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** Walk pre-split segments; a missing step yields undefined. */
export function resolveSegments(value: unknown, segments: readonly string[]): unknown {
  let v = value;
  for (const key of segments) {
    v = getOwn(v, key);
    if (v === undefined) return undefined;
  }
  return v;
}

/** Resolve a dotted path (optionally `$.`-prefixed) inside `value`; no path returns `value`. */
export function resolvePath(value: unknown, path: string | undefined): unknown {
  return resolveSegments(value, splitPath(path));
}
