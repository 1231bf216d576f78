import { describe, expect, it } from 'vitest';
import { TriageError } from '../../engine/errors/triage-error.js';
import { compileCondition } from './compile-condition.js';
import type { OperatorContext } from './operators.js';
import type { ConditionTrace, Facts } from './rule-types.js';

const ctx: OperatorContext = { lists: new Map([['vip', ['ACME']]]) };

function facts(partial: Partial<Facts> = {}): Facts {
  return {
    ticket: { subject: 'Prośba o FAKTURĘ', priority: 2, tags: ['vip'], from: { domain: 'acme.pl' }, createdAt: '2025-03-01T00:00:00Z' },
    message: { text: 'AWARIA krytyczna systemu', from: 'Jan <jan@acme.pl>' },
    customer: { name: 'ACME', segment: 'enterprise', arrShare: 0.12 },
    sla: undefined,
    now: '2025-03-10T12:00:00Z',
    ...partial,
  };
}

const T = { fact: 'ticket', path: 'priority', operator: 'equal', value: 2 };
const F = { fact: 'ticket', path: 'priority', operator: 'equal', value: 3 };

function both(condition: unknown, f: Facts = facts()): { test: boolean; explain: boolean; trace: ConditionTrace[] } {
  const c = compileCondition(condition, ctx);
  const trace: ConditionTrace[] = [];
  const explain = c.explain(f, trace);
  return { test: c.test(f), explain, trace };
}

describe('compileCondition: tree logic', () => {
  it.each([
    [{ all: [T, T] }, true],
    [{ all: [T, F] }, false],
    [{ any: [F, T] }, true],
    [{ any: [F, F] }, false],
    [{ not: T }, false],
    [{ not: { any: [F, F] } }, true],
    [{ all: [T, { any: [F, { not: F }] }, T, T, T] }, true],
    [{ any: [F, F, F, F, { all: [T, F] }] }, false],
    [{ all: [T, T, T, T, F] }, false],
    [{ any: [F, F, F, F, T] }, true],
    [T, true],
  ])('%j → %s', (condition, expected) => {
    const r = both(condition);
    expect(r.test).toBe(expected);
    expect(r.explain).toBe(expected);
  });

  it('treats empty all and empty any as true, like json-rules-engine v7', () => {
    expect(both({ all: [] }).test).toBe(true);
    expect(both({ any: [] }).test).toBe(true);
    expect(both({ any: [] }).explain).toBe(true);
    expect(both({ not: { any: [] } }).test).toBe(false);
  });

  it('reads any before all before not, as json-rules-engine does', () => {
    expect(both({ any: [T], all: [F] }).test).toBe(true);
    expect(both({ all: [F], not: F }).test).toBe(false);
  });
});

describe('compileCondition: facts and paths', () => {
  it('resolves dotted and $.-prefixed paths', () => {
    expect(both({ fact: 'ticket', path: 'from.domain', operator: 'equal', value: 'acme.pl' }).test).toBe(true);
    expect(both({ fact: 'ticket', path: '$.from.domain', operator: 'equal', value: 'acme.pl' }).test).toBe(true);
    expect(both({ fact: 'ticket', path: 'tags.0', operator: 'equal', value: 'vip' }).test).toBe(true);
    expect(both({ fact: 'ticket', path: 'tags.length', operator: 'equal', value: 1 }).test).toBe(true);
    expect(both({ fact: 'ticket', path: 'subject.length', operator: 'greaterThan', value: 5 }).test).toBe(true);
    expect(both({ fact: 'ticket', path: 'a.b.c.d', operator: 'exists', value: false }).test).toBe(true);
  });

  it('never reaches the prototype chain', () => {
    expect(both({ fact: 'ticket', path: 'constructor', operator: 'exists', value: true }).test).toBe(false);
    expect(both({ fact: 'ticket', path: '__proto__.x', operator: 'exists', value: true }).test).toBe(false);
    expect(both({ fact: 'ticket', path: 'tags.map', operator: 'exists', value: true }).test).toBe(false);
  });

  it('returns a non-object fact whole, path or not (json-rules-engine almanac)', () => {
    expect(both({ fact: 'customer', path: 'segment', operator: 'equal', value: null }, facts({ customer: null as never })).test).toBe(true);
    expect(both({ fact: 'now', path: 'length', operator: 'equal', value: '2025-03-10T12:00:00Z' }).test).toBe(true);
  });

  it('treats missing and unknown facts as undefined', () => {
    expect(both({ fact: 'sla', path: 'breached', operator: 'exists', value: false }).test).toBe(true);
    expect(both({ fact: 'bogus', operator: 'notEqual', value: 1 }).test).toBe(true);
  });

  it('compares with another fact for {fact, path} values', () => {
    const sameDomain = { fact: 'ticket', path: 'from.domain', operator: 'equal', value: { fact: 'customer', path: 'domain' } };
    expect(both(sameDomain, facts({ customer: { domain: 'acme.pl' } })).test).toBe(true);
    expect(both(sameDomain, facts({ customer: { domain: 'other.pl' } })).test).toBe(false);
    expect(both({ fact: 'ticket', path: 'createdAt', operator: 'before', value: { fact: 'now' } }).test).toBe(true);
    expect(both({ fact: 'ticket', path: 'createdAt', operator: 'after', value: { fact: 'now' } }).test).toBe(false);
    // A reference resolving to a value the operator cannot use never matches.
    expect(both({ fact: 'ticket', path: 'subject', operator: 'containsAnyWord', value: { fact: 'ticket', path: 'priority' } }).test).toBe(false);
  });

  it('lists the facts it reads, including referenced ones', () => {
    const c = compileCondition(
      { all: [{ fact: 'ticket', path: 'subject', operator: 'containsAnyWord', value: ['x'] }, { any: [{ fact: 'message', operator: 'exists', value: true }, { not: { fact: 'ticket', operator: 'equal', value: { fact: 'customer', path: 'x' } } }] }] },
      ctx,
    );
    expect([...c.facts].sort()).toEqual(['customer', 'message', 'ticket']);
  });
});

