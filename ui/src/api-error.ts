/** An answer of the API other than 2xx, as { code, message, hint } (docs/errors.md). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string | undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What the page says about a failed call, and whether a new key could help. */
export interface ErrorView {
  title: string;
  detail: string;
  askForKey: boolean;
}

/** 401 and 403 get their own words: they are what a user of the dashboard can fix. */
export function describeError(error: unknown): ErrorView {
  if (error instanceof ApiError) {
    const detail = `${error.status} ${error.code}: ${error.message}${error.hint === undefined ? '' : ` — ${error.hint}`}`;
    if (error.status === 401) return { title: 'The API key was not accepted', detail, askForKey: true };
    if (error.status === 403) return { title: 'This API key may not do that', detail, askForKey: true };
    return { title: error.status === 404 ? 'Not found' : 'The server refused the request', detail, askForKey: false };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { title: 'The server could not be reached', detail: message, askForKey: false };
}

/** Reads an error body defensively: a proxy may answer with HTML. */
export function apiErrorOf(status: number, body: unknown): ApiError {
  const o = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const text = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  return new ApiError(status, text('code') ?? `HTTP_${status}`, text('message') ?? `HTTP ${status}`, text('hint'));
}
