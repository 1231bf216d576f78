import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../errors/diagnostic.js';
import { compileRuleSet } from '../../rules/lib/load-rule-set.js';
import type { RuleSet } from '../../rules/lib/rule-set.js';
import { ruleSetDecide } from './rule-set-decide.js';

function ruleSet(text: string): RuleSet {
  const r = compileRuleSet([{ path: 'rules.yaml', text }]);
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.ruleSet;
}

const v1 = ruleSet(`
rules:
  - id: strategic
    on: [status.changed]
    when:
      all:
        - { fact: customer, path: arrShare, operator: greaterThan, value: 0.1 }
        - { fact: ticket, path: status, operator: equal, value: pending }
    then:
      - tag: strategic
      - note: { text: "{{customer.name}} waits on {{ticket.number}} since {{now}}" }
`);
const v2 = ruleSet(`
rules:
  - id: renamed
    on: [status.changed]
    then:
      - tag: v2
`);

const input = {
  event: 'status.changed',
  ticket: { number: 'T-000007', status: 'pending', tags: [] },
  customer: { name: 'Acme', arrShare: 0.14 },
  now: '2026-01-05T10:00:00.000Z',
};

describe('ruleSetDecide', () => {
  it('decides synchronously on the facts the store passes', () => {
    const d = ruleSetDecide(() => v1)(input);
    expect(d).not.toBeInstanceOf(Promise);
    expect(d).toMatchObject({
      event: 'status.changed',
      ruleSetVersion: v1.version,
      firedRules: ['strategic'],
      tagLog: [{ tag: 'strategic', action: 'add', ruleId: 'strategic' }],
      actions: [{ type: 'note', params: { text: 'Acme waits on T-000007 since 2026-01-05T10:00:00.000Z' } }],
    });
    expect(input.ticket.tags).toEqual([]);
  });

  it('asks the getter on every evaluation, so a reloaded rule set is used next time', () => {
    let current = v1;
    const decide = ruleSetDecide(() => current);
    expect(decide(input)).toMatchObject({ ruleSetVersion: v1.version, firedRules: ['strategic'] });
    current = v2;
    expect(decide(input)).toMatchObject({ ruleSetVersion: v2.version, firedRules: ['renamed'] });
  });

  it('passes explain through', () => {
    const d = ruleSetDecide(() => v1, { explain: true })({ ...input, customer: { arrShare: 0.05 } });
    expect(d).toMatchObject({ firedRules: [], trace: [{ ruleId: 'strategic', outcome: 'not-matched' }] });
  });
});
