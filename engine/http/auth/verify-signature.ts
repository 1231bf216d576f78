import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-triage-signature';
export const TIMESTAMP_HEADER = 'x-triage-timestamp';
/** Replays older than this are refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** `sha256=<hex>` over `<timestamp>.<raw body>` — the same scheme outbound webhooks use. */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Returns undefined when valid, else the reason. Constant-time comparison. */
export function checkSignature(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  nowSeconds: number,
): string | undefined {
  if (!headers.signature || !headers.timestamp) return `missing ${headers.signature ? TIMESTAMP_HEADER : SIGNATURE_HEADER} header`;
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts)) return `${TIMESTAMP_HEADER} must be unix seconds`;
  if (Math.abs(nowSeconds - ts) > SIGNATURE_TOLERANCE_SECONDS) return `timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} s away from the server clock`;
  const expected = Buffer.from(signPayload(secret, ts, body));
  const given = Buffer.from(headers.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'signature does not match';
  return undefined;
}
