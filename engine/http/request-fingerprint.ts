import { createHash } from 'node:crypto';
import { canonicalJson } from '../../rules/lib/canonical-json.js';

/**
 * A digest of a JSON request body that ignores key order and whitespace, so
 * a client retrying with the same content (re-serialized by another library)
 * gets the same fingerprint. Used to tell an idempotent retry from a key
 * reused for a different request.
 */
export function requestFingerprint(body: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(body)).digest('hex')}`;
}
