import { describe, expect, it } from 'vitest';
import type { ConnectorDefinition, ConnectorOperation } from '../../connectors/lib/connector.js';
import { createConnectorRegistry } from '../../connectors/lib/registry.js';
import { webhookConnector } from '../../connectors/webhook/webhook-connector.js';
import { formatDiagnostic } from '../../engine/errors/diagnostic.js';
import { actionCatalogue, buildActionCatalogue } from './action-catalogue.js';
import { compileRuleSet } from './load-rule-set.js';

const TICKET_ACTIONS = ['set', 'tag', 'untag', 'reply', 'acknowledge', 'note', 'escalate', 'followUp'];

function connector(name: string, kind: ConnectorDefinition['kind'], operations: ConnectorOperation[]): ConnectorDefinition {
  return { name, kind, summary: name, credentials: { type: 'object' }, operations, create: () => ({ test: () => Promise.resolve({ ok: true, detail: '' }) }) };
}

describe('action catalogue', () => {
  it('keeps the built-in ticket actions and derives webhook.post from the registry', () => {
    for (const name of TICKET_ACTIONS) expect(actionCatalogue.get(name)?.connector).toBeUndefined();
    const post = actionCatalogue.get('webhook.post');
    expect(post).toMatchObject({ kind: 'action', connector: { name: 'webhook', operation: 'post', idempotency: 'key' }, templates: [] });
    expect(post?.params).toMatchObject({ required: ['connection'], properties: { connection: { type: 'string' }, path: { type: 'string' }, body: { type: 'object' } } });
    expect(post?.params).toEqual(expect.objectContaining({ additionalProperties: false }));
    expect(Object.keys((webhookConnector.operations[0]?.params.properties ?? {}) as object)).toEqual(['connection', 'path', 'body']);
  });

  it('adds the connection param to every connector action, and leaves out non-action connectors', () => {
    const pageParams = { type: 'object', additionalProperties: false, required: ['who'], properties: { who: { type: 'string' } } };
    const registry = createConnectorRegistry([
      connector('pager', 'action', [{ name: 'page', summary: 'Page someone', params: pageParams, templates: ['who'], idempotency: 'none' }]),
      connector('crm', 'facts', [{ name: 'lookup', summary: 'x', params: { type: 'object' }, templates: [], idempotency: 'none' }]),
    ]);
    const catalogue = buildActionCatalogue(registry);
    expect(catalogue.get('pager.page')).toMatchObject({
      params: { required: ['who'], properties: { who: { type: 'string' }, connection: { type: 'string', minLength: 1 } } },
      templates: ['who'],
      connector: { name: 'pager', operation: 'page', idempotency: 'none' },
    });
    expect(pageParams.properties).toEqual({ who: { type: 'string' } }); // the connector's schema is not mutated
    expect(catalogue.has('crm.lookup')).toBe(false);
    expect([...catalogue.keys()].filter((k) => TICKET_ACTIONS.includes(k))).toEqual(TICKET_ACTIONS);
  });

  it('has connector actions only for registered connectors', () => {
    const without = buildActionCatalogue(createConnectorRegistry([]));
    expect(without.has('email.send')).toBe(false);
    expect(without.has('webhook.post')).toBe(false);
    expect(without.get('tag')).toMatchObject({ kind: 'tag' });
    const email = connector('email', 'action', [{ name: 'send', summary: 'Send', params: { type: 'object', required: ['to'], properties: { to: { type: 'string' }, cc: { type: 'string' } } }, templates: ['to'], idempotency: 'none' }]);
    const withEmail = buildActionCatalogue(createConnectorRegistry([email]));
    expect(withEmail.get('email.send')).toMatchObject({ connector: { name: 'email' }, templates: ['to'], params: { properties: { cc: { type: 'string' } } } });
  });

  it('derives the slack and jira actions the shipped rules use from their registered connectors', () => {
    for (const name of ['slack.postMessage', 'jira.createIssue', 'jira.addComment']) expect(actionCatalogue.get(name)?.connector?.name, name).toBe(name.split('.')[0]);
  });

  it('makes rule validation check webhook.post params against the connector schema', () => {
    const r = compileRuleSet([
      {
        path: 'hooks.yaml',
        text: 'rules:\n  - id: h\n    on: [ticket.created]\n    then:\n      - webhook.post: { connection: orders, url: "https://x" }\n      - webhook.post: { path: a }\n      - webhook.post: { connection: orders, path: tickets, body: { a: 1 } }\n',
      },
    ]);
    expect(r.ok ? [] : r.diagnostics.map(formatDiagnostic)).toEqual([
      'hooks.yaml:5:45 TRIAGE_RULE_BAD_ACTION_PARAMS action "webhook.post": unexpected key "url"',
      'hooks.yaml:6:23 TRIAGE_RULE_BAD_ACTION_PARAMS action "webhook.post": params needs "connection"',
    ]);
  });
});
