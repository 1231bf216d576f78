/** Keys whose values never leave the server, whatever a rule author put there. */
const SECRET_KEY = /(token|secret|password|passwd|api[-_]?key|authorization|credential|private[-_]?key|signature)/i;

export const MASK = '***';

/**
 * A copy of outbox params for API and CLI output with every value under a
 * secret-looking key replaced by `***`, at any depth. Params are rendered
 * rule params and should hold no secrets (those live in connections.yaml),
 * but a rule author may still have pasted one; the API must not echo it.
 */
export function maskSecretParams(params: Record<string, unknown>): Record<string, unknown> {
  return maskValue(params) as Record<string, unknown>;
}

function maskValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskValue);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = SECRET_KEY.test(key) ? MASK : maskValue(v);
  return out;
}

/**
 * Error text is stored and shown; strip what commonly carries credentials in
 * library error messages: user:password@ in URLs, bearer tokens, and
 * `token=`/`key=` style query parameters.
 */
export function redactSecretText(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, `$1${MASK}@`)
    .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${MASK}`)
    .replace(/([?&](?:access_token|token|api_key|apikey|key|secret|password|sig|signature)=)[^&\s]+/gi, `$1${MASK}`)
    .slice(0, 2000);
}
