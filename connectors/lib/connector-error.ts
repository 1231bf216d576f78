import { errorCatalogue, type ErrorCode } from '../../engine/errors/error-catalogue.js';
import { formatMessage } from '../../engine/errors/triage-error.js';

/**
 * A failed connector call, classified so the outbox knows what to do:
 * `retryable` (429, 5xx, timeouts, resets) is retried with back-off, honouring
 * `retryAfterMs` when the receiver said so; anything else (400, 401, 403, 404,
 * invalid params) is dead-lettered at once, because repeating it cannot help.
 */
export class ConnectorError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly hint: string;
  readonly status: number | undefined;

  constructor(options: { code: string; message: string; hint: string; retryable: boolean; retryAfterMs?: number; status?: number; cause?: unknown }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConnectorError';
    this.code = options.code;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.hint = options.hint;
    this.status = options.status;
  }
}

export function isConnectorError(e: unknown): e is ConnectorError {
  return e instanceof ConnectorError;
}

/**
 * A ConnectorError whose code and message come from the error catalogue
 * (engine/errors/error-catalogue.ts), so every failure a connector reports is
 * documented in docs/errors.md. `hint` overrides the catalogue's generic hint
 * when the connector knows better (e.g. which env var holds the token).
 */
export function createConnectorError(
  code: ErrorCode,
  args: readonly unknown[],
  options: { retryable: boolean; hint?: string; retryAfterMs?: number; status?: number; cause?: unknown },
): ConnectorError {
  return new ConnectorError({
    code,
    message: formatMessage(errorCatalogue[code].message, args),
    hint: options.hint ?? errorCatalogue[code].hint,
    retryable: options.retryable,
    ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
    ...(options.status === undefined ? {} : { status: options.status }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}
