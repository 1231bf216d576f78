/* Generated from schemas/http/error.schema.json by `npm run gen:types`. Do not edit. */

/**
 * Every error: a stable code (docs/errors.md), what went wrong, how to fix it.
 */
export interface ErrorResponse {
  code: string;
  message: string;
  hint?: string;
  details?: unknown;
}
