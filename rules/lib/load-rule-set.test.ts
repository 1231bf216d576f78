import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../engine/errors/diagnostic.js';
import { compileRuleSet, loadRuleSet } from './load-rule-set.js';

function errorsOf(files: Record<string, string>): string[] {
  const r = compileRuleSet(Object.entries(files).map(([path, text]) => ({ path, text })));
  return r.ok ? [] : r.diagnostics.map(formatDiagnostic);
}

const rule = (body: string): string => `rules:\n  - id: r1\n    on: [ticket.created]\n${body}`;

describe('rule file validation', () => {
  it('loads the shipped rule set without errors', async () => {
    const r = await loadRuleSet('rules/default');
    if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
    expect(r.ruleSet.rules.length).toBeGreaterThan(20);
    expect(r.ruleSet.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('names file, line and column of an unknown operator and suggests the right one', () => {
    const errs = errorsOf({
      'rules/default/routing.yaml': rule('    when:\n      all:\n        - fact: ticket\n          path: subject\n          operator: containz\n          value: x\n    then:\n      - tag: a\n'),
    });
    expect(errs).toEqual(['rules/default/routing.yaml:8:21 TRIAGE_RULE_UNKNOWN_OPERATOR unknown operator "containz" (did you mean "contains"?)']);
  });

  it('reports YAML syntax errors with position', () => {
    const errs = errorsOf({ 'a.yaml': 'rules:\n  - id: x\n   on: [ticket.created]\n' });
    expect(errs[0]).toMatch(/^a\.yaml:3:\d+ TRIAGE_RULE_SYNTAX invalid YAML/);
  });

  it('reports JSON syntax errors with position', () => {
    const errs = errorsOf({ 'a.json': '{"rules": [\n  {"id": "x",}\n]}' });
    expect(errs[0]).toMatch(/^a\.json:2:14 TRIAGE_RULE_SYNTAX invalid JSON/);
  });

  it('reports schema violations: unknown keys, missing fields, bad types', () => {
    const errs = errorsOf({ 'a.yaml': 'rules:\n  - id: r1\n    on: [ticket.created]\n    priorty: 5\n    then:\n      - tag: a\n  - id: r2\n    on: [ticket.created]\n' });
    expect(errs).toContain('a.yaml:4:5 TRIAGE_RULE_SCHEMA unexpected key "priorty"');
    expect(errs).toContain('a.yaml:7:5 TRIAGE_RULE_SCHEMA rules.1 needs "then"');
  });

  it('reports duplicate rule ids across files with the first definition', () => {
    const errs = errorsOf({ 'a.yaml': rule('    then:\n      - tag: a\n'), 'b.yaml': rule('    then:\n      - tag: b\n') });
    expect(errs).toEqual(['b.yaml:2:9 TRIAGE_RULE_DUPLICATE_ID duplicate rule id "r1" (first defined at a.yaml:2:9)']);
  });

  it('reports unknown facts, unknown ticket fields and JSONPath paths', () => {
    const errs = errorsOf({
      'a.yaml': rule(
        '    when:\n      all:\n        - { fact: tiket, path: subject, operator: equal, value: x }\n        - { fact: ticket, path: subjekt, operator: equal, value: x }\n        - { fact: ticket, path: "$..subject", operator: equal, value: x }\n    then:\n      - tag: a\n',
      ),
    });
    expect(errs[0]).toBe('a.yaml:6:19 TRIAGE_RULE_UNKNOWN_FACT unknown fact "tiket" (did you mean "ticket"?)');
    expect(errs[1]).toBe('a.yaml:7:33 TRIAGE_RULE_UNKNOWN_PATH unknown path "subjekt" on fact "ticket" (did you mean "subject"?)');
    expect(errs[2]).toMatch(/^a\.yaml:8:33 TRIAGE_RULE_SCHEMA .*not a plain dotted path/);
  });

  it('reports unknown actions and bad action params', () => {
    const errs = errorsOf({
      'a.yaml': rule('    then:\n      - slack.postMesage: { channel: x, text: y }\n      - set: { priority: P9 }\n      - jira.createIssue: { project: OPS }\n'),
    });
    expect(errs[0]).toBe('a.yaml:5:9 TRIAGE_RULE_UNKNOWN_ACTION unknown action "slack.postMesage" (did you mean "slack.postMessage"?)');
    expect(errs[1]).toMatch(/^a\.yaml:6:26 TRIAGE_RULE_BAD_ACTION_PARAMS action "set": priority must be one of \["P1","P2","P3","P4"\]/);
    expect(errs.slice(2).join('\n')).toMatch(/a\.yaml:7:27 TRIAGE_RULE_BAD_ACTION_PARAMS action "jira.createIssue": .*needs "type"/);
  });

  it('reports templates using unknown facts', () => {
    const errs = errorsOf({ 'a.yaml': rule('    then:\n      - note: { text: "Hi {{custmer.name}}" }\n') });
    expect(errs[0]).toMatch(/TRIAGE_RULE_BAD_TEMPLATE .*unknown fact "custmer" \(did you mean "customer"\?\)/);
  });

  it('reports unknown events and suggests the right one', () => {
    const errs = errorsOf({ 'a.yaml': 'rules:\n  - id: r1\n    on: [ticket.create, schedule.pending-reminder]\n    then:\n      - tag: a\n' });
    expect(errs).toEqual([
      'a.yaml:3:10 TRIAGE_RULE_UNKNOWN_EVENT unknown event "ticket.create" (did you mean "ticket.created"?)',
      'a.yaml:3:25 TRIAGE_SCHEDULE_UNKNOWN_EVENT nothing raises "schedule.pending-reminder": no schedule named "pending-reminder" and no followUp with that name',
    ]);
  });

  it('reports unsafe and invalid regular expressions', () => {
    const errs = errorsOf({
      'a.yaml': rule('    when:\n      any:\n        - { fact: ticket, path: subject, operator: matchesRegex, value: "(a+)+$" }\n        - { fact: ticket, path: subject, operator: matchesRegex, value: "([a-z" }\n    then:\n      - tag: a\n'),
    });
    expect(errs[0]).toMatch(/^a\.yaml:6:\d+ TRIAGE_RULE_UNSAFE_REGEX/);
    expect(errs[1]).toMatch(/^a\.yaml:7:\d+ TRIAGE_RULE_INVALID_REGEX/);
  });

  it('reports a rule that can never fire', () => {
    const errs = errorsOf({
      'a.yaml': rule('    when:\n      all:\n        - { fact: ticket, path: priority, operator: equal, value: P1 }\n        - { fact: ticket, path: priority, operator: equal, value: P2 }\n    then:\n      - tag: a\n'),
    });
    expect(errs).toEqual(['a.yaml:4:5 TRIAGE_RULE_NEVER_FIRES rule "r1" can never fire: ticket.priority must equal both "P1" and "P2"']);
  });

  it('reports unknown lists and duplicate lists', () => {
    const errs = errorsOf({
      'a.yaml': `lists:\n  vip: [a.pl]\n${rule('    when: { fact: ticket, path: mailbox, operator: inList, value: vips }\n    then:\n      - tag: a\n')}`,
      'b.yaml': 'lists:\n  vip: [b.pl]\n',
    });
    expect(errs).toContain('b.yaml:2:3 TRIAGE_RULE_DUPLICATE_LIST list "vip" is defined twice (first at a.yaml:2:3)');
    expect(errs.some((e) => /^a\.yaml:6:\d+ TRIAGE_RULE_UNKNOWN_LIST unknown list "vips" \(did you mean "vip"\?\)/.test(e))).toBe(true);
  });

  it('reports a missing directory', async () => {
    const r = await loadRuleSet('does/not/exist');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]?.code).toBe('TRIAGE_RULE_SET_NOT_FOUND');
  });
});

describe('rule set version', () => {
  const a = 'rules:\n  - id: r1\n    on: [ticket.created]\n    then:\n      - tag: a\n';
  it('ignores formatting and comments but changes with content', () => {
    const v = (text: string): string => {
      const r = compileRuleSet([{ path: 'x/a.yaml', text }]);
      if (!r.ok) throw new Error('invalid');
      return r.ruleSet.version;
    };
    expect(v(a)).toBe(v(`# comment\n${a.replace('[ticket.created]', '\n      - ticket.created')}`));
    expect(v(a)).not.toBe(v(a.replace('tag: a', 'tag: b')));
    // the folder it was loaded from does not matter, the file name does
    const other = compileRuleSet([{ path: '/elsewhere/a.yaml', text: a }]);
    expect(other.ok && other.ruleSet.version).toBe(v(a));
  });
});
