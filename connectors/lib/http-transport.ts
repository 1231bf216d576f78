import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import axios, { AxiosError, type AxiosResponse } from 'axios';
import { packageVersion } from '../../engine/runtime/package-root.js';
import { ConnectorError, createConnectorError } from './connector-error.js';
import type { ConnectorContext } from './connector.js';
import { createSsrfGuard, isBlockedTargetError, type ResolveHost, type SsrfPolicy } from './ssrf-guard.js';

/**
 * The one place outbound HTTP happens. Connectors describe requests; this
 * module owns the policy every call must follow: a deadline, our user agent,
 * the SSRF guard on every connection (redirect hops included), a cap on the
 * response size, no redirects to other hosts, and the mapping of failures to
 * ConnectorError (retryable or not, Retry-After, a hint the user can act on).
 *
 * It never retries: retries belong to the outbox, which records every attempt
 * and spreads them with back-off; a hidden retry here would make the attempt
 * log lie and multiply load on a receiver that is already struggling.
 *
 * Secrets never leave through errors or logs: messages name the connection,
 * the method and the origin (no path or query, which can carry tokens), and
 * any configured secret value is scrubbed from the excerpts of response
 * bodies that are quoted. The axios error (whose config holds the request
 * headers) is never attached as a cause.
 */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 1_048_576;
export const DEFAULT_MAX_REDIRECTS = 3;
export const USER_AGENT = `triage/${packageVersion()}`;

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export interface HttpTransportOptions {
  /** Names the call in messages, e.g. `webhook "orders"`. */
  label: string;
  /** Relative request URLs are joined to it and may not leave it. */
  baseUrl?: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Same-origin redirects followed at most (0: none). Redirects to another origin are always refused. */
  maxRedirects?: number;
  /** Sent with every request (e.g. Authorization). Never logged. */
  headers?: Record<string, string>;
  /** The connection's SSRF policy (allowPrivate, allowHosts); the guard itself is always on. */
  ssrf?: SsrfPolicy;
  /** Values scrubbed from anything quoted in errors (tokens, secrets of the connection). */
  secrets?: readonly string[];
  /** Hint for 401/403, e.g. 'Check SLACK_TOKEN …'. */
  authHint?: string;
  log?: ConnectorContext['log'];
  /** DNS resolution for the SSRF guard (tests). */
  resolveHost?: ResolveHost;
}

export interface HttpRequest {
  method: HttpMethod;
  /** Absolute http(s) URL, or a path relative to baseUrl (default: baseUrl itself). */
  url?: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** Serialized as JSON with Content-Type application/json. */
  json?: unknown;
  /** Sent verbatim (when the exact bytes matter, e.g. a signed body). */
  body?: string | Buffer;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Non-2xx statuses returned as responses instead of thrown (e.g. 404 for "not found" lookups). */
  acceptStatus?: readonly number[];
}

export interface HttpResponse<T = unknown> {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, else the text ('' when empty). */
  data: T;
  text: string;
  /** The final URL (after same-origin redirects). */
  url: string;
}

export interface HttpTransport {
  request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>>;
  /** Close kept-alive sockets. */
  close(): void;
}

