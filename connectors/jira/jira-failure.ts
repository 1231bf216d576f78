import { HttpException } from 'jira.js';
import { ConnectorError, createConnectorError, isConnectorError } from '../lib/connector-error.js';
import { scrub } from '../lib/http-transport.js';

export interface JiraFailureContext {
  /** `jira "ops" (createIssue)` */
  who: string;
  secrets: readonly string[];
  /** Better hints for permanent statuses of this operation (e.g. 404 on a comment: the issue is gone). */
  hints?: Partial<Record<400 | 404, string>>;
}

/**
 * Any failure of a jira.js call as a ConnectorError. HTTP failures were
 * classified by the transport (thrown from our axios adapter, wrapped by
 * jira.js in an HttpException whose `response` is our error); they keep their
 * code, retryability and Retry-After, and get an operation-specific hint
 * where we know better than "fix the params". Anything else (jira.js
 * refusing its own config) is scrubbed of secrets and retried, so the
 * attempt budget still ends it in the dead letter with its message.
 */
export function jiraFailure(error: unknown, ctx: JiraFailureContext): ConnectorError {
  const inner = error instanceof HttpException && isConnectorError(error.response) ? error.response : error;
  if (isConnectorError(inner)) {
    const hint = inner.status === 400 || inner.status === 404 ? ctx.hints?.[inner.status] : undefined;
    return hint === undefined ? inner : withHint(inner, hint);
  }
  const text = inner instanceof Error ? inner.message : String(inner);
  return createConnectorError('TRIAGE_CONNECTOR_NETWORK', [ctx.who, scrub(text, ctx.secrets)], { retryable: true });
}

function withHint(e: ConnectorError, hint: string): ConnectorError {
  return new ConnectorError({
    code: e.code,
    message: e.message,
    hint,
    retryable: e.retryable,
    ...(e.retryAfterMs === undefined ? {} : { retryAfterMs: e.retryAfterMs }),
    ...(e.status === undefined ? {} : { status: e.status }),
  });
}
