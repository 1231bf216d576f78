import type { FetchFunction } from '@slack/web-api';
import { createConnectorError } from '../lib/connector-error.js';
import type { HttpMethod, HttpTransport } from '../lib/http-transport.js';

const METHODS: readonly HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * A `fetch` for WebClient that sends through our HTTP transport, so Slack
 * calls follow the same policy as every other connector: one deadline, the
 * SSRF guard, the response size cap, our user agent, and the same mapping of
 * 429 / 5xx / timeouts / resets to ConnectorError (Retry-After included).
 * The transport throws those errors from inside WebClient; slackFailure
 * unwraps them again.
 *
 * `signal` is the outbox's per-call signal (WebClient has no per-call one).
 */
export function transportFetch(transport: HttpTransport, label: string, signal: AbortSignal | undefined): FetchFunction {
  return async (url, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase() as HttpMethod;
    if (!METHODS.includes(method)) throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, `unsupported HTTP method ${method}`], { retryable: false });
    if (init.body !== undefined && typeof init.body !== 'string') {
      // Only file uploads send FormData; postMessage and auth.test never do.
      throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, 'multipart bodies (file uploads) are not supported'], { retryable: false });
    }
    const res = await transport.request({
      method,
      url: String(url),
      ...(init.headers === undefined ? {} : { headers: init.headers }),
      ...(init.body === undefined ? {} : { body: init.body }),
      ...(signal === undefined ? {} : { signal }),
    });
    const body = res.status === 204 || res.status === 205 ? null : res.text;
    return new Response(body, { status: res.status, headers: res.headers });
  };
}
