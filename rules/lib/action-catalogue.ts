import type { TicketField } from './rule-types.js';

/**
 * Every action a rule can take, with a JSON Schema for its params. Rule
 * validation checks params against these schemas, so a typo in a rule file is
 * caught by `triage validate`, not by a failing Slack call at 3 a.m.
 *
 * `kind` says how the evaluator treats it: `set`/`tag`/`untag` change the ticket
 * (and are visible to later rules); `action` is recorded in the decision for the
 * outbox to carry out. `templates` lists the params rendered with {{fact.path}}.
 */
export interface ActionDefinition {
  name: string;
  kind: 'set' | 'tag' | 'untag' | 'action';
  summary: string;
  params: Record<string, unknown>;
  templates: readonly string[];
}

const text = { type: 'string', minLength: 1 } as const;
const tagList = {
  oneOf: [
    { type: 'string', pattern: '^[^\\s,]+$' },
    { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[^\\s,]+$' } },
  ],
} as const;
const duration = { type: 'string', pattern: '^[1-9][0-9]*[mhdw]$' } as const;

export const SETTABLE_FIELDS: readonly TicketField[] = ['category', 'priority', 'team', 'queue', 'assignee', 'status', 'language', 'type'];

const definitions: ActionDefinition[] = [
  {
    name: 'set',
    kind: 'set',
    summary: 'Set ticket fields (category, priority, team, queue, assignee, status, language, type).',
    params: {
      type: 'object',
      minProperties: 1,
      additionalProperties: false,
      properties: {
        category: text,
        priority: { enum: ['P1', 'P2', 'P3', 'P4'] },
        team: text,
        queue: text,
        assignee: text,
        status: { enum: ['new', 'open', 'pending', 'solved', 'closed'] },
        language: text,
        type: text,
      },
    },
    templates: [],
  },
  { name: 'tag', kind: 'tag', summary: 'Add one tag or a list of tags.', params: tagList, templates: [] },
  { name: 'untag', kind: 'untag', summary: 'Remove one tag or a list of tags.', params: tagList, templates: [] },
  {
    name: 'reply',
    kind: 'action',
    summary: 'Send a templated public reply to the customer.',
    params: { type: 'object', additionalProperties: false, required: ['text'], properties: { subject: text, text } },
    templates: ['subject', 'text'],
  },
  {
    name: 'acknowledge',
    kind: 'action',
    summary: 'Acknowledge receipt: ticket number, expected response time, optional FAQ link.',
    params: { type: 'object', additionalProperties: false, properties: { text, faqUrl: { type: 'string', pattern: '^https?://' } } },
    templates: ['text'],
  },
  {
    name: 'note',
    kind: 'action',
    summary: 'Add an internal note to the ticket.',
    params: { type: 'object', additionalProperties: false, required: ['text'], properties: { text } },
    templates: ['text'],
  },
  {
    name: 'escalate',
    kind: 'action',
    summary: 'Escalate to a person or role (e.g. team-lead) with a reason.',
    params: { type: 'object', additionalProperties: false, required: ['to'], properties: { to: text, reason: text } },
    templates: ['reason'],
  },
  {
    name: 'followUp',
    kind: 'action',
    summary: 'Schedule a schedule.<name> event for this ticket after a duration (e.g. 5d).',
    params: {
      type: 'object',
      additionalProperties: false,
      required: ['after', 'name'],
      properties: { after: duration, name: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$' } },
    },
    templates: [],
  },
  {
    name: 'slack.postMessage',
    kind: 'action',
    summary: 'Post a message to a Slack channel.',
    params: { type: 'object', additionalProperties: false, required: ['channel', 'text'], properties: { channel: text, text, connection: text } },
    templates: ['text'],
  },
  {
    name: 'jira.createIssue',
    kind: 'action',
    summary: 'Create a Jira issue.',
    params: {
      type: 'object',
      additionalProperties: false,
      required: ['project', 'type', 'summary'],
      properties: {
        project: text,
        type: text,
        summary: text,
        description: text,
        priority: text,
        labels: { type: 'array', items: text },
        connection: text,
      },
    },
    templates: ['summary', 'description'],
  },
  {
    name: 'jira.addComment',
    kind: 'action',
    summary: "Comment on the ticket's linked Jira issue (or the issue key given).",
    params: { type: 'object', additionalProperties: false, required: ['body'], properties: { issue: text, body: text, connection: text } },
    templates: ['body'],
  },
  {
    name: 'webhook.post',
    kind: 'action',
    summary: 'POST a signed JSON payload to a webhook connection.',
    params: {
      type: 'object',
      additionalProperties: false,
      required: ['connection'],
      properties: { connection: text, path: { type: 'string' }, body: { type: 'object' } },
    },
    templates: [],
  },
  {
    name: 'email.send',
    kind: 'action',
    summary: 'Send an e-mail (internal notification, not a customer reply).',
    params: { type: 'object', additionalProperties: false, required: ['to', 'subject', 'text'], properties: { to: text, subject: text, text } },
    templates: ['to', 'subject', 'text'],
  },
];

export const actionCatalogue: ReadonlyMap<string, ActionDefinition> = new Map(definitions.map((d) => [d.name, d]));
