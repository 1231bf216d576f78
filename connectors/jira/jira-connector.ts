import { Version3Client } from 'jira.js';
import { createConnectorError } from '../lib/connector-error.js';
import type { ActionCall, ActionResult, ConnectorContext, ConnectorDefinition, ConnectorInstance, ConnectorTestResult } from '../lib/connector.js';
import { httpSettingsProblems, httpTransportOptions } from '../lib/http-settings.js';
import { createHttpTransport } from '../lib/http-transport.js';
import { adfFromText } from './adf-from-text.js';
import { dedupeLabel } from './dedupe-label.js';
import { jiraFailure } from './jira-failure.js';
import { jiraCredentialsSchema, type JiraSettings } from './jira-settings.js';
import { transportAdapter } from './transport-adapter.js';

/**
 * Jira Cloud (REST v3, through jira.js' Version3Client):
 * - `jira.createIssue` — effectively once. Jira takes no idempotency key, so
 *   the issue carries a label derived from the outbox key (dedupeLabel) and
 *   the connector searches for it before creating: a repeated call after a
 *   crash or a lost answer returns the issue already created. Jira's search
 *   index can lag a few seconds behind a create, so a repeat inside that
 *   window can still create a second issue; the outbox's back-off makes that
 *   rare, not impossible.
 * - `jira.addComment` — at least once (no key, no dedupe). Without `issue`
 *   it comments on the issue this ticket's `jira.createIssue` created.
 * Neither is retried here: the outbox owns retries.
 */
const text = { type: 'string', minLength: 1 } as const;
const connection = { ...text, description: 'Jira connection in connections.yaml (default: the one named jira, or the only one).' };
/** Jira refuses summaries over 255 characters and with line breaks; templates render ticket subjects of any length. */
const SUMMARY_MAX = 255;

export const JIRA_CREATE_ISSUE = 'jira.createIssue';

export const jiraConnector: ConnectorDefinition = {
  name: 'jira',
  kind: 'action',
  summary: 'Create Jira issues and comment on them (Jira Cloud REST v3, e-mail + API token).',
  credentials: jiraCredentialsSchema,
  operations: [
    {
      name: 'createIssue',
      summary: 'Create a Jira issue.',
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['project', 'type', 'summary'],
        properties: {
          project: { ...text, description: 'Project key, e.g. OPS.' },
          type: { ...text, description: 'Issue type name, e.g. Incident, Bug, Task.' },
          summary: { ...text, description: 'A template; line breaks become spaces and it is cut to 255 characters.' },
          description: { ...text, description: 'Plain text (a template); blank lines separate paragraphs.' },
          priority: { ...text, description: 'Priority name, e.g. Highest.' },
          labels: { type: 'array', items: { type: 'string', pattern: '^\\S+$' }, description: 'Labels (no spaces); a triage-<hash> label is added for deduplication.' },
          connection,
        },
      },
      templates: ['summary', 'description'],
      idempotency: 'key',
    },
    {
      name: 'addComment',
      summary: "Comment on the ticket's Jira issue (the one its jira.createIssue created) or on the issue given.",
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['body'],
        properties: {
          body: { ...text, description: 'Plain text (a template); blank lines separate paragraphs.' },
          issue: { ...text, description: "Issue key, e.g. OPS-123; default: the issue the ticket's jira.createIssue created." },
          connection,
        },
      },
      templates: ['body'],
      idempotency: 'none',
    },
  ],
  validateSettings: (settings) => httpSettingsProblems(settings),
  create: (settings, context) => createJiraInstance(settings as unknown as JiraSettings, context),
};

