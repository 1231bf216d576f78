import { connectorRegistry, type ConnectorRegistry } from '../../connectors/lib/registry.js';
import type { TicketField } from './rule-types.js';

/**
 * Every action a rule can take, with a JSON Schema for its params. Rule
 * validation checks params against these schemas, so a typo in a rule file is
 * caught by `triage validate`, not by a failing Slack call at 3 a.m.
 *
 * Two sources: the built-in ticket actions below (set, tag, untag, reply,
 * acknowledge, note, escalate, followUp), and one action per operation of
 * every `action` connector in the registry (`<connector>.<operation>`, e.g.
 * `webhook.post`), whose params schema the connector declares.
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
  /** For connector actions: which connector and operation carry it out (the outbox dispatches on it). */
  connector?: { name: string; operation: string; idempotency: 'key' | 'none' };
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

const ticketActions: ActionDefinition[] = [
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
];

/** The `connection` param every connector action accepts (required where the operation's schema says so). */
const connectionParam = { type: 'string', minLength: 1, description: 'Name of the connection in connections.yaml.' } as const;

/** One action per operation of every action connector in `registry`. */
export function connectorActions(registry: ConnectorRegistry): ActionDefinition[] {
  return [...registry.values()]
    .filter((c) => c.kind === 'action')
    .flatMap((c) =>
      c.operations.map((op) => {
        const properties = (op.params.properties ?? {}) as Record<string, unknown>;
        return {
          name: `${c.name}.${op.name}`,
          kind: 'action' as const,
          summary: op.summary,
          params: { ...op.params, properties: { ...properties, connection: properties.connection ?? connectionParam } },
          templates: op.templates,
          connector: { name: c.name, operation: op.name, idempotency: op.idempotency },
        };
      }),
    );
}

/** The catalogue for a registry: the built-in ticket actions, then one action per connector operation. */
export function buildActionCatalogue(registry: ConnectorRegistry): ReadonlyMap<string, ActionDefinition> {
  const map = new Map<string, ActionDefinition>();
  for (const d of [...ticketActions, ...connectorActions(registry)]) {
    if (map.has(d.name)) throw new Error(`action "${d.name}" is defined twice`);
    map.set(d.name, d);
  }
  return map;
}

export const actionCatalogue: ReadonlyMap<string, ActionDefinition> = buildActionCatalogue(connectorRegistry);
