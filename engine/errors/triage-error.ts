import { errorCatalogue, type ErrorCode } from './error-catalogue.js';

/** Fill `%s` placeholders in order; extra args are ignored, missing ones become ''. */
export function formatMessage(template: string, args: readonly unknown[]): string {
  let i = 0;
  return template.replace(/%s/g, () => {
    const v = args[i++];
    return v === undefined ? '' : String(v);
  });
}

/** An error with a stable code from the catalogue, an HTTP status and a hint. */
export class TriageError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly hint: string;
  readonly details: unknown;

  constructor(code: ErrorCode, args: readonly unknown[] = [], options: { details?: unknown; cause?: unknown } = {}) {
    const def = errorCatalogue[code];
    super(formatMessage(def.message, args), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TriageError';
    this.code = code;
    this.status = def.status;
    this.hint = def.hint;
    this.details = options.details;
  }

  toJSON(): { code: ErrorCode; message: string; hint: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message, hint: this.hint }
      : { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

export function createError(code: ErrorCode, ...args: unknown[]): TriageError {
  return new TriageError(code, args);
}

export function isTriageError(e: unknown): e is TriageError {
  return e instanceof TriageError;
}
