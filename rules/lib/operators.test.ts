import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TriageError } from '../../engine/errors/triage-error.js';
import { domainOf, jreNumeric, operators, parseDuration, parseInstant, suggestOperator, type OperatorContext } from './operators.js';
import type { Facts } from './rule-types.js';

const ctx: OperatorContext = { lists: new Map([['vip', ['ACME Sp. z o.o.', 'Żabka', 10]], ['empty', []]]) };
const facts: Facts = { ticket: {}, message: undefined, customer: undefined, sla: undefined, now: '2025-03-10T12:00:00Z' };

function op(name: string) {
  const def = operators.get(name);
  if (!def) throw new Error(`no operator ${name}`);
  return def;
}

/** Evaluate both ways (compiled literal and generic test) and insist they agree. */
function run(name: string, actual: unknown, value: unknown): boolean {
  const def = op(name);
  const compiled = def.compile(value, ctx)(actual, facts);
  expect(def.test(actual, value, ctx, facts), `${name} test() vs compile()`).toBe(compiled);
  return compiled;
}

function checkOf(name: string, value: unknown) {
  return op(name).check(value, ctx);
}

describe('json-rules-engine built-ins', () => {
  it('equal / notEqual are strict', () => {
    expect(run('equal', 'a', 'a')).toBe(true);
    expect(run('equal', 10, '10')).toBe(false);
    expect(run('equal', null, null)).toBe(true);
    expect(run('notEqual', undefined, 'x')).toBe(true);
    expect(run('notEqual', 1, 1)).toBe(false);
  });

  it('in / notIn use indexOf (strict; substring on a string value)', () => {
    expect(run('in', 'b', ['a', 'b'])).toBe(true);
    expect(run('in', 1, ['1'])).toBe(false);
    expect(run('in', 'bc', 'abcd')).toBe(true);
    expect(run('in', undefined, ['a'])).toBe(false);
    expect(run('in', Number.NaN, [Number.NaN])).toBe(false);
    expect(run('notIn', 'c', ['a', 'b'])).toBe(true);
    expect(run('notIn', undefined, ['a'])).toBe(true);
    // json-rules-engine throws on a value without indexOf; we answer false.
    expect(run('in', 'a', 5)).toBe(false);
    expect(run('notIn', 'a', 5)).toBe(false);
  });

  it('contains / doesNotContain need an array fact', () => {
    expect(run('contains', ['vip', 'x'], 'vip')).toBe(true);
    expect(run('contains', 'vip', 'vip')).toBe(false);
    expect(run('doesNotContain', ['x'], 'vip')).toBe(true);
    expect(run('doesNotContain', undefined, 'vip')).toBe(false);
    expect(run('doesNotContain', 'abc', 'vip')).toBe(false);
  });

  it('numeric operators accept what parseFloat accepts and compare with JS <', () => {
    expect(run('greaterThan', 11, 10)).toBe(true);
    expect(run('greaterThan', '11', 10)).toBe(true);
    expect(run('greaterThan', '11 kg', 10)).toBe(false); // '11 kg' > 10 is NaN > 10
    expect(run('lessThan', '5', 10)).toBe(true);
    expect(run('lessThan', [5], 10)).toBe(true);
    expect(run('lessThan', null, 10)).toBe(false);
    expect(run('lessThan', undefined, 10)).toBe(false);
    expect(run('lessThan', true, 10)).toBe(false);
    expect(run('lessThanInclusive', 10, 10)).toBe(true);
    expect(run('greaterThanInclusive', 10, 10)).toBe(true);
    expect(run('lessThan', 'abc', 10)).toBe(false);
    expect(run('lessThan', '5', '10')).toBe(false); // both strings: compared as text, like json-rules-engine
  });

  it('jreNumeric mirrors Number.parseFloat(v).toString() !== "NaN"', () => {
    for (const v of [1, 0, -1.5, Number.NaN, Infinity, '10', ' 10', '10abc', 'abc', '', null, undefined, true, [5], [1, 2], [], {}]) {
      expect(jreNumeric(v), String(v)).toBe(Number.parseFloat(v as string).toString() !== 'NaN');
    }
  });

  it('checks values', () => {
    expect(checkOf('equal', 'x')).toBeUndefined();
    expect(checkOf('equal', ['x'])?.args).toEqual(['equal', 'expects a string, number, boolean or null, got a list of 1']);
    expect(checkOf('in', 'abc')?.code).toBe('TRIAGE_RULE_BAD_OPERATOR_VALUE');
    expect(checkOf('in', [])).toBeUndefined();
    expect(checkOf('lessThan', '10')?.args).toEqual(['lessThan', 'expects a number, got the string "10"']);
    expect(checkOf('contains', { a: 1 })?.code).toBe('TRIAGE_RULE_BAD_OPERATOR_VALUE');
  });
});

