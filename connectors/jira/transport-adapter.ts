import axios, { type AxiosAdapter, type AxiosResponse } from 'axios';
import { createConnectorError } from '../lib/connector-error.js';
import type { HttpMethod, HttpTransport } from '../lib/http-transport.js';

const METHODS: readonly HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * An axios adapter for jira.js' client that sends through our HTTP transport,
 * so Jira calls follow the same policy as every other connector: one
 * deadline, the SSRF guard, the response size cap, no cross-host redirects,
 * and the same mapping of 429 / 5xx / timeouts / resets / 4xx to
 * ConnectorError. jira.js wraps what the adapter throws in an HttpException;
 * jiraFailure unwraps it again.
 *
 * `signal` is the outbox's per-call signal.
 */
export function transportAdapter(transport: HttpTransport, label: string, signal: AbortSignal | undefined): AxiosAdapter {
  return async (config) => {
    const method = (config.method ?? 'GET').toUpperCase() as HttpMethod;
    if (!METHODS.includes(method)) throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, `unsupported HTTP method ${method}`], { retryable: false });
    // baseURL + url + params, serialized the way jira.js asked (its paramsSerializer).
    const url = axios.getUri(config);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.headers.toJSON() as Record<string, unknown>)) {
      if (typeof value === 'string' || typeof value === 'number') headers[name] = String(value);
    }
    const data: unknown = config.data;
    if (data !== undefined && data !== null && typeof data !== 'string') {
      // transformRequest has serialized every JSON body by now; only uploads (attachments) are left, which we never send.
      throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, 'only JSON bodies are supported'], { retryable: false });
    }
    const res = await transport.request({
      method,
      url,
      headers,
      ...(typeof data === 'string' ? { body: data } : {}),
      ...(signal === undefined ? {} : { signal }),
    });
    const response: AxiosResponse = { data: res.text, status: res.status, statusText: '', headers: res.headers, config, request: undefined };
    return response;
  };
}
