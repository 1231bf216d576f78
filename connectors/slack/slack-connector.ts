import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import { createConnectorError } from '../lib/connector-error.js';
import type { ActionCall, ActionResult, ConnectorContext, ConnectorDefinition, ConnectorInstance, ConnectorTestResult } from '../lib/connector.js';
import { httpSettingsProblems, httpTransportOptions } from '../lib/http-settings.js';
import { createHttpTransport } from '../lib/http-transport.js';
import { slackFailure } from './slack-failure.js';
import { SLACK_DEFAULT_BASE_URL, slackCredentialsSchema, type SlackSettings } from './slack-settings.js';
import { transportFetch } from './transport-fetch.js';

/**
 * `slack.postMessage`: post a message to a channel with a bot token, through
 * the official @slack/web-api WebClient.
 *
 * Delivery is at least once: Slack's chat.postMessage takes no idempotency
 * key, so a crash (or a lost answer) after Slack accepted the message and
 * before the outbox recorded it repeats the message on the next attempt.
 * WebClient's own retries and rate-limit waits are off: the outbox owns
 * retries (with back-off honouring Retry-After) and records each attempt.
 */
const text = { type: 'string', minLength: 1 } as const;

export const slackConnector: ConnectorDefinition = {
  name: 'slack',
  kind: 'action',
  summary: 'Post messages to Slack channels with a bot token (Slack Web API).',
  credentials: slackCredentialsSchema,
  operations: [
    {
      name: 'postMessage',
      summary: 'Post a message to a Slack channel.',
      // Same shape as rules/lib/action-catalogue.ts' slack.postMessage, so rule files written against it stay valid.
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['channel', 'text'],
        properties: {
          channel: { ...text, description: 'Channel name (#incidents) or id (C0123ABCD); the app must be a member.' },
          text: { ...text, description: 'Message text (Slack mrkdwn); a template.' },
          connection: { ...text, description: 'Slack connection in connections.yaml (default: the one named slack, or the only one).' },
        },
      },
      templates: ['text'],
      idempotency: 'none',
    },
  ],
  validateSettings: (settings) => httpSettingsProblems(settings),
  create: (settings, context) => createSlackInstance(settings as unknown as SlackSettings, context),
};

function createSlackInstance(settings: SlackSettings, context: ConnectorContext): ConnectorInstance {
  const label = `slack "${context.connection}"`;
  const secrets = [settings.token];
  const transport = createHttpTransport({
    ...httpTransportOptions(settings, context, label),
    baseUrl: settings.baseUrl ?? SLACK_DEFAULT_BASE_URL,
    secrets,
    // Slack answers bad tokens with 200 { ok: false }; this covers proxies in front of it.
    authHint: `Check the token of connection "${context.connection}" in connections.yaml and the environment variable it references.`,
    maxRedirects: 0,
  });

  // One client per call: WebClient has no per-call AbortSignal, and the
  // outbox's signal must reach the socket. Construction is cheap (no I/O).
  const client = (signal: AbortSignal | undefined): WebClient =>
    new WebClient(settings.token, {
      slackApiUrl: settings.baseUrl ?? SLACK_DEFAULT_BASE_URL,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      allowAbsoluteUrls: false,
      fetch: transportFetch(transport, label, signal),
      logger: quietLogger(context),
    });

  return {
    async execute(call: ActionCall): Promise<ActionResult> {
      if (call.operation !== 'postMessage') {
        throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, `unknown operation "${call.operation}" (slack has: postMessage)`], { retryable: false });
      }
      const { channel, text: message } = call.params;
      if (typeof channel !== 'string' || channel.trim() === '') {
        throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, '`channel` must be a non-empty string'], { retryable: false });
      }
      if (typeof message !== 'string' || message.trim() === '') {
        throw createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, '`text` must be a non-empty string (check the template)'], { retryable: false });
      }
      const who = `${label} (chat.postMessage)`;
      try {
        const res = await client(call.signal).chat.postMessage({ channel: channel.trim(), text: message });
        if (typeof res.ts !== 'string') {
          throw createConnectorError('TRIAGE_CONNECTOR_REJECTED', [who, 'an answer without a message ts'], { retryable: false });
        }
        return { externalId: res.ts, detail: `posted to ${res.channel ?? channel} (ts ${res.ts})` };
      } catch (e) {
        throw slackFailure(e, { who, connection: context.connection, secrets });
      }
    },

    async test(): Promise<ConnectorTestResult> {
      try {
        const res = await client(undefined).auth.test();
        return { ok: true, detail: `auth.test ok as ${res.user ?? '?'} (${res.user_id ?? '?'}) in team ${res.team ?? '?'} (${res.team_id ?? '?'})` };
      } catch (e) {
        const failure = slackFailure(e, { who: `${label} (auth.test)`, connection: context.connection, secrets });
        return { ok: false, detail: `${failure.code} ${failure.message}\n  hint: ${failure.hint}` };
      }
    },

    close(): Promise<void> {
      transport.close();
      return Promise.resolve();
    },
  };
}

/**
 * WebClient's log goes to the connection's log at debug level: its warnings
 * ("http request failed") repeat what the ConnectorError reports anyway.
 */
function quietLogger(context: ConnectorContext): Logger {
  const forward = (...msg: unknown[]): void => context.log('debug', `slack web-api: ${msg.map(String).join(' ')}`);
  return { debug: () => undefined, info: forward, warn: forward, error: forward, setLevel: () => undefined, getLevel: () => LogLevel.WARN, setName: () => undefined };
}
