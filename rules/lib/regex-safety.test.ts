import { describe, expect, it } from 'vitest';
import { compileSafeRegex, regexHazard } from './regex-safety.js';

describe('regexHazard', () => {
  it.each([
    '^(?:re|fw|odp):\\s*',
    '\\bfaktur[aeyę]\\b',
    '[a-z]+@[a-z]+\\.pl',
    '(foo|bar)+',
    '(?<=@)acme\\.pl$',
    '(?<num>\\d{4,5})',
    '^\\p{Lu}',
    '(?:[^"]|"")*',
    'FV/\\d{4}/\\d+',
    '[]]',
    '[^]*x',
  ])('accepts %s', (pattern) => {
    expect(regexHazard(pattern, 'u')).toBeUndefined();
  });

  it.each([
    ['(a+)+$', /nested/],
    ['(\\w+\\s?)+$', /nested/],
    ['(a*)*b', /nested/],
    ['(x+x+)+y', /nested/],
    ['(a|a)*$', /overlapping/],
    ['(a|ab)*c', /overlapping/],
    ['(\\w|\\d)+$', /overlapping/],
    ['((a|a)b)*', /overlapping/],
    ['(.|\\s)*x', /overlapping/],
    ['(a|)*', /empty/],
  ])('rejects %s', (pattern, reason) => {
    expect(regexHazard(pattern)).toMatch(reason);
  });

  it('takes the i flag into account for overlapping alternatives', () => {
    expect(regexHazard('(a|A)+$')).toBeUndefined();
    expect(regexHazard('(a|A)+$', 'i')).toMatch(/overlapping/);
  });
});

describe('compileSafeRegex', () => {
  it('compiles a safe pattern', () => {
    const r = compileSafeRegex('^re:', 'i');
    expect(r.ok && r.regex.test('RE: x')).toBe(true);
  });

  it('reports invalid patterns with the engine message', () => {
    expect(compileSafeRegex('([', '')).toEqual({ ok: false, code: 'TRIAGE_RULE_INVALID_REGEX', args: ['/([/', 'Unterminated character class'] });
  });

  it('reports unsafe patterns', () => {
    const r = compileSafeRegex('(a+)+$', '');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe('TRIAGE_RULE_UNSAFE_REGEX');
  });
});
