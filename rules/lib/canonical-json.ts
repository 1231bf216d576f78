/**
 * JSON with object keys sorted (by UTF-16 code units, Array#sort's default
 * order) and undefined members left out, as JSON.stringify leaves them out:
 * equal content gives equal text whatever its key order or formatting. The
 * rule-set version hashes rule files with it, and the HTTP API's request
 * fingerprint hashes request bodies with it (stored with each ticket: the
 * text must never change). Built with loops: it runs on every created ticket.
 */
export function canonicalJson(value: unknown): string {
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