describe('text operators', () => {
  it('containsAnyWord / containsAllWords / notContainsAnyWord', () => {
    expect(run('containsAnyWord', 'Prośba o FAKTURĘ', ['faktur*', 'invoice'])).toBe(true);
    expect(run('containsAnyWord', 'Invoice attached', ['faktur*', 'invoice'])).toBe(true);
    expect(run('containsAnyWord', ['Re: zamówienie', 'faktury'], ['faktur*'])).toBe(true);
    expect(run('containsAnyWord', 42, ['faktur*'])).toBe(false);
    expect(run('containsAllWords', 'pilne: awaria serwera', ['pilne', 'awari*'])).toBe(true);
    expect(run('containsAllWords', 'pilne', ['pilne', 'awari*'])).toBe(false);
    expect(run('notContainsAnyWord', 'hello', ['spam'])).toBe(true);
    expect(run('notContainsAnyWord', 'SPAM offer', ['spam'])).toBe(false);
    expect(run('notContainsAnyWord', undefined, ['spam'])).toBe(false);
  });

  it('containsAnyPhrase', () => {
    expect(run('containsAnyPhrase', 'AWARIA  krytyczna!', ['awaria krytyczna', 'critical outage'])).toBe(true);
    expect(run('containsAnyPhrase', 'We have a Critical Outage', ['awaria krytyczna', 'critical outage'])).toBe(true);
    expect(run('containsAnyPhrase', 'awarii krytycznej', ['awari* krytyczn*'])).toBe(true);
    expect(run('containsAnyPhrase', 'krytyczna awaria', ['awaria krytyczna'])).toBe(false);
  });

  it('startsWith / endsWith fold case and diacritics', () => {
    expect(run('startsWith', 'Zgłoszenie reklamacyjne', 'ZGLOSZ')).toBe(true);
    expect(run('endsWith', 'Zgłoszenie reklamacyjne', 'JNE')).toBe(true);
    expect(run('startsWith', ['Zgłoszenie'], 'zgl')).toBe(false);
  });

  it('checks values', () => {
    expect(checkOf('containsAnyWord', [])?.code).toBe('TRIAGE_RULE_BAD_OPERATOR_VALUE');
    expect(checkOf('containsAnyWord', 'faktura')?.code).toBe('TRIAGE_RULE_BAD_OPERATOR_VALUE');
    expect(checkOf('containsAnyWord', ['a', 1])?.code).toBe('TRIAGE_RULE_BAD_OPERATOR_VALUE');
    expect(checkOf('containsAnyWord', ['*faktura'])?.args[1]).toMatch(/does not end a word/);
    expect(checkOf('startsWith', '')?.code).toBe('TRIAGE_RULE_BAD_OPERATOR_VALUE');
  });
});

describe('domainIn / domainNotIn', () => {
  it('extracts the domain of an address', () => {
    expect(domainOf('Jan Kowalski <jan@Sub.ACME.pl>')).toBe('sub.acme.pl');
    expect(domainOf('jan@acme.pl')).toBe('acme.pl');
    expect(domainOf('acme.pl.')).toBe('acme.pl');
    expect(domainOf('not an address')).toBeUndefined();
  });

  it('matches the domain and its subdomains only', () => {
    expect(run('domainIn', 'Jan <jan@sub.acme.pl>', ['acme.pl'])).toBe(true);
    expect(run('domainIn', 'jan@ACME.PL', ['acme.pl'])).toBe(true);
    expect(run('domainIn', 'jan@notacme.pl', ['acme.pl'])).toBe(false);
    expect(run('domainIn', 'acme.pl', ['@acme.pl'])).toBe(true);
    expect(run('domainIn', ['x@gmail.com', 'y@acme.pl'], ['acme.pl'])).toBe(true);
    expect(run('domainIn', undefined, ['acme.pl'])).toBe(false);
    expect(run('domainNotIn', 'jan@gmail.com', ['acme.pl'])).toBe(true);
    expect(run('domainNotIn', 'jan@acme.pl', ['acme.pl'])).toBe(false);
    expect(run('domainNotIn', undefined, ['acme.pl'])).toBe(false);
  });

  it('checks values', () => {
    expect(checkOf('domainIn', ['acme.pl', '*.globex.com'])).toBeUndefined();
    expect(checkOf('domainIn', ['not a domain'])?.args[1]).toMatch(/is not a domain/);
  });
});

