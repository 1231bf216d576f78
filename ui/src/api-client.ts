import { apiErrorOf } from './api-error.js';

export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

/** `?a=1&status=open&status=pending`: arrays repeat the parameter, undefined is left out. */
export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v as readonly string[]) params.append(k, item);
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

/**
 * The public HTTP API of the same server, with the pasted key as a bearer
 * token. Nothing but /v1 is called; errors become ApiError.
 */
export class ApiClient {
  constructor(
    private readonly key: string,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  get<T>(path: string, query?: Query): Promise<T> {
    return this.call<T>('GET', `${path}${queryString(query)}`);
  }

  post<T>(path: string): Promise<T> {
    return this.call<T>('POST', path);
  }

  private async call<T>(method: string, url: string): Promise<T> {
    const response = await this.fetchImpl(url, { method, headers: { authorization: `Bearer ${this.key}`, accept: 'application/json' }, credentials: 'omit', cache: 'no-store' });
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok) throw apiErrorOf(response.status, body);
    return body as T;
  }
}
