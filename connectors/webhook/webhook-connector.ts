import { randomUUID } from 'node:crypto';
import { signPayload } from '../../engine/http/auth/verify-signature.js';
import type { FactObject } from '../../rules/lib/rule-types.js';
import { createConnectorError, isConnectorError } from '../lib/connector-error.js';
import type { ActionCall, ActionResult, ConnectorContext, ConnectorDefinition, ConnectorInstance, ConnectorTestResult } from '../lib/connector.js';
import { HTTP_SETTINGS_PROPERTIES, httpSettingsProblems, httpTransportOptions, type HttpSettings } from '../lib/http-settings.js';
import { createHttpTransport, type HttpTransport } from '../lib/http-transport.js';

/**
 * `webhook.post`: POST a signed JSON envelope to an HTTP endpoint the
 * customer runs (n8n, Make, their own service). The worked example of
 * docs/connectors.md, so it stays small: settings schema, params schema,
 * a factory that binds the settings to a transport, execute and test.
 *
 * The envelope (documented in docs/connectors.md; receivers depend on it):
 *   { "id": <idempotency key>, "event": <rule event | "ping">, "rule": <rule id | null>,
 *     "ticket": <ticket fact | null>, "body": <the action's body param | {}> }
 * Headers: Content-Type: application/json, Idempotency-Key (= id),
 * X-Triage-Event, and with a secret X-Triage-Timestamp (unix seconds) plus
 * X-Triage-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">,
 * the scheme our inbound webhooks verify (engine/http/auth/verify-signature.ts).
 */
export interface WebhookSettings extends HttpSettings {
  url: string;
  secret?: string;
  headers?: Record<string, string>;
  secretHeaders?: Record<string, string>;
}

export interface WebhookParams {
  connection: string;
  path?: string;
  body?: Record<string, unknown>;
}

export interface WebhookEnvelope {
  id: string;
  event: string | null;
  rule: string | null;
  ticket: FactObject | null;
  body: Record<string, unknown>;
}

/** Header names `headers` may not set: auth belongs in secretHeaders (env references), and the signed ones are ours. */
const RESERVED_HEADERS = ['authorization', 'cookie', 'proxy-authorization', 'idempotency-key', 'content-type', 'x-triage-signature', 'x-triage-timestamp', 'x-triage-event'];

const headerName = { type: 'string', pattern: '^[A-Za-z0-9!#$%&\'*+.^_`|~-]+$' } as const;

export const webhookConnector: ConnectorDefinition = {
  name: 'webhook',
  kind: 'action',
  summary: 'POST a signed JSON payload (HMAC-SHA256, Idempotency-Key) to an HTTP endpoint.',
  credentials: {
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    properties: {
      url: { type: 'string', pattern: '^https?://', description: 'Base URL of the receiver; the action\'s `path` is appended to it.' },
      secret: { type: 'string', minLength: 1, 'x-sensitive': true, description: 'HMAC-SHA256 key: signs X-Triage-Signature over "<timestamp>.<raw body>".' },
      headers: {
        type: 'object',
        propertyNames: headerName,
        additionalProperties: { type: 'string' },
        description: 'Static, non-secret headers sent with every call (e.g. X-Tenant). Credentials go in secretHeaders.',
      },
      secretHeaders: {
        type: 'object',
        propertyNames: headerName,
        additionalProperties: { type: 'string', minLength: 1, 'x-sensitive': true },
        description: 'Headers carrying credentials (e.g. Authorization: "${env:HOOK_TOKEN}"); each value must be an env reference.',
      },
      ...HTTP_SETTINGS_PROPERTIES,
    },
  },
  operations: [
    {
      name: 'post',
      summary: 'POST a signed JSON payload to a webhook connection.',
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['connection'],
        properties: {
          connection: { type: 'string', minLength: 1, description: 'Name of the webhook connection in connections.yaml.' },
          path: { type: 'string', description: 'Appended to the connection URL (it cannot leave it).' },
          body: { type: 'object', description: 'Sent as `body` in the payload.' },
        },
      },
      templates: [],
      idempotency: 'key',
    },
  ],
  validateSettings: (settings) => {
    const problems = httpSettingsProblems(settings);
    const headers = settings.headers;
    if (headers && typeof headers === 'object') {
      for (const name of Object.keys(headers)) {
        if (RESERVED_HEADERS.includes(name.toLowerCase())) {
          problems.push(`headers: "${name}" cannot be set here (${/auth|cookie/i.test(name) ? 'credentials go in secretHeaders, as ${env:NAME} references' : 'triage sets it'})`);
        }
      }
    }
    return problems;
  },
  create: (settings, context) => createWebhookInstance(settings as unknown as WebhookSettings, context),
};