describe('matchesRegex / notMatchesRegex', () => {
  it('matches strings only', () => {
    expect(run('matchesRegex', 'RE: zamówienie', { pattern: '^re:', flags: 'i' })).toBe(true);
    expect(run('matchesRegex', 'RE: zamówienie', '^re:')).toBe(false);
    expect(run('matchesRegex', 12345, '\\d+')).toBe(false);
    expect(run('notMatchesRegex', 'hello', '^re:')).toBe(true);
    expect(run('notMatchesRegex', undefined, '^re:')).toBe(false);
  });

  it('looks at the first 100k characters only', () => {
    const long = `${'a'.repeat(100_000)}MARKER`;
    expect(run('matchesRegex', long, 'MARKER')).toBe(false);
    expect(run('matchesRegex', `MARKER${long}`, 'MARKER')).toBe(true);
  });

  it('checks values', () => {
    expect(checkOf('matchesRegex', '([')?.code).toBe('TRIAGE_RULE_INVALID_REGEX');
    expect(checkOf('matchesRegex', '(a+)+$')?.code).toBe('TRIAGE_RULE_UNSAFE_REGEX');
    expect(checkOf('matchesRegex', { pattern: 'a', flags: 'g' })?.code).toBe('TRIAGE_RULE_BAD_OPERATOR_VALUE');
    expect(checkOf('matchesRegex', { pattern: 'a', flags: 'ii' })?.code).toBe('TRIAGE_RULE_BAD_OPERATOR_VALUE');
    expect(checkOf('matchesRegex', 'a'.repeat(501))?.args[1]).toMatch(/at most 500/);
    expect(checkOf('matchesRegex', 5)?.code).toBe('TRIAGE_RULE_BAD_OPERATOR_VALUE');
  });

  it('refuses to compile an unsafe pattern even unchecked', () => {
    expect(() => op('matchesRegex').compile('(a+)+$', ctx)).toThrow(TriageError);
    expect(op('matchesRegex').test('aaa', '(a+)+$', ctx)).toBe(false);
  });
});

describe('lists and collections', () => {
  it('inList / notInList fold case and diacritics; numbers match their text', () => {
    expect(run('inList', 'acme sp. z o.o.', 'vip')).toBe(true);
    expect(run('inList', ' zabka ', 'vip')).toBe(true);
    expect(run('inList', '10', 'vip')).toBe(true);
    expect(run('inList', 10, 'vip')).toBe(true);
    expect(run('inList', ['x', 'ŻABKA'], 'vip')).toBe(true);
    expect(run('inList', 'x', 'vip')).toBe(false);
    expect(run('inList', undefined, 'vip')).toBe(false);
    expect(run('notInList', 'x', 'vip')).toBe(true);
    expect(run('notInList', ['x', 'y'], 'vip')).toBe(true);
    expect(run('notInList', 'zabka', 'vip')).toBe(false);
    expect(run('notInList', undefined, 'vip')).toBe(false);
    expect(run('notInList', 'x', 'empty')).toBe(true);
  });

  it('reports unknown lists with a suggestion', () => {
    expect(checkOf('inList', 'vpi')).toEqual({ code: 'TRIAGE_RULE_UNKNOWN_LIST', args: ['vpi', ' (did you mean "vip"?)'] });
    expect(checkOf('inList', 'completely-different')).toEqual({ code: 'TRIAGE_RULE_UNKNOWN_LIST', args: ['completely-different', ''] });
    expect(checkOf('inList', ['vip'])?.code).toBe('TRIAGE_RULE_BAD_OPERATOR_VALUE');
  });

  it('containsAny / containsAll', () => {
    expect(run('containsAny', ['VIP', 'phone'], ['vip'])).toBe(true);
    expect(run('containsAny', ['phone'], ['vip', 'pilne'])).toBe(false);
    expect(run('containsAny', 'vip', ['vip'])).toBe(false);
    expect(run('containsAll', ['VIP', 'Pilne', 'x'], ['vip', 'pilne'])).toBe(true);
    expect(run('containsAll', ['VIP'], ['vip', 'pilne'])).toBe(false);
    expect(run('containsAll', undefined, ['vip'])).toBe(false);
    expect(checkOf('containsAll', [])?.code).toBe('TRIAGE_RULE_BAD_OPERATOR_VALUE');
  });
});

