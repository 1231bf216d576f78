import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../engine/errors/diagnostic.js';
import { evaluate } from './evaluate.js';
import { compileRuleSet, loadRuleSet } from './load-rule-set.js';
import type { RuleSet } from './rule-set.js';

function ruleSet(...files: string[]): RuleSet {
  const r = compileRuleSet(files.map((text, i) => ({ path: `f${i}.yaml`, text })));
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.ruleSet;
}

const ordering = `
rules:
  - id: route-on-category
    on: [ticket.created]
    priority: 10
    when: { fact: ticket, path: category, operator: equal, value: invoice }
    then:
      - set: { team: finance }
  - id: categorize
    on: [ticket.created]
    priority: 90
    when: { fact: ticket, path: subject, operator: containsAnyWord, value: ["faktur*"] }
    then:
      - set: { category: invoice }
  - id: same-priority-first
    on: [ticket.created]
    priority: 10
    then:
      - tag: first
  - id: same-priority-second
    on: [ticket.created]
    priority: 10
    then:
      - tag: second
`;

describe('evaluate', () => {
  it('runs rules by priority, then file order, and makes set visible to later rules', async () => {
    const d = await evaluate(ruleSet(ordering), { ticket: { subject: 'Faktura 1' } });
    expect(d.firedRules).toEqual(['categorize', 'route-on-category', 'same-priority-first', 'same-priority-second']);
    expect(d.changes).toEqual({ category: 'invoice', team: 'finance' });
    expect(d.changeLog).toEqual([
      { field: 'category', from: undefined, to: 'invoice', ruleId: 'categorize' },
      { field: 'team', from: undefined, to: 'finance', ruleId: 'route-on-category' },
    ]);
    expect(d.tags.added).toEqual(['first', 'second']);
    expect(d.event).toBe('ticket.created');
    expect(d.ruleSetVersion).toMatch(/^[0-9a-f]{16}$/);
  });

  it('fires a rule at most once and never mutates the caller’s ticket', async () => {
    const rs = ruleSet(`
rules:
  - id: toggles
    on: [ticket.created]
    when: { fact: ticket, path: tags, operator: doesNotContain, value: seen }
    then:
      - tag: seen
      - note: { text: "seen {{ticket.subject}}" }
`);
    const ticket = { subject: 'x', tags: ['old'] };
    const d = await evaluate(rs, { ticket });
    expect(d.firedRules).toEqual(['toggles']);
    expect(d.actions).toEqual([{ type: 'note', params: { text: 'seen x' }, ruleId: 'toggles', index: 1 }]);
    expect(ticket).toEqual({ subject: 'x', tags: ['old'] });
  });

  it('logs every real tag change with its rule; the R11 review tag is logged as rule "review"', async () => {
    const rs = ruleSet(`
settings:
  reviewThreshold: 0.9
rules:
  - id: tagger
    on: [ticket.created]
    priority: 90
    then:
      - tag: [old, fresh, fresh]
      - untag: [gone, stale]
  - id: flipper
    on: [ticket.created]
    priority: 80
    confidence: 0.5
    then:
      - set: { category: other }
      - untag: fresh
      - tag: [fresh, needs-review]
`);
    // \`old\` is already there and \`gone\` is absent: neither is a change, so neither is logged.
    const d = await evaluate(rs, { ticket: { subject: 'x', tags: ['old', 'stale'] } });
    expect(d.tagLog).toEqual([
      { tag: 'fresh', action: 'add', ruleId: 'tagger' },
      { tag: 'stale', action: 'remove', ruleId: 'tagger' },
      { tag: 'fresh', action: 'remove', ruleId: 'flipper' },
      { tag: 'fresh', action: 'add', ruleId: 'flipper' },
      { tag: 'needs-review', action: 'add', ruleId: 'flipper' },
    ]);
    expect(d.review).toBe(true);
    expect(d.tags).toEqual({ added: ['fresh', 'needs-review'], removed: ['stale'] });

    // When no rule tags it, the review tag is logged as added by the decision's confidence, rule `review`.
    const noRuleTag = ruleSet(`
rules:
  - id: unsure
    on: [ticket.created]
    confidence: 0.5
    then:
      - set: { category: other }
`);
    expect((await evaluate(noRuleTag, { ticket: {} })).tagLog).toEqual([{ tag: 'needs-review', action: 'add', ruleId: 'review' }]);
    expect((await evaluate(noRuleTag, { ticket: { tags: ['needs-review'] } })).tagLog).toEqual([]);
  });

  it('stop: true ends the evaluation; the trace says which rules were skipped', async () => {
    const rs = ruleSet(`
rules:
  - id: stopper
    on: [ticket.created]
    priority: 100
    stop: true
    when: { fact: message, path: auto.isAutoReply, operator: equal, value: true }
    then:
      - tag: auto
  - id: later
    on: [ticket.created]
    then:
      - tag: later
`);
    const d = await evaluate(rs, { ticket: { subject: 'x' }, message: { auto: { isAutoReply: true } } }, { explain: true });
    expect(d.firedRules).toEqual(['stopper']);
    expect(d.trace?.map((t) => [t.ruleId, t.outcome])).toEqual([
      ['stopper', 'fired'],
      ['later', 'skipped-stopped'],
    ]);
    const d2 = await evaluate(rs, { ticket: { subject: 'x' }, message: { auto: { isAutoReply: false } } });
    expect(d2.firedRules).toEqual(['later']);
  });

  it('only runs rules of the event', async () => {
    const rs = ruleSet(`
schedules:
  - { name: pending-reminder, cron: "0 8 * * *" }
rules:
  - id: on-warning
    on: [sla.warning]
    then:
      - tag: warned
  - id: on-schedule
    on: [schedule.pending-reminder]
    then:
      - tag: reminded
`);
    expect((await evaluate(rs, { ticket: {} })).firedRules).toEqual([]);
    expect((await evaluate(rs, { event: 'sla.warning', ticket: {} })).firedRules).toEqual(['on-warning']);
    expect((await evaluate(rs, { event: 'schedule.pending-reminder', ticket: {} })).firedRules).toEqual(['on-schedule']);
    await expect(evaluate(rs, { event: 'ticket.create', ticket: {} })).rejects.toMatchObject({ code: 'TRIAGE_EVAL_UNKNOWN_EVENT' });
  });

  describe('confidence and review (R11)', () => {
    const rs = ruleSet(`
settings:
  reviewThreshold: 0.9
rules:
  - id: guess
    on: [ticket.created]
    priority: 90
    confidence: 0.7
    when: { fact: ticket, path: subject, operator: endsWith, value: "?" }
    then:
      - set: { category: inquiry }
  - id: sure
    on: [ticket.created]
    priority: 80
    confidence: 0.99
    when: { fact: ticket, path: subject, operator: containsAnyWord, value: [invoice] }
    then:
      - set: { category: invoice }
  - id: route
    on: [ticket.created]
    priority: 10
    when: { fact: ticket, path: category, operator: exists, value: true }
    then:
      - set: { team: support, priority: P3 }
  - id: tag-only
    on: [ticket.created]
    confidence: 0.1
    then:
      - tag: seen
`);
    it('carries the lowest confidence and holds routing back below the threshold', async () => {
      const d = await evaluate(rs, { ticket: { subject: 'Do you ship?' } });
      expect(d.confidence).toBe(0.7);
      expect(d.review).toBe(true);
      expect(d.changes).toEqual({ category: 'inquiry', priority: 'P3' });
      expect(d.suggested).toEqual({ team: 'support' });
      expect(d.tags.added).toContain('needs-review');
      expect(d.changeLog.map((c) => c.field)).toEqual(['category', 'priority']);
      expect(d.reviewReasons[0]).toMatch(/guess \(confidence 0.7\)/);
    });
    it('routes when every classifying rule is confident; rules that only tag do not count', async () => {
      const d = await evaluate(rs, { ticket: { subject: 'invoice 7' } });
      expect(d.confidence).toBe(0.99);
      expect(d.review).toBe(false);
      expect(d.changes).toEqual({ category: 'invoice', team: 'support', priority: 'P3' });
    });
    it('has no confidence when no rule classifies', async () => {
      const d = await evaluate(rs, { ticket: { subject: 'hello' } });
      expect(d.confidence).toBeNull();
      expect(d.review).toBe(false);
    });
  });

  it('explains every condition with the actual fact value', async () => {
    const rs = ruleSet(`
rules:
  - id: big-customer
    on: [ticket.created]
    when:
      all:
        - { fact: customer, path: arrShare, operator: greaterThan, value: 0.1 }
        - { fact: ticket, path: subject, operator: containsAnyPhrase, value: ["critical outage"] }
    then:
      - tag: big
`);
    const d = await evaluate(rs, { ticket: { subject: 'Critical  OUTAGE now' }, customer: { arrShare: 0.05 } }, { explain: true });
    expect(d.trace?.[0]).toMatchObject({ ruleId: 'big-customer', outcome: 'not-matched', file: 'f0.yaml', line: 3 });
    expect(d.trace?.[0]?.conditions[0]).toMatchObject({ fact: 'customer', path: 'arrShare', operator: 'greaterThan', value: 0.1, actual: 0.05, result: false });
  });

  it('loads a lazy fact only when a rule of the event reads it, and reports its failure', async () => {
    const rs = ruleSet(`
rules:
  - id: uses-customer
    on: [sla.warning]
    when: { fact: customer, path: vip, operator: equal, value: true }
    then:
      - tag: vip
  - id: plain
    on: [ticket.created]
    then:
      - tag: plain
`);
    let calls = 0;
    const customer = async () => {
      calls++;
      return { vip: true };
    };
    await evaluate(rs, { ticket: {}, customer });
    expect(calls).toBe(0);
    const d = await evaluate(rs, { event: 'sla.warning', ticket: {}, customer });
    expect(calls).toBe(1);
    expect(d.firedRules).toEqual(['uses-customer']);
    await expect(
      evaluate(rs, { event: 'sla.warning', ticket: {}, customer: () => Promise.reject(new Error('CRM down')) }),
    ).rejects.toMatchObject({ code: 'TRIAGE_EVAL_FACT_FAILED', message: 'Fact "customer" could not be loaded: CRM down' });
  });

  it('1000 concurrent evaluations with async facts give exactly the sequential results', async () => {
    const loaded = await loadRuleSet('rules/default');
    if (!loaded.ok) throw new Error('default rule set invalid');
    const rs = loaded.ruleSet;
    const subjects = ['Faktura 12', 'Reklamacja towaru', 'Awaria krytyczna', 'Pytanie o cenę?', 'Hello', 'Zmiana adresu', 'Naprawa pieca'];
    const inputs = Array.from({ length: 1000 }, (_, i) => ({
      ticket: { number: `T-${i}`, subject: subjects[i % subjects.length] ?? '', channel: i % 2 === 0 ? 'email' : 'web' },
      segment: i % 3 === 0 ? 'enterprise' : 'standard',
      arrShare: (i % 10) / 20,
    }));
    const sequential = [];
    for (const inp of inputs) {
      sequential.push(await evaluate(rs, { ticket: inp.ticket, customer: { name: `C${inp.ticket.number}`, segment: inp.segment, arrShare: inp.arrShare }, now: '2026-01-05T10:00:00Z' }));
    }
    // Random delays make the lazy facts resolve out of order.
    const concurrent = await Promise.all(
      inputs.map((inp) =>
        evaluate(rs, {
          ticket: inp.ticket,
          customer: () => new Promise((resolve) => setTimeout(() => resolve({ name: `C${inp.ticket.number}`, segment: inp.segment, arrShare: inp.arrShare }), Math.random() * 5)),
          now: '2026-01-05T10:00:00Z',
        }),
      ),
    );
    expect(concurrent).toEqual(sequential);
    expect(new Set(sequential.map((d) => d.firedRules.join())).size).toBeGreaterThan(5);
  });
});

describe('evaluate with hostile input', () => {
  it('keeps an own "__proto__" key of JSON input as data, never as the prototype', async () => {
    const rs = compileRuleSet([{ path: 'p.yaml', text: 'rules:\n  - id: r\n    on: [ticket.created]\n    then:\n      - set: { team: t }\n' }]);
    if (!rs.ok) throw new Error('invalid');
    const ticket = JSON.parse('{"subject":"x","__proto__":{"polluted":true}}') as Record<string, unknown>;
    const d = await evaluate(rs.ruleSet, { ticket });
    expect(d.changes).toEqual({ team: 't' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
