import { describe, expect, it } from 'vitest';
import { loadRuleSet } from './load-rule-set.js';
import { compileFastTemplate } from './fast-template.js';
import { createTemplateEngine } from './render-template.js';
import { TEMPLATE_FILTERS } from './template-filters.js';
import { seededRandom } from '../../test/helpers/seeded-random.js';

const engine = createTemplateEngine();
const fastOf = (source: string) => compileFastTemplate(engine.parse(source), TEMPLATE_FILTERS, engine.options.outputEscape);

/** Values facts really hold, and the odd ones a rule file may meet. */
const VALUES: readonly unknown[] = [
  undefined, null, '', 'Faktura 12/2026', 'Zażółć gęślą jaźń', '2026-03-05T09:30:00.000Z', 0, 42, -1.5, true, false,
  [], ['a', 'b'], [1, [2, 3]], {}, { name: 'Ala', level: 'gold' }, { nested: { deep: 'x' } },
];
const PATHS = ['ticket.subject', 'ticket.number', 'customer.name', 'customer.contract.level', 'sla.firstResponse.dueAt', 'message.text', 'now', 'order.number', 'ticket.nested.deep', 'ticket.subject.length', 'customer.constructor', 'ticket.toString'];
const FILTERS = ['', ' | date_pl', ' | date_pl: "date"', ' | date_pl: "time"', ' | weekday_pl', ' | mask', ' | mask | date_pl'];

function randomFacts(next: () => number): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const obj = (): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    for (const k of ['subject', 'number', 'name', 'dueAt', 'text', 'level', 'length']) if (next() < 0.6) o[k] = pick(VALUES);
    if (next() < 0.3) o.nested = pick(VALUES);
    if (next() < 0.3) o.contract = { level: pick(VALUES) };
    if (next() < 0.3) o.firstResponse = { dueAt: pick(VALUES) };
    return o;
  };
  return { ticket: next() < 0.9 ? obj() : pick(VALUES), message: obj(), customer: next() < 0.8 ? obj() : pick(VALUES), sla: obj(), now: pick(VALUES), order: obj() };
}

function randomTemplate(next: () => number, depth = 0): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  let out = '';
  const parts = 1 + Math.floor(next() * 4);
  for (let i = 0; i < parts; i++) {
    const r = next();
    if (r < 0.3) out += pick(['Dziękujemy ', ' (', ') ', '\n', '—', 'x']);
    else if (r < 0.75 || depth > 1) out += `{{${pick(['', ' ', '- '])}${pick(PATHS)}${pick(FILTERS)}${pick(['', ' ', ' -'])}}}`;
    else {
      out += `{% if ${pick(PATHS)} %}${randomTemplate(next, depth + 1)}`;
      if (next() < 0.4) out += `{% elsif ${pick(PATHS)} %}${randomTemplate(next, depth + 1)}`;
      if (next() < 0.5) out += `{% else %}${randomTemplate(next, depth + 1)}`;
      out += '{% endif %}';
    }
  }
  return out;
}

describe('the fast template renderer', () => {
  it('renders exactly what liquidjs renders, on generated templates and facts', () => {
    const next = seededRandom(20261129);
    let compared = 0;
    for (let t = 0; t < 400; t++) {
      const source = randomTemplate(next);
      const fast = fastOf(source);
      expect(fast, source).toBeDefined();
      const templates = engine.parse(source);
      for (let f = 0; f < 25; f++) {
        const scope = randomFacts(next);
        let expected: string;
        try {
          expected = String(engine.renderSync(templates, scope));
        } catch (e) {
          // A filter that throws throws in both (the caller logs and sends the text as written).
          expect(() => fast?.(scope), source).toThrow();
          void e;
          continue;
        }
        expect(fast?.(scope), `${source}\n${JSON.stringify(scope)}`).toBe(expected);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(9000);
  });

  it('leaves everything outside its subset to liquidjs', () => {
    for (const source of [
      '{% for t in ticket.tags %}{{t}}{% endfor %}',
      '{{ ticket.tags.size }}',
      '{{ ticket.tags.first }}',
      '{{ ticket.tags[0] }}',
      '{{ ticket["subject"] }}',
      '{{ ticket.subject | upcase }}',
      '{{ ticket.subject | default: "none" }}',
      '{{ ticket.subject | date_pl: ticket.format }}',
      '{% if ticket.a == 1 %}x{% endif %}',
      '{% if ticket.a and ticket.b %}x{% endif %}',
      '{% unless ticket.a %}x{% endunless %}',
      '{% assign x = ticket.a %}{{x}}',
      '{{ 5 }}',
      '{% raw %}{{x}}{% endraw %}',
    ]) {
      expect(fastOf(source), source).toBeUndefined();
    }
  });

  it('covers every template of the shipped rule set that fits the subset, the acknowledgement included', async () => {
    const loaded = await loadRuleSet('rules/default');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
    const sources = new Set<string>();
    const walk = (v: unknown): void => {
      if (typeof v === 'string' && /\{[{%]/.test(v)) sources.add(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
    };
    for (const rule of loaded.ruleSet.rules) walk(rule.actions.map((a) => a.params));
    const ack = [...sources].find((s) => s.includes('sla.firstResponse.dueAt | date_pl'));
    expect(ack).toBeDefined();
    expect(fastOf(ack ?? '')).toBeDefined();
    const fastCount = [...sources].filter((s) => fastOf(s) !== undefined).length;
    expect(fastCount / sources.size).toBeGreaterThan(0.7);
  });
});