function createWebhookInstance(settings: WebhookSettings, context: ConnectorContext): ConnectorInstance {
  const label = `webhook "${context.connection}"`;
  const secrets = [settings.secret, ...Object.values(settings.secretHeaders ?? {})].filter((s): s is string => typeof s === 'string');
  const transport: HttpTransport = createHttpTransport({
    ...httpTransportOptions(settings, context, label),
    baseUrl: settings.url,
    headers: { ...settings.headers, ...settings.secretHeaders },
    secrets,
    authHint: `The receiver refused the call: check secret / secretHeaders of connection "${context.connection}" in connections.yaml and the environment variables they reference.`,
    maxRedirects: 0, // a webhook URL is configured once; a redirect means the URL is stale
  });

  const deliver = async (envelope: WebhookEnvelope, path: string | undefined, signal: AbortSignal | undefined): Promise<{ status: number; url: string }> => {
    const raw = JSON.stringify(envelope);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': envelope.id, 'x-triage-event': envelope.event ?? 'action' };
    if (settings.secret !== undefined) {
      const timestamp = Math.floor(Date.now() / 1000);
      headers['x-triage-timestamp'] = String(timestamp);
      headers['x-triage-signature'] = signPayload(settings.secret, timestamp, raw);
    }
    const res = await transport.request({ method: 'POST', url: path, body: raw, headers, ...(signal === undefined ? {} : { signal }) });
    return { status: res.status, url: res.url };
  };

  return {
    async execute(call: ActionCall): Promise<ActionResult> {
      if (call.operation !== 'post') {
        throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, `unknown operation "${call.operation}" (webhook has: post)`], { retryable: false });
      }
      const params = call.params as Partial<WebhookParams>;
      if (params.path !== undefined && typeof params.path !== 'string') {
        throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, '`path` must be a string'], { retryable: false });
      }
      if (params.body !== undefined && (typeof params.body !== 'object' || params.body === null || Array.isArray(params.body))) {
        throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, '`body` must be an object'], { retryable: false });
      }
      const envelope: WebhookEnvelope = { id: call.idempotencyKey, event: call.event ?? null, rule: call.rule ?? null, ticket: call.ticket, body: params.body ?? {} };
      const res = await deliver(envelope, params.path, call.signal);
      return { detail: `${res.status} from ${new URL(res.url).origin}` };
    },

    async test(): Promise<ConnectorTestResult> {
      // A signed ping, as GitHub does on webhook creation: it proves DNS, the
      // SSRF policy, TLS, and (when the receiver verifies it) the secret.
      // Receivers should answer 2xx to event "ping" and otherwise ignore it.
      const envelope: WebhookEnvelope = { id: `ping-${randomUUID()}`, event: 'ping', rule: null, ticket: null, body: {} };
      try {
        const res = await deliver(envelope, undefined, undefined);
        return { ok: true, detail: `signed ping (POST ${new URL(res.url).origin}) answered ${res.status}${settings.secret === undefined ? '; no secret set, so the payload is not signed' : ''}` };
      } catch (e) {
        if (isConnectorError(e)) return { ok: false, detail: `${e.code} ${e.message}\n  hint: ${e.hint}` };
        throw e;
      }
    },

    close(): Promise<void> {
      transport.close();
      return Promise.resolve();
    },
  };
}
