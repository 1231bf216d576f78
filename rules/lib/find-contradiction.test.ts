import { describe, expect, it } from 'vitest';
import { findContradiction } from './find-contradiction.js';

const leaf = (operator: string, value: unknown, path = 'priority') => ({ fact: 'ticket', path, operator, value });

describe('findContradiction', () => {
  it('finds two different equals on one path', () => {
    expect(findContradiction({ all: [leaf('equal', 'P1'), leaf('equal', 'P2')] })).toMatch(/ticket.priority must equal both "P1" and "P2"/);
  });
  it('finds equal with notEqual, in and notIn conflicts', () => {
    expect(findContradiction({ all: [leaf('equal', 'P1'), leaf('notEqual', 'P1')] })).toBeDefined();
    expect(findContradiction({ all: [leaf('equal', 'P1'), leaf('in', ['P2', 'P3'])] })).toBeDefined();
    expect(findContradiction({ all: [leaf('equal', 'P1'), leaf('notIn', ['P1'])] })).toBeDefined();
    expect(findContradiction({ all: [leaf('in', ['P1']), leaf('in', ['P2'])] })).toBeDefined();
  });
  it('finds empty numeric ranges, also in nested all', () => {
    expect(findContradiction({ all: [leaf('greaterThan', 10, 'n'), { all: [leaf('lessThan', 5, 'n')] }] })).toMatch(/> 10 and < 5/);
    expect(findContradiction({ all: [leaf('greaterThan', 5, 'n'), leaf('lessThanInclusive', 5, 'n')] })).toBeDefined();
    expect(findContradiction({ all: [leaf('equal', 3, 'n'), leaf('greaterThan', 5, 'n')] })).toBeDefined();
  });
  it('does not flag an empty any (json-rules-engine treats it as true)', () => {
    expect(findContradiction({ all: [{ any: [] }] })).toBeUndefined();
  });
  it('does not flag satisfiable or alternative conditions', () => {
    expect(findContradiction({ all: [leaf('greaterThanInclusive', 5, 'n'), leaf('lessThanInclusive', 5, 'n')] })).toBeUndefined();
    expect(findContradiction({ any: [leaf('equal', 'P1'), leaf('equal', 'P2')] })).toBeUndefined();
    expect(findContradiction({ all: [leaf('equal', 'P1'), { not: leaf('equal', 'P1') }] })).toBeUndefined();
    expect(findContradiction({ all: [leaf('equal', 'P1'), leaf('equal', 'P2', 'other')] })).toBeUndefined();
    expect(findContradiction({ not: { any: [] } })).toBeUndefined();
  });
});
