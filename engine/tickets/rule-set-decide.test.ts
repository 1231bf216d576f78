import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../errors/diagnostic.js';
import { decide as decideOnce } from '../../rules/lib/evaluate.js';
import { compileRuleSet } from '../../rules/lib/load-rule-set.js';
import type { RuleSet } from '../../rules/lib/rule-set.js';
import type { Decision } from '../../rules/lib/rule-types.js';
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

  describe('the sla fact of ticket.created, a function of the decided ticket', () => {
    // The store's Decide may answer a promise; this one never does.
    function settled(d: Decision | Promise<Decision>): Decision {
      if (d instanceof Promise) throw new Error('ruleSetDecide answered a promise');
      return d;
    }
    // Clocks that depend on the priority, as SlaClocks' are; counts its calls.
    function clocks(): { calls: Array<Record<string, unknown>>; source: (t: Record<string, unknown>) => Record<string, unknown> } {
      const calls: Array<Record<string, unknown>> = [];
      const source = (t: Record<string, unknown>) => {
        calls.push(t);
        return { firstResponse: { dueAt: t.priority === 'P1' ? '10:15' : t.priority === 'P3' ? '17:00' : 'none' } };
      };
      return { calls, source };
    }
    const created = {
      event: 'ticket.created',
      ticket: { number: 'T-000009', subject: 'Total outage', priority: null, team: null, tags: [] },
      now: '2026-01-05T10:00:00.000Z',
    };
    // Sets P1 on the outage ticket below; the two rule sets add what they need after it.
    const OUTAGE = `  - id: outage
    on: [ticket.created]
    priority: 5
    when: { all: [ { fact: ticket, path: subject, operator: equal, value: Total outage } ] }
    then:
      - set: { priority: P1 }
`;
    const templatesOnly = ruleSet(`
rules:
  - id: ack
    on: [ticket.created]
    priority: 10
    then:
      - acknowledge: { text: "{{ticket.number}} ({{ticket.priority}}, team {{ticket.team}}) answered by {{ sla.firstResponse.dueAt }}" }
${OUTAGE}      - note: { text: "now {{ticket.priority}}, due {{ sla.firstResponse.dueAt }}" }
      - note: { text: "no clocks here: {{ticket.priority}}" }
  - id: route
    on: [ticket.created]
    priority: 1
    then:
      - set: { team: ops }
`);

    it('renders the templates that read sla with the clocks of the decided ticket, in one run, as a second run with those clocks would', () => {
      const { calls, source } = clocks();
      const d = settled(ruleSetDecide(() => templatesOnly)({ ...created, sla: source }));
      // One computation of the clocks, from the ticket as the rules left it.
      expect(calls).toEqual([{ ...created.ticket, priority: 'P1', team: 'ops' }]);
      const reference = decideOnce(templatesOnly, 'ticket.created', { ticket: created.ticket, message: undefined, customer: undefined, now: created.now, sla: source({ ...created.ticket, priority: 'P1', team: 'ops' }) });
      expect(d).toEqual(reference);
      // Each template sees the ticket as it was when its rule fired, and the clocks of the decided ticket.
      expect(d.actions.map((a) => a.params)).toEqual([
        { text: 'T-000009 (, team ) answered by 10:15' },
        { text: 'now P1, due 10:15' },
        { text: 'no clocks here: P1' },
      ]);
      expect(d.changes).toEqual({ priority: 'P1', team: 'ops' });
    });

    it('with no change by the rules, uses the clocks of the ticket as given', () => {
      const { calls, source } = clocks();
      const d = settled(ruleSetDecide(() => templatesOnly)({ ...created, ticket: { ...created.ticket, subject: 'Invoice', team: 'ops' }, sla: source }));
      expect(calls).toHaveLength(1);
      expect(d.actions.map((a) => a.params)).toEqual([{ text: 'T-000009 (, team ops) answered by none' }]);
    });

    it('runs the rules again with the decided clocks when a condition reads sla', () => {
      const conditions = ruleSet(`
rules:
${OUTAGE}  - id: fast-clock
    on: [ticket.created]
    priority: 1
    when: { all: [ { fact: sla, path: firstResponse.dueAt, operator: equal, value: "10:15" } ] }
    then:
      - tag: fast
      - note: { text: "due {{ sla.firstResponse.dueAt }}" }
`);
      const { calls, source } = clocks();
      const d = settled(ruleSetDecide(() => conditions)({ ...created, sla: source }));
      // The first run saw no P1 clocks; the second, with the decided ticket's, fires fast-clock.
      expect(calls.map((c) => c.priority)).toEqual([null, 'P1']);
      expect(d.firedRules).toEqual(['outage', 'fast-clock']);
      expect(d.tags.added).toEqual(['fast']);
      expect(d.actions.map((a) => a.params)).toEqual([{ text: 'due 10:15' }]);
    });
  });
});
