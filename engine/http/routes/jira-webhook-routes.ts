import type { FastifyInstance } from 'fastify';
import jiraWebhookSchema from '../../../schemas/http/jira-webhook.schema.json' with { type: 'json' };
import errorSchema from '../../../schemas/http/error.schema.json' with { type: 'json' };
import { ticketIdForIssueKey } from '../../../connectors/jira/jira-issue-links.js';
import { ticketStatusForJira } from '../../../connectors/jira/jira-status-map.js';
import { isTriageError } from '../../errors/triage-error.js';
import { TICKET_STATUSES } from '../../lifecycle/ticket-status.js';
import type { Actor } from '../../tickets/audit-event.js';
import { findTicket } from '../../tickets/ticket-queries.js';
import type { AppDeps } from '../app-deps.js';
import { withoutSchemaMeta } from '../schema-for-route.js';

/** The parts of Jira's webhook payload this route reads (schemas/http/jira-webhook.schema.json). */
interface JiraWebhookEvent {
  webhookEvent: string;
  issue: { key: string; fields?: { status?: { name?: string } } };
  changelog?: { items?: { field: string; fieldId?: string; toString?: string | null }[] };
}

/** Status changes made by Jira are audited as this actor (a system, not an agent: no R13 correction is recorded). */
export const JIRA_ACTOR: Actor = { type: 'system', id: 'jira' };

const ticketRef = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'number', 'status'],
  properties: { id: { type: 'string' }, number: { type: 'string' }, status: { enum: [...TICKET_STATUSES] } },
} as const;

const responseBody = {
  type: 'object',
  additionalProperties: false,
  required: ['result', 'issueKey', 'ticket'],
  properties: {
    result: { enum: ['applied', 'unchanged', 'ignored'], description: 'applied: the ticket moved; unchanged: it already had that status; ignored: nothing to do (see reason).' },
    reason: { type: 'string', description: 'Why the event was ignored.' },
    issueKey: { type: 'string' },
    jiraStatus: { type: 'string', description: 'The Jira status the issue moved to.' },
    from: { enum: [...TICKET_STATUSES], description: 'Ticket status before.' },
    to: { enum: [...TICKET_STATUSES], description: 'Ticket status the Jira status maps to.' },
    ticket: { anyOf: [ticketRef, { type: 'null' }] },
  },
} as const;

type JiraWebhookResponse = {
  result: 'applied' | 'unchanged' | 'ignored';
  reason?: string;
  issueKey: string;
  jiraStatus?: string;
  from?: string;
  to?: string;
  ticket: { id: string; number: string; status: string } | null;
};

/**
 * POST /v1/channels/jira — status mapping from Jira (R22). Jira (a webhook,
 * or an Automation "Send web request") reports an issue transition; the
 * ticket whose `jira.createIssue` created that issue moves to the status
 * channels.jira.statusMap gives for the new Jira status, through the ticket
 * lifecycle like any other status change (rules on status.changed run).
 *
 * Everything that is not a mapped transition of a linked issue is answered
 * 202 with the reason, so Jira does not retry it: other events, updates that
 * do not touch the status, unmapped statuses, issues no ticket created. A
 * transition the lifecycle refuses (e.g. a closed ticket) is 409
 * TRIAGE_TICKET_ILLEGAL_TRANSITION, logged, and changes nothing.
 */
export function registerJiraWebhookRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post<{ Body: JiraWebhookEvent; Reply: JiraWebhookResponse }>(
    '/v1/channels/jira',
    {
      config: { scope: 'channels', signedBy: 'jira' },
      schema: {
        tags: ['channels'],
        summary: 'Receive a Jira issue status change',
        description:
          'Send jira:issue_updated webhooks (with the changelog) here. The ticket linked to the issue (the one whose jira.createIssue action created it) ' +
          'moves to the status channels.jira.statusMap maps the new Jira status to (default: In Progress → open, Done and Resolved → solved), audited as actor jira; ' +
          'the lifecycle applies (409 TRIAGE_TICKET_ILLEGAL_TRANSITION for a move it refuses; nothing is changed). ' +
          'Other events, updates without a status change, unmapped statuses and issues no ticket created are answered 202 with result ignored and the reason. ' +
          'Authenticate with an API key (scope channels) or sign the body with channels.jira.secret (see docs/connectors.md).',
        body: withoutSchemaMeta(jiraWebhookSchema),
        response: { 200: responseBody, 202: responseBody, '4xx': withoutSchemaMeta(errorSchema) },
        security: [{ apiKey: [] }],
      },
    },
    async (request, reply) => {
      const { webhookEvent, issue, changelog } = request.body;
      const issueKey = issue.key.toUpperCase();
      const ignore = (reason: string, extra: Partial<JiraWebhookResponse> = {}) => reply.status(202).send({ result: 'ignored', reason, issueKey, ticket: null, ...extra });

      if (webhookEvent !== 'jira:issue_updated') return ignore(`event ${webhookEvent} is not handled (only jira:issue_updated)`);
      // The last status item is where the issue ended up (Jira sends one per transition).
      const statusItem = (changelog?.items ?? []).filter((i) => i.field === 'status' || i.fieldId === 'status').at(-1);
      if (statusItem === undefined) return ignore('the changelog has no status change');
      const jiraStatus = statusItem.toString ?? issue.fields?.status?.name;
      if (typeof jiraStatus !== 'string' || jiraStatus.trim() === '') return ignore('the status change names no new status');

      const ticketId = await ticketIdForIssueKey(deps.db, issueKey);
      const ticket = ticketId === undefined ? undefined : await findTicket(deps.db, ticketId);
      if (ticket === undefined) return ignore(`no ticket is linked to ${issueKey} (only issues created by a jira.createIssue action are)`, { jiraStatus });
      const ref = { id: ticket.id, number: ticket.number, status: ticket.status };
      const to = ticketStatusForJira(jiraStatus, deps.config.channels.jira?.statusMap);
      if (to === undefined) return ignore(`Jira status "${jiraStatus}" is not mapped (channels.jira.statusMap)`, { jiraStatus, ticket: ref });

      let result;
      try {
        result = await deps.tickets.changeStatus(ticket.id, to, JIRA_ACTOR);
      } catch (error) {
        if (isTriageError(error) && error.code === 'TRIAGE_TICKET_ILLEGAL_TRANSITION') {
          request.log.warn({ code: error.code, issueKey, jiraStatus, ticket: ticket.number, from: ticket.status, to }, 'Jira status change refused by the ticket lifecycle');
        }
        throw error;
      }
      const changed = result.ticket.status !== ticket.status || result.decisions.length > 0;
      return reply.status(200).send({
        result: changed ? 'applied' : 'unchanged',
        issueKey,
        jiraStatus,
        from: ticket.status,
        to,
        ticket: { id: result.ticket.id, number: result.ticket.number, status: result.ticket.status },
      });
    },
  );
}