describe('value operators', () => {
  it('between', () => {
    expect(run('between', 15, [10, 20])).toBe(true);
    expect(run('between', '10', [10, 20])).toBe(true);
    expect(run('between', 20.5, [10, 20])).toBe(false);
    expect(run('between', null, [0, 20])).toBe(false);
    expect(checkOf('between', [20, 10])?.code).toBe('TRIAGE_RULE_BAD_OPERATOR_VALUE');
    expect(checkOf('between', [1])?.code).toBe('TRIAGE_RULE_BAD_OPERATOR_VALUE');
  });

  it('exists', () => {
    expect(run('exists', 0, true)).toBe(true);
    expect(run('exists', '', true)).toBe(true);
    expect(run('exists', null, true)).toBe(false);
    expect(run('exists', undefined, false)).toBe(true);
    expect(checkOf('exists', 'yes')?.code).toBe('TRIAGE_RULE_BAD_OPERATOR_VALUE');
  });

  it('isEmpty', () => {
    for (const v of [undefined, null, '', [], {}]) expect(run('isEmpty', v, true)).toBe(true);
    for (const v of [' ', 0, false, ['x'], { a: 1 }]) expect(run('isEmpty', v, true)).toBe(false);
    expect(run('isEmpty', 'x', false)).toBe(true);
  });
});

describe('date operators', () => {
  it('parses ISO dates, treating a date-time without offset as UTC', () => {
    expect(parseInstant('2025-03-10')).toBe(Date.UTC(2025, 2, 10));
    expect(parseInstant('2025-03-10T12:00')).toBe(Date.UTC(2025, 2, 10, 12));
    expect(parseInstant('2025-03-10 12:00:00+0200')).toBe(Date.UTC(2025, 2, 10, 10));
    expect(parseInstant('2025-03-10T12:00:00.5Z')).toBe(Date.UTC(2025, 2, 10, 12, 0, 0, 500));
    expect(parseInstant('10.03.2025')).toBeUndefined();
    expect(parseInstant('2025-13-45')).toBeUndefined();
    expect(parseInstant(null)).toBeUndefined();
  });

  it('before / after', () => {
    expect(run('before', '2025-01-01T00:00:00Z', '2025-01-01T00:00:01Z')).toBe(true);
    expect(run('before', '2025-01-01', '2025-01-01')).toBe(false);
    expect(run('after', '2025-03-10T12:00:01Z', '2025-03-10T12:00:00Z')).toBe(true);
    expect(run('after', 'garbage', '2025-01-01')).toBe(false);
    expect(op('after').test('2025-03-11', '2025-03-10T12:00:00Z', ctx)).toBe(true);
    expect(op('after').test('2025-03-11', 'not a date', ctx)).toBe(false);
    expect(checkOf('before', 'yesterday')?.code).toBe('TRIAGE_RULE_BAD_OPERATOR_VALUE');
  });

  it('olderThan / newerThan compare with facts.now', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2w')).toBe(1_209_600_000);
    expect(parseDuration('5 days')).toBeUndefined();
    expect(run('olderThan', '2025-03-05T12:00:00Z', '5d')).toBe(true); // exactly 5 days: older than counts the boundary
    expect(run('olderThan', '2025-03-05T12:00:01Z', '5d')).toBe(false);
    expect(run('newerThan', '2025-03-10T11:31:00Z', '30m')).toBe(true);
    expect(run('newerThan', '2025-03-10T11:30:00Z', '30m')).toBe(false);
    expect(run('newerThan', 'soon', '30m')).toBe(false);
    expect(op('olderThan').compile('5d', ctx)('2025-03-05T12:00:00Z', { ...facts, now: 'broken' })).toBe(false);
    expect(checkOf('olderThan', '5 days')?.code).toBe('TRIAGE_RULE_BAD_OPERATOR_VALUE');
  });
});

describe('catalogue', () => {
  it('has a summary for every operator and marks the json-rules-engine ones', () => {
    for (const def of operators.values()) expect(def.summary.length).toBeGreaterThan(10);
    const jre = [...operators.values()].filter((d) => d.origin === 'json-rules-engine').map((d) => d.name);
    expect(jre.sort()).toEqual(['contains', 'doesNotContain', 'equal', 'greaterThan', 'greaterThanInclusive', 'in', 'lessThan', 'lessThanInclusive', 'notEqual', 'notIn'].sort());
  });

  it('documents every operator in docs/operators.md', () => {
    const doc = readFileSync(new URL('../../docs/operators.md', import.meta.url), 'utf8');
    const documented = new Set([...doc.matchAll(/^### (.+)$/gm)].flatMap((m) => (m[1] as string).split(', ')));
    expect([...operators.keys()].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('suggests the closest operator', () => {
    expect(suggestOperator('containz')).toBe('contains');
    expect(suggestOperator('containsAnyWords')).toBe('containsAnyWord');
    expect(suggestOperator('greaterthan')).toBe('greaterThan');
    expect(suggestOperator('frobnicate')).toBeUndefined();
  });

  it('compile() of our operators throws the check error for a bad value', () => {
    expect(() => op('inList').compile('nope', ctx)).toThrow(/unknown list "nope"/);
    expect(() => op('containsAnyWord').compile([], ctx)).toThrow(TriageError);
  });
});
