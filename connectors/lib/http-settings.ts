import type { ConnectorContext, JsonSchema } from './connector.js';
import { DEFAULT_TIMEOUT_MS, type HttpTransportOptions } from './http-transport.js';
import { allowListProblems } from './ssrf-guard.js';

/**
 * Settings every HTTP connector shares, as JSON Schema properties to spread
 * into its `credentials` schema, so connections.yaml reads the same for
 * Slack, Jira, the CRM and webhooks.
 */
export const HTTP_SETTINGS_PROPERTIES = {
  timeoutMs: { type: 'integer', minimum: 100, maximum: 120_000, default: DEFAULT_TIMEOUT_MS, description: 'Deadline of one call in milliseconds (connect, send, answer, redirects).' },
  allowPrivate: { type: 'boolean', default: false, description: 'Allow loopback, private and link-local targets (SSRF guard off for this connection). Prefer allowHosts.' },
  allowHosts: {
    type: 'array',
    uniqueItems: true,
    items: { type: 'string', minLength: 1 },
    description: 'Internal targets allowed despite the SSRF guard: host names (crm.internal, *.corp.example), IPs or CIDRs (10.1.0.0/16).',
  },
} as const satisfies Record<string, JsonSchema>;

export interface HttpSettings {
  timeoutMs?: number;
  allowPrivate?: boolean;
  allowHosts?: string[];
}

/** Problems with the shared settings (for ConnectorDefinition.validateSettings). */
export function httpSettingsProblems(settings: Record<string, unknown>): string[] {
  const hosts = settings.allowHosts;
  return Array.isArray(hosts) ? allowListProblems(hosts.filter((h): h is string => typeof h === 'string')).map((p) => `allowHosts: ${p}`) : [];
}

/** Transport options from the shared settings; the connector adds baseUrl, headers, secrets and its auth hint. */
export function httpTransportOptions(settings: HttpSettings, context: ConnectorContext, label: string): HttpTransportOptions {
  return {
    label,
    timeoutMs: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ssrf: { allowPrivate: settings.allowPrivate === true, allowHosts: settings.allowHosts ?? [] },
    log: context.log,
  };
}