export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const guard = createSsrfGuard(options.ssrf ?? {}, options.resolveHost);
  // Every socket is opened through the guard's lookup, so the address checked
  // is the address connected to (no DNS rebinding between check and connect).
  const httpAgent = new HttpAgent({ keepAlive: true, lookup: guard.lookup });
  const httpsAgent = new HttpsAgent({ keepAlive: true, lookup: guard.lookup });
  const client = axios.create({
    httpAgent,
    httpsAgent,
    proxy: false, // a proxy would resolve and connect for us, around the guard
    maxRedirects: 0,
    decompress: true,
    responseType: 'arraybuffer',
    validateStatus: () => true,
    maxContentLength: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    maxBodyLength: 10 * 1_048_576,
    transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
  });
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;

  async function request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    let url = resolveUrl(options.label, options.baseUrl, req.url, req.query);
    const method = req.method;
    const timeoutMs = req.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: 'application/json, text/plain;q=0.9, */*;q=0.1', ...lowerKeys(options.headers), ...lowerKeys(req.headers) };
    let data: string | Buffer | undefined = req.body;
    if (req.json !== undefined) {
      data = JSON.stringify(req.json);
      headers['content-type'] ??= 'application/json';
    }
    // One deadline for the whole exchange, redirects included; axios' own
    // timeout is a socket-idle timer that a slowly dripping server never trips.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, deadline.signal]) : deadline.signal;
    try {
      for (let hop = 0; ; hop++) {
        const target = `${method} ${url.origin}`;
        const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
        let res: AxiosResponse<ArrayBuffer>;
        try {
          if (isIP(host) !== 0) guard.assertAddress(host, host); // literal IPs never reach the lookup
          res = await client.request<ArrayBuffer>({ url: url.href, method, headers, data, signal });
        } catch (e) {
          throw mapFailure(e, { options, target, timeoutMs, timedOut: deadline.signal.aborted, callerAborted: req.signal?.aborted === true });
        }
        const resHeaders = plainHeaders(res.headers);
        if (res.status >= 300 && res.status < 400 && resHeaders.location !== undefined) {
          const next = new URL(resHeaders.location, url);
          const keepsMethod = res.status === 307 || res.status === 308 || method === 'GET' || method === 'HEAD';
          if (next.origin !== url.origin || !keepsMethod || hop >= maxRedirects) {
            const why = next.origin !== url.origin ? `${next.origin} (another host)` : !keepsMethod ? `${next.origin} with ${res.status}, which would turn ${method} into GET` : `${next.origin} more than ${maxRedirects} times`;
            throw createConnectorError('TRIAGE_CONNECTOR_REDIRECT', [`${options.label} (${target})`, why], { retryable: false, status: res.status });
          }
          options.log?.('debug', 'following same-origin redirect', { status: res.status, origin: next.origin });
          url = next;
          continue;
        }
        const body = Buffer.from(res.data ?? new ArrayBuffer(0));
        const text = body.toString('utf8');
        options.log?.('debug', 'http call', { method, origin: url.origin, status: res.status });
        if ((res.status >= 200 && res.status < 300) || req.acceptStatus?.includes(res.status) === true) {
          return { status: res.status, headers: resHeaders, data: parseBody(text, resHeaders['content-type']) as T, text, url: url.href };
        }
        throw statusError(res.status, resHeaders, text, { options, target });
      }
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    request,
    close: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/**
 * The request URL. With a base URL, the result must stay under it (same
 * origin, under its path), whether the request gives a relative path or an
 * absolute URL: otherwise a rule's `path` param could send the connection's
 * credentials to any host.
 */
export function resolveUrl(label: string, baseUrl: string | undefined, path: string | undefined, query?: HttpRequest['query']): URL {
  let url: URL;
  const absolute = path !== undefined && /^[a-z][a-z0-9+.-]*:/i.test(path);
  if (baseUrl === undefined) {
    if (path === undefined || !absolute) throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, 'no base URL, so the request needs an absolute URL'], { retryable: false });
    url = parseUrl(label, path);
  } else {
    const base = parseUrl(label, baseUrl);
    const rel = absolute ? '' : (path ?? '').replace(/^\/+/, '');
    const basePath = base.pathname.replace(/\/+$/, '');
    url = absolute ? parseUrl(label, path ?? '') : rel === '' ? base : parseUrl(label, `${base.origin}${basePath}/${rel}`);
    // `..` (plain or %2e-encoded) is normalized away by URL; what is left must still sit under the base path.
    if (url.origin !== base.origin || (basePath !== '' && url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`))) {
      throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, `"${path}" leaves the base URL`], { retryable: false });
    }
    for (const [k, v] of base.searchParams) if (!url.searchParams.has(k)) url.searchParams.append(k, v);
  }
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url;
}

function parseUrl(label: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, 'the URL is not valid'], { retryable: false });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, `only http and https URLs are allowed, not ${url.protocol}`], { retryable: false });
  }
  if (url.username !== '' || url.password !== '') {
    throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, 'credentials in the URL are not allowed; use a sensitive setting'], { retryable: false });
  }
  return url;
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

interface FailureContext {
  options: HttpTransportOptions;
  target: string;
}

function statusError(status: number, headers: Record<string, string>, text: string, ctx: FailureContext): ConnectorError {
  const who = `${ctx.options.label} (${ctx.target})`;
  const retryAfterMs = parseRetryAfter(headers['retry-after']);
  const excerpt = bodyExcerpt(text, ctx.options.secrets);
  const statusText = `${status}${excerpt === '' ? '' : `: ${excerpt}`}`;
  if (status === 429) {
    return createConnectorError('TRIAGE_CONNECTOR_RATE_LIMITED', [who, retryAfterMs === undefined ? '' : ` (retry after ${Math.ceil(retryAfterMs / 1000)} s)`], { retryable: true, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
  if (status >= 500 || status === 408) {
    return createConnectorError('TRIAGE_CONNECTOR_UNAVAILABLE', [who, statusText], { retryable: true, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
  if (status === 401 || status === 403) {
    return createConnectorError('TRIAGE_CONNECTOR_AUTH', [who, statusText], { retryable: false, status, ...(ctx.options.authHint === undefined ? {} : { hint: ctx.options.authHint }) });
  }
  return createConnectorError('TRIAGE_CONNECTOR_REJECTED', [who, statusText], { retryable: false, status });
}

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the receiver',
  EPIPE: 'connection closed by the receiver',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNABORTED: 'connection aborted',
  ERR_SOCKET_CONNECTION_TIMEOUT: 'connection timed out',
};

function mapFailure(e: unknown, ctx: FailureContext & { timeoutMs: number; timedOut: boolean; callerAborted: boolean }): ConnectorError {
  const who = `${ctx.options.label} (${ctx.target})`;
  const blocked = isBlockedTargetError(e) ? e : (e as { cause?: unknown } | undefined)?.cause;
  if (isBlockedTargetError(blocked)) {
    return createConnectorError('TRIAGE_CONNECTOR_BLOCKED_TARGET', [ctx.target, blocked.message], { retryable: false });
  }
  if (ctx.timedOut && !ctx.callerAborted) {
    return createConnectorError('TRIAGE_CONNECTOR_TIMEOUT', [who, ctx.timeoutMs], { retryable: true });
  }
  if (ctx.callerAborted) {
    return createConnectorError('TRIAGE_CONNECTOR_NETWORK', [who, 'the call was cancelled'], { retryable: true });
  }
  if (e instanceof AxiosError) {
    if (e.code === AxiosError.ETIMEDOUT) return createConnectorError('TRIAGE_CONNECTOR_TIMEOUT', [who, ctx.timeoutMs], { retryable: true });
    if (/maxContentLength/.test(e.message)) {
      return createConnectorError('TRIAGE_CONNECTOR_RESPONSE_TOO_LARGE', [who, ctx.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES], { retryable: false });
    }
    const code = e.code ?? (e.cause as { code?: string } | undefined)?.code;
    const known = code === undefined ? undefined : NETWORK_CODES[code];
    const what = known ?? (/socket hang up/i.test(e.message) ? 'connection closed before the answer (socket hang up)' : scrub(e.message, ctx.options.secrets));
    return createConnectorError('TRIAGE_CONNECTOR_NETWORK', [who, code !== undefined && known !== undefined ? `${what} (${code})` : what], { retryable: true });
  }
  if (e instanceof ConnectorError) return e;
  return createConnectorError('TRIAGE_CONNECTOR_NETWORK', [who, scrub(e instanceof Error ? e.message : String(e), ctx.options.secrets)], { retryable: true });
}

function bodyExcerpt(text: string, secrets: readonly string[] | undefined): string {
  // Scrub before cutting, so a secret straddling the cut cannot survive in part.
  const oneLine = scrub(text.replace(/\s+/g, ' ').trim(), secrets);
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}

/** Replaces every occurrence of each configured secret with ***. */
export function scrub(text: string, secrets: readonly string[] | undefined): string {
  let out = text;
  for (const s of secrets ?? []) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return '';
  if (contentType !== undefined && !/json/i.test(contentType)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function plainHeaders(h: AxiosResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h as Record<string, unknown>)) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

function lowerKeys(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = v;
  return out;
}