describe('compileCondition: explain', () => {
  it('records every leaf in order with the values compared', () => {
    const r = both({
      all: [
        { fact: 'ticket', path: 'subject', operator: 'containsAnyWord', value: ['faktur*'] },
        { any: [F, { fact: 'customer', path: 'arrShare', operator: 'greaterThan', value: 0.1 }] },
        { not: { fact: 'ticket', path: 'createdAt', operator: 'after', value: { fact: 'now' } } },
      ],
    });
    expect(r.explain).toBe(true);
    expect(r.trace).toEqual([
      { fact: 'ticket', path: 'subject', operator: 'containsAnyWord', value: ['faktur*'], actual: 'Prośba o FAKTURĘ', result: true },
      { fact: 'ticket', path: 'priority', operator: 'equal', value: 3, actual: 2, result: false },
      { fact: 'customer', path: 'arrShare', operator: 'greaterThan', value: 0.1, actual: 0.12, result: true },
      { fact: 'ticket', path: 'createdAt', operator: 'after', value: '2025-03-10T12:00:00Z', actual: '2025-03-01T00:00:00Z', result: false },
    ]);
  });

  it('evaluates leaves after a decisive one, so the trace shows every failing condition', () => {
    const r = both({ all: [F, F, T] });
    expect(r.explain).toBe(false);
    expect(r.trace.map((t) => t.result)).toEqual([false, false, true]);
  });
});

describe('compileCondition: errors', () => {
  it('throws TRIAGE_RULE_UNKNOWN_OPERATOR with a suggestion', () => {
    let error: unknown;
    try {
      compileCondition({ all: [{ fact: 'ticket', path: 'subject', operator: 'containz', value: 'x' }] }, ctx);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TriageError);
    expect((error as TriageError).code).toBe('TRIAGE_RULE_UNKNOWN_OPERATOR');
    expect((error as TriageError).message).toBe('unknown operator "containz" (did you mean "contains"?)');
  });

  it('throws for malformed trees and shared condition references', () => {
    expect(() => compileCondition({ all: { fact: 'ticket' } }, ctx)).toThrow(TriageError);
    expect(() => compileCondition({ condition: 'shared' }, ctx)).toThrow(/not supported/);
    expect(() => compileCondition({ fact: 'ticket', operator: 'equal' }, ctx)).toThrow(/fact, operator and value/);
    expect(() => compileCondition(null, ctx)).toThrow(TriageError);
  });

  it('throws the check error for an invalid value of our operators', () => {
    expect(() => compileCondition({ fact: 'customer', path: 'name', operator: 'inList', value: 'nope' }, ctx)).toThrow(/unknown list/);
  });
});

describe('compileCondition: text memo', () => {
  it('sees field changes made between rules on the same facts object', () => {
    const c = compileCondition({ fact: 'ticket', path: 'subject', operator: 'containsAnyWord', value: ['reklamacja'] }, ctx);
    const f = facts();
    expect(c.test(f)).toBe(false);
    f.ticket.subject = 'Reklamacja';
    expect(c.test(f)).toBe(true);
    const tags = compileCondition({ fact: 'ticket', path: 'tags', operator: 'containsAnyWord', value: ['pilne'] }, ctx);
    expect(tags.test(f)).toBe(false);
    (f.ticket.tags as string[]).push('PILNE');
    expect(tags.test(f)).toBe(true);
  });
});