function createJiraInstance(settings: JiraSettings, context: ConnectorContext): ConnectorInstance {
  const label = `jira "${context.connection}"`;
  // The Basic header is base64 of the token: scrub that spelling too.
  const secrets = [settings.apiToken, Buffer.from(`${settings.email}:${settings.apiToken}`).toString('base64')];
  const transport = createHttpTransport({
    ...httpTransportOptions(settings, context, label),
    baseUrl: settings.host,
    secrets,
    authHint: `Jira refused the account of connection "${context.connection}": check email and apiToken in connections.yaml (and the environment variable the token comes from), and that the account may use the project.`,
    maxRedirects: 0,
  });
  const siteOrigin = new URL(settings.host).origin;

  // One client per call: the outbox's signal has to reach the transport, and
  // jira.js has no per-call signal. Construction does no I/O.
  const client = (signal: AbortSignal | undefined): Version3Client =>
    new Version3Client({
      host: settings.host,
      authentication: { basic: { email: settings.email, apiToken: settings.apiToken } },
      baseRequestConfig: { adapter: transportAdapter(transport, label, signal) },
    });

  const invalid = (message: string) => createConnectorError('TRIAGE_CONNECTOR_INVALID_CALL', [label, message], { retryable: false });
  const hints = {
    createIssue: {
      400: `Jira refused the issue (the message names the field): check project key, issue type and priority names of the rule against the project in Jira, and that the account of connection "${context.connection}" may create issues there.`,
      404: `Not found: check the host of connection "${context.connection}" (the Jira site URL, e.g. https://acme.atlassian.net).`,
    },
    addComment: {
      400: 'Jira refused the comment; check the body template of the rule.',
      404: `The issue does not exist (any more) or the account of connection "${context.connection}" cannot see it; check the issue key or the account's project permissions.`,
    },
  };

  async function createIssue(call: ActionCall): Promise<ActionResult> {
    const { project, type, summary, description, priority, labels } = call.params;
    if (typeof project !== 'string' || project === '') throw invalid('`project` must be a project key');
    if (typeof type !== 'string' || type === '') throw invalid('`type` must be an issue type name');
    if (typeof summary !== 'string' || summary.trim() === '') throw invalid('`summary` must be a non-empty string (check the template)');
    if (description !== undefined && typeof description !== 'string') throw invalid('`description` must be a string');
    if (priority !== undefined && typeof priority !== 'string') throw invalid('`priority` must be a priority name');
    if (labels !== undefined && (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string' || !/^\S+$/.test(l)))) {
      throw invalid('`labels` must be a list of labels without spaces');
    }
    const dedupe = dedupeLabel(call.idempotencyKey);
    const jira = client(call.signal);
    const who = `${label} (createIssue)`;
    try {
      const existing = await jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql: `labels = "${dedupe}"`, maxResults: 1, fields: ['summary'] });
      const found = existing.issues?.[0];
      const foundKey = found?.key ?? found?.id;
      if (foundKey !== undefined) return { externalId: foundKey, detail: `${foundKey} already existed (found by label ${dedupe}); not created again` };
      const created = await jira.issues.createIssue({
        fields: {
          project: { key: project },
          issuetype: { name: type },
          summary: oneLine(summary),
          ...(description === undefined || description.trim() === '' ? {} : { description: adfFromText(description) }),
          ...(priority === undefined ? {} : { priority: { name: priority } }),
          labels: [...new Set([...((labels as string[] | undefined) ?? []), dedupe])],
        },
      });
      return { externalId: created.key, detail: `created ${created.key} at ${siteOrigin}` };
    } catch (e) {
      throw jiraFailure(e, { who, secrets, hints: hints.createIssue });
    }
  }

  async function addComment(call: ActionCall): Promise<ActionResult> {
    const { body, issue } = call.params;
    if (typeof body !== 'string' || body.trim() === '') throw invalid('`body` must be a non-empty string (check the template)');
    if (issue !== undefined && (typeof issue !== 'string' || issue.trim() === '')) throw invalid('`issue` must be an issue key such as OPS-123');
    let key = typeof issue === 'string' ? issue.trim() : undefined;
    if (key === undefined) {
      if (call.linkedExternalId === undefined) throw invalid('no `issue` given, and this host cannot look up the issue the ticket created');
      key = await call.linkedExternalId(JIRA_CREATE_ISSUE);
      if (key === undefined) {
        const ticketRef = typeof call.ticket.number === 'string' ? call.ticket.number : String(call.ticket.id ?? '?');
        // Retryable: the ticket's createIssue may simply not be done yet (same decision, later row, or still retrying).
        throw createConnectorError('TRIAGE_CONNECTOR_NOT_LINKED_YET', [`${label} (addComment)`, ticketRef, `Jira issue (no done ${JIRA_CREATE_ISSUE})`], { retryable: true });
      }
    }
    try {
      const comment = await client(call.signal).issueComments.addComment({ issueIdOrKey: key, comment: adfFromText(body) });
      return { externalId: key, detail: `commented on ${key} (comment ${comment.id ?? '?'})` };
    } catch (e) {
      throw jiraFailure(e, { who: `${label} (addComment)`, secrets, hints: hints.addComment });
    }
  }

  return {
    async execute(call: ActionCall): Promise<ActionResult> {
      if (call.operation === 'createIssue') return createIssue(call);
      if (call.operation === 'addComment') return addComment(call);
      throw invalid(`unknown operation "${call.operation}" (jira has: createIssue, addComment)`);
    },

    async test(): Promise<ConnectorTestResult> {
      try {
        const me = await client(undefined).myself.getCurrentUser();
        return { ok: true, detail: `myself ok as ${me.displayName ?? '?'} (${me.accountId ?? '?'}) at ${siteOrigin}` };
      } catch (e) {
        const failure = jiraFailure(e, { who: `${label} (myself)`, secrets, hints: { 404: hints.createIssue[404] } });
        return { ok: false, detail: `${failure.code} ${failure.message}\n  hint: ${failure.hint}` };
      }
    },

    close(): Promise<void> {
      transport.close();
      return Promise.resolve();
    },
  };
}

function oneLine(summary: string): string {
  const flat = summary.replace(/\s+/g, ' ').trim();
  return flat.length > SUMMARY_MAX ? `${flat.slice(0, SUMMARY_MAX - 1)}…` : flat;
}
