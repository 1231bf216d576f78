import { isConnectorError } from '../../connectors/lib/connector-error.js';
import { isTriageError } from '../errors/triage-error.js';
import { redactSecretText } from './mask-secret-params.js';
import type { OutboxError } from './outbox-entry.js';

/** A failed attempt, classified: retried with back-off, or dead-lettered at once. */
export interface OutboxFailure extends OutboxError {
  retryable: boolean;
  /** The receiver's Retry-After, when it sent one. */
  retryAfterMs: number | null;
  httpStatus: number | null;
}

/** Our own codes that a later attempt may cure; the rest (no handler, no connection, …) need an operator. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set(['TRIAGE_OUTBOX_TIMEOUT', 'TRIAGE_OUTBOX_CALL_FAILED', 'TRIAGE_STORE_UNAVAILABLE']);

/**
 * ConnectorErrors say themselves whether a retry can help (429, 5xx, timeouts,
 * resets: yes; 400/401/403/404: no) and carry a hint the operator can act on.
 * A coded triage error is permanent unless listed above. Anything else is an
 * unclassified failure (a bug or a raw network error) and is retried: the
 * budget of attempts still ends it in the dead letter with its message.
 */
export function classifyFailure(error: unknown, actionType: string, secrets: readonly string[] = []): OutboxFailure {
  const clean = (text: string): string => scrubSecrets(redactSecretText(text), secrets);
  if (isConnectorError(error)) {
    return {
      code: error.code,
      message: clean(error.hint === '' ? error.message : `${error.message} Hint: ${error.hint}`),
      retryable: error.retryable,
      retryAfterMs: error.retryAfterMs ?? null,
      httpStatus: error.status ?? null,
    };
  }
  if (isTriageError(error)) {
    return { code: error.code, message: clean(error.message), retryable: RETRYABLE_CODES.has(error.code), retryAfterMs: null, httpStatus: null };
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: 'TRIAGE_OUTBOX_CALL_FAILED', message: clean(`Action ${actionType} failed: ${text}`), retryable: true, retryAfterMs: null, httpStatus: null };
}

/** Configured secret values (connections.yaml) never reach a stored error, whatever a library put in its message. */
function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret containing another is replaced whole; very short values would mangle ordinary words.
  for (const secret of [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
  return out;
}
