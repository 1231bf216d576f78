import { ErrorCode, type WebAPIPlatformError } from '@slack/web-api';
import type { ConnectorError } from '../lib/connector-error.js';
import { createConnectorError, isConnectorError } from '../lib/connector-error.js';
import { scrub } from '../lib/http-transport.js';

/**
 * Slack platform errors (`{ ok: false, error }`, answered with HTTP 200) that
 * mean the token cannot do this: not retried, the operator must fix the token
 * or the app's scopes.
 */
const AUTH_ERRORS: ReadonlySet<string> = new Set([
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'ekm_access_denied',
  'team_access_not_granted',
  'org_login_required',
]);

/** Platform errors Slack documents as transient: a later attempt can succeed. */
const TRANSIENT_ERRORS: ReadonlySet<string> = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** What an operator can do about the common permanent ones. */
const HINTS: Readonly<Record<string, string>> = {
  channel_not_found: 'Check the channel name or id in the rule; a private channel is only visible once the app is invited to it.',
  not_in_channel: 'Invite the app to the channel (/invite @your-app) or post to a channel it is a member of.',
  is_archived: 'The channel is archived: unarchive it or point the rule at another channel.',
  msg_too_long: 'The rendered text is longer than Slack accepts; shorten the template.',
  no_text: 'The rendered text is empty; check the template and the facts it uses.',
  restricted_action: 'A workspace admin restricted posting in this channel; ask them or use another channel.',
  invalid_arguments: 'Slack refused the arguments; check channel and text of the action.',
  missing_scope: 'Give the Slack app the scope it needs (chat:write for postMessage) and reinstall it to the workspace.',
};

export interface SlackFailureContext {
  /** `slack "alerts" (chat.postMessage)` */
  who: string;
  /** The connection name, for hints. */
  connection: string;
  /** Scrubbed from anything quoted. */
  secrets: readonly string[];
}

/**
 * Any failure of a WebClient call as a ConnectorError. HTTP-level failures
 * were already classified by the transport (thrown from our fetch, wrapped by
 * WebClient in a WebAPIRequestError): they are unwrapped as they are.
 * Platform errors are classified here: auth problems and bad requests are
 * permanent (with a hint), Slack's transient ones are retried.
 */
export function slackFailure(error: unknown, ctx: SlackFailureContext): ConnectorError {
  if (isConnectorError(error)) return error;
  const e = error as { code?: unknown; original?: unknown; data?: unknown; retryAfter?: unknown; statusCode?: unknown; message?: unknown } | undefined;
  if (e?.code === ErrorCode.RequestError && isConnectorError(e.original)) return e.original;
  if (e?.code === ErrorCode.PlatformError) return platformFailure((error as WebAPIPlatformError).data, ctx);
  if (e?.code === ErrorCode.RateLimitedError && typeof e.retryAfter === 'number') {
    const retryAfterMs = e.retryAfter * 1000;
    return createConnectorError('TRIAGE_CONNECTOR_RATE_LIMITED', [ctx.who, ` (retry after ${e.retryAfter} s)`], { retryable: true, retryAfterMs, status: 429 });
  }
  if (e?.code === ErrorCode.HTTPError && typeof e.statusCode === 'number') {
    return createConnectorError('TRIAGE_CONNECTOR_UNAVAILABLE', [ctx.who, `HTTP ${e.statusCode}`], { retryable: true, status: e.statusCode });
  }
  const text = error instanceof Error ? error.message : String(error);
  return createConnectorError('TRIAGE_CONNECTOR_NETWORK', [ctx.who, scrub(text, ctx.secrets)], { retryable: true });
}

function platformFailure(data: WebAPIPlatformError['data'] | undefined, ctx: SlackFailureContext): ConnectorError {
  const code = typeof data?.error === 'string' ? data.error : 'unknown_error';
  const details = (data?.response_metadata?.messages ?? []).join('; ');
  const what = scrub(details === '' ? code : `${code} (${details})`, ctx.secrets);
  if (AUTH_ERRORS.has(code)) {
    const hint =
      HINTS[code] ??
      `Slack refused the token of connection "${ctx.connection}": check its token in connections.yaml and the environment variable it references (a bot token, xoxb-…, of the right workspace).`;
    return createConnectorError('TRIAGE_CONNECTOR_AUTH', [ctx.who, what], { retryable: false, hint });
  }
  if (TRANSIENT_ERRORS.has(code)) {
    if (code === 'ratelimited' || code === 'rate_limited') return createConnectorError('TRIAGE_CONNECTOR_RATE_LIMITED', [ctx.who, ''], { retryable: true });
    return createConnectorError('TRIAGE_CONNECTOR_UNAVAILABLE', [ctx.who, what], { retryable: true });
  }
  const hint = HINTS[code];
  return createConnectorError('TRIAGE_CONNECTOR_REJECTED', [ctx.who, what], { retryable: false, ...(hint === undefined ? {} : { hint }) });
}
