import { describe, expect, it } from 'vitest';
import { connectorTarget } from './outbox-action.js';
import { outboxIdempotencyKey } from './outbox-idempotency-key.js';

describe('connectorTarget', () => {
  it('splits <connector>.<operation> and reads the connection param; built-ins have no target', () => {
    expect(connectorTarget('webhook.post', { connection: 'orders' })).toEqual({ connector: 'webhook', operation: 'post', requested: 'orders' });
    expect(connectorTarget('slack.postMessage', { channel: '#x' })).toEqual({ connector: 'slack', operation: 'postMessage', requested: undefined });
    expect(connectorTarget('jira.createIssue', { connection: '' })).toMatchObject({ requested: undefined });
    for (const builtIn of ['note', 'reply', 'acknowledge', 'escalate', 'followUp', '.x', 'x.']) expect(connectorTarget(builtIn, {})).toBeUndefined();
  });
});

describe('outboxIdempotencyKey', () => {
  it('is ticket:rule:event:decision:index', () => {
    expect(outboxIdempotencyKey({ ticketId: 't1', ruleId: 'vip-escalate', event: 'sla.breached', decisionId: 'd9', actionIndex: 2 })).toBe('t1:vip-escalate:sla.breached:d9:2');
  });
});
