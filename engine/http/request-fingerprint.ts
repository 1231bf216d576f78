import { createHash } from 'node:crypto';

/**
 * A digest of a JSON request body that ignores key order and whitespace, so
 * a client retrying with the same content (re-serialized by another library)
 * gets the same fingerprint. Used to tell an idempotent retry from a key
 * reused for a different request.
 */
export function requestFingerprint(body: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(body)).digest('hex')}`;
}

/**
 * Keys sorted by UTF-16 code units (Array#sort's default order), undefined
 * values left out as JSON.stringify leaves them out. Built with a loop: it
 * runs on every created ticket.
 */
function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}
