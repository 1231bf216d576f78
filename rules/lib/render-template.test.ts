import { afterEach, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../engine/errors/diagnostic.js';
import { configurePrivacy } from '../../engine/privacy/privacy-settings.js';
import { decide } from './evaluate.js';
import { compileRuleSet } from './load-rule-set.js';
import { checkTemplate, compileTemplate, levelTemplateLogger, renderTemplate, setTemplateLogger, templateFacts, type TemplateLogEntry } from './render-template.js';
import type { Facts } from './rule-types.js';

const facts: Facts = {
  ticket: { number: 'T-000042', subject: 'Awaria', priority: 'P1', tags: ['vip', 'phone'], data: { call: { status: 'missed' } }, assignee: null },
  message: { text: 'Karta 4111 1111 1111 1111, zamówienie 2026/01/12345' },
  customer: { name: 'ACME Sp. z o.o.' },
  sla: { firstResponseDue: '2026-01-05T09:00:00.000Z', percent: 80 },
  now: '2026-01-05T08:30:00.000Z',
};

/** Compiled templates are cached by source, with what they already logged: each test uses its own template strings. */
function capture(): TemplateLogEntry[] {
  const entries: TemplateLogEntry[] = [];
  setTemplateLogger((e) => entries.push(e));
  return entries;
}

afterEach(() => {
  setTemplateLogger(undefined);
  configurePrivacy();
});

describe('renderTemplate', () => {
  it('renders the {{fact.path}} placeholders rule files already use', () => {
    expect(renderTemplate('P1 from {{customer.name}}: {{ticket.subject}} ({{ticket.number}})', facts)).toBe('P1 from ACME Sp. z o.o.: Awaria (T-000042)');
    expect(renderTemplate('{{ ticket.number }} at {{sla.percent}}%', facts)).toBe('T-000042 at 80%');
    expect(renderTemplate('no placeholders', facts)).toBe('no placeholders');
  });

  it('prints objects and lists as JSON and null as nothing', () => {
    expect(renderTemplate('{{ticket.data}} {{ticket.tags}} [{{ticket.assignee}}]', facts)).toBe('{"call":{"status":"missed"}} ["vip","phone"] []');
  });

  it('supports Liquid filters, conditions and loops', () => {
    expect(renderTemplate('{{ sla.firstResponseDue | date: "%Y-%m-%d %H:%M" }}', facts)).toBe('2026-01-05 10:00');
    expect(renderTemplate('{{ sla.firstResponseDue | date: "%H:%M", "UTC" }}', facts)).toBe('09:00');
    expect(renderTemplate('{{ ticket.tags | join: ", " | upcase }}', facts)).toBe('VIP, PHONE');
    expect(renderTemplate('{% if customer.name %}Dear {{customer.name}}{% else %}Hello{% endif %}', facts)).toBe('Dear ACME Sp. z o.o.');
    expect(renderTemplate('{% for t in ticket.tags %}#{{ t }} {% endfor %}', facts)).toBe('#vip #phone ');
    expect(renderTemplate('{{ customer.segment | default: "standard" }}', facts)).toBe('standard');
  });

  it('renders Polish dates and masks PII', () => {
    expect(renderTemplate('Odpowiemy do {{ sla.firstResponseDue | date_pl }} ({{ sla.firstResponseDue | weekday_pl }})', facts)).toBe(
      'Odpowiemy do 5 stycznia 2026, 10:00 (poniedziałek)',
    );
    expect(renderTemplate('{{ message.text | mask }}', facts)).toBe('Karta **** **** **** 1111, zamówienie 2026/01/12345');
  });

  it('renders a missing value as empty and logs it, without throwing', () => {
    const log = capture();
    expect(renderTemplate('Hi {{customer.nickname}}!', facts, { ruleId: 'r1', action: 'reply', field: 'text' })).toBe('Hi !');
    expect(renderTemplate('{{ sla.dueAt }}/{{ ticket.missing.deep }}', { ...facts, sla: undefined })).toBe('/');
    expect(log).toEqual([
      expect.objectContaining({ level: 'warn', variable: 'customer.nickname', ruleId: 'r1', action: 'reply', field: 'text', template: 'Hi {{customer.nickname}}!' }),
      expect.objectContaining({ level: 'warn', variable: 'sla' }),
    ]);
  });

  it('looks into a missing path once per template (the strict render that names it is costly), and into each new one', () => {
    const log = capture();
    const t = compileTemplate('{{ customer.tier }}|{{ customer.region }}');
    expect(t.render({ ...facts, customer: { region: 'PL' } })).toBe('|PL');
    expect(t.render({ ...facts, customer: { region: 'DE' } })).toBe('|DE');
    expect(t.render({ ...facts, customer: { tier: 'gold' } })).toBe('gold|');
    expect(log.map((e) => e.variable)).toEqual(['customer.tier', 'customer.region']);
  });

  it('does not log values the template itself handles with if or default', () => {
    const log = capture();
    expect(renderTemplate('{% if customer.vip %}VIP {% endif %}{{ customer.nick | default: "Kliencie" }}', facts)).toBe('Kliencie');
    expect(log).toEqual([]);
  });

  it('sends a template that fails to render as written, and logs it', () => {
    const log = capture();
    const t = '{{ now | date: "%H", "No/Such_Zone" }}';
    expect(renderTemplate(t, facts)).toBe(t);
    expect(renderTemplate('{{ oops', facts)).toBe('{{ oops');
    expect(log.map((e) => e.level)).toEqual(['error', 'error']);
  });

  it('stops runaway loops instead of stalling the decision', () => {
    const log = capture();
    const t = '{% for i in (1..100000000) %}x{% endfor %}';
    expect(renderTemplate(t, facts)).toBe(t);
    expect(log[0]?.message).toMatch(/limit exceeded/);
  });

  it('exposes only own properties of the facts', () => {
    capture();
    expect(renderTemplate('[{{ ticket.constructor }}{{ ticket.__proto__ }}{{ ticket.toString }}]', facts)).toBe('[]');
  });

  it('parses a template once and reuses it', () => {
    const a = compileTemplate('{{ticket.number}} / {{message.text}}');
    expect(compileTemplate('{{ticket.number}} / {{message.text}}')).toBe(a);
    expect(a.facts).toEqual(['ticket', 'message']);
    expect(templateFacts('{% for t in ticket.tags %}{{ t }}{% endfor %}{{ now | date_pl }}')).toEqual(['ticket', 'now']);
    expect(templateFacts('plain')).toEqual([]);
  });
});

describe('levelTemplateLogger', () => {
  it('logs each distinct problem at its level once, repeats at debug', () => {
    const lines: string[] = [];
    const at = (level: string) => (_: object, message: string) => lines.push(`${level} ${message}`);
    const log = levelTemplateLogger({ warn: at('warn'), error: at('error'), debug: at('debug') });
    const entry: TemplateLogEntry = { level: 'warn', message: 'x is missing', template: '{{x}}', ruleId: 'r1', field: 'text' };
    log(entry);
    log(entry);
    log({ ...entry, ruleId: 'r2' });
    log({ ...entry, level: 'error', message: 'failed' });
    expect(lines).toEqual(['warn x is missing', 'debug x is missing', 'warn x is missing', 'error failed']);
  });
});

describe('checkTemplate', () => {
  it('accepts valid templates', () => {
    expect(checkTemplate('{{ticket.number}} {{ customer.name | default: "-" }} {% assign d = sla.dueAt | date_pl %}{{ d }} {{ message.text | mask | truncate: 100 }}')).toEqual([]);
  });

  it('reports unknown root variables with their position and a suggestion', () => {
    expect(checkTemplate('Hi {{custmer.name}}')).toEqual([{ message: 'uses unknown fact "custmer" (did you mean "customer"?)', line: 1, column: 6 }]);
    expect(checkTemplate('{% for x in tickets %}{{ x }}{% endfor %}\n{{ forloop.index }}')).toEqual([
      { message: 'uses unknown fact "tickets" (did you mean "ticket"?)', line: 1, column: 13 },
      { message: 'uses unknown fact "forloop"', line: 2, column: 4 },
    ]);
  });

  it('reports unknown top-level fields of ticket and message', () => {
    expect(checkTemplate('{{ ticket.numbr }}')).toEqual([{ message: 'uses unknown field "ticket.numbr" (did you mean "number"?)', line: 1, column: 4 }]);
    // customer fields come from outside (the CRM): open. The sla fact's shape is triage's own (docs/sla.md).
    expect(checkTemplate('{{ customer.anything }} {{ sla.firstResponse.dueAt }} {{ sla.event.threshold }}')).toEqual([]);
    expect(checkTemplate('{{ sla.firstResponseDeu }}')[0]?.message).toBe('uses unknown field "sla.firstResponseDeu" (did you mean "firstResponseDue"?)');
  });

  it('reports unknown filters, syntax errors and file-reading tags', () => {
    expect(checkTemplate('{{ now | date_pll }}')).toEqual([{ message: 'uses unknown filter "date_pll" (did you mean "date_pl"?)', line: 1, column: 1 }]);
    expect(checkTemplate('{{ ticket.number ')[0]?.message).toMatch(/^is not valid Liquid: output "\{\{ ticket.number " not closed/);
    expect(checkTemplate('{% if ticket.number %}x')[0]?.message).toMatch(/^is not valid Liquid: tag .*not closed/);
    for (const tag of ['include', 'render', 'layout']) {
      expect(checkTemplate(`{% ${tag} "/etc/passwd" %}`)).toEqual([{ message: `uses the tag "${tag}", which is not allowed (templates cannot read files)`, line: 1, column: 1 }]);
    }
    expect(checkTemplate('{% frobnicate %}')[0]?.message).toBe('uses unknown tag "frobnicate"');
  });
});

describe('templates in rule files', () => {
  const compile = (then: string) => compileRuleSet([{ path: 'a.yaml', text: `rules:\n  - id: r1\n    on: [ticket.created]\n    then:\n${then}` }]);

  it('are validated with TRIAGE_RULE_BAD_TEMPLATE at the value, the position in the template in the message', () => {
    const r = compile('      - note: { text: "{{ ticket.number | upcasee }}" }\n      - slack.postMessage: { channel: "#x", text: "{% include \'x\' %}" }\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      'a.yaml:5:23 TRIAGE_RULE_BAD_TEMPLATE template "{{ ticket.number | upcasee }}" uses unknown filter "upcasee" (did you mean "upcase"?) (template 1:1)',
      'a.yaml:6:51 TRIAGE_RULE_BAD_TEMPLATE template "{% include \'x\' %}" uses the tag "include", which is not allowed (templates cannot read files) (template 1:1)',
    ]);
  });

  it('are compiled once with the rule set and rendered by decide()', () => {
    const r = compile('      - reply: { subject: "Re: {{ticket.number}}", text: "Do {{ sla.firstResponseDue | date_pl: \'date\' }}" }\n');
    if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
    const action = r.ruleSet.rules[0]?.actions[0];
    expect(action?.compiledTemplates?.subject).toBe(compileTemplate('Re: {{ticket.number}}'));
    expect(r.ruleSet.factsFor('ticket.created')).toEqual(new Set(['ticket', 'sla']));
    const d = decide(r.ruleSet, 'ticket.created', facts);
    expect(d.actions).toEqual([{ type: 'reply', params: { subject: 'Re: T-000042', text: 'Do 5 stycznia 2026' }, ruleId: 'r1', index: 0 }]);
  });
});
