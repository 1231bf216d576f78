import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TriageError } from '../errors/triage-error.js';

/** What a survey token says: which ticket, until when, and its one-time id. */
export interface CsatTokenClaims {
  ticketId: string;
  /** Epoch milliseconds (whole seconds) after which the link is refused. */
  expiresAt: number;
  /** Random id: the answer is stored under it, so the token works once. */
  nonce: string;
}

const VERSION = 1;
/** Bytes of the signature kept: 128 bits, the usual truncation of an HMAC-SHA256 tag. */
const SIGNATURE_BYTES = 16;
const NONCE_BYTES = 9;
const HEADER_BYTES = 1 + 4 + NONCE_BYTES;

/**
 * `<payload>.<signature>`, both base64url, short enough for a URL path
 * segment (Fastify allows 100 characters): the payload is binary — version
 * (1 byte), expiry in epoch seconds (uint32), nonce (9 bytes), then the ticket
 * id (UTF-8); the signature is an HMAC-SHA256 over the payload bytes,
 * truncated to 128 bits. Nothing secret is inside (a ticket id is not
 * personal data); the signature makes it unforgeable.
 */
export function signCsatToken(claims: CsatTokenClaims, secret: Buffer): string {
  const nonce = Buffer.from(claims.nonce, 'base64url');
  if (nonce.length !== NONCE_BYTES) throw new Error(`a CSAT nonce is ${NONCE_BYTES} bytes (base64url)`);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(VERSION, 0);
  header.writeUInt32BE(Math.floor(claims.expiresAt / 1000), 1);
  nonce.copy(header, 5);
  const payload = Buffer.concat([header, Buffer.from(claims.ticketId, 'utf8')]);
  return `${payload.toString('base64url')}.${sign(payload, secret).toString('base64url')}`;
}

/** A fresh token for `ticketId`, valid for `ttlMs` from `now`. */
export function newCsatToken(ticketId: string, secret: Buffer, now: number, ttlMs: number): string {
  return signCsatToken({ ticketId, expiresAt: now + ttlMs, nonce: randomBytes(NONCE_BYTES).toString('base64url') }, secret);
}

/** The claims of a genuine, unexpired token; TRIAGE_CSAT_INVALID_TOKEN or TRIAGE_CSAT_EXPIRED otherwise. */
export function verifyCsatToken(token: string, secret: Buffer, now: number): CsatTokenClaims {
  const parts = token.split('.');
  const [encoded, signature] = parts;
  if (parts.length !== 2 || encoded === undefined || signature === undefined || encoded === '' || signature === '') {
    throw new TriageError('TRIAGE_CSAT_INVALID_TOKEN', ['it is not a survey token']);
  }
  const payload = Buffer.from(encoded, 'base64url');
  const given = Buffer.from(signature, 'base64url');
  const expected = sign(payload, secret);
  // Constant time: the comparison must not tell an attacker how much of a guess was right.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new TriageError('TRIAGE_CSAT_INVALID_TOKEN', ['the signature does not match']);
  }
  if (payload.length <= HEADER_BYTES || payload.readUInt8(0) !== VERSION) throw new TriageError('TRIAGE_CSAT_INVALID_TOKEN', ['unknown token format']);
  const expiresAt = payload.readUInt32BE(1) * 1000;
  const nonce = payload.subarray(5, HEADER_BYTES).toString('base64url');
  const ticketId = payload.subarray(HEADER_BYTES).toString('utf8');
  if (now > expiresAt) throw new TriageError('TRIAGE_CSAT_EXPIRED', [new Date(expiresAt).toISOString()]);
  return { ticketId, expiresAt, nonce };
}

function sign(payload: Buffer, secret: Buffer): Buffer {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, SIGNATURE_BYTES);
}
