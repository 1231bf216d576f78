import { describe, expect, it } from 'vitest';
import { getOwn, resolvePath, splitPath } from './dotted-path.js';

describe('splitPath', () => {
  it('splits on dots and strips a leading $.', () => {
    expect(splitPath('from.domain')).toEqual(['from', 'domain']);
    expect(splitPath('$.from.domain')).toEqual(['from', 'domain']);
    expect(splitPath('tags.0')).toEqual(['tags', '0']);
  });

  it('treats no path, "" and "$" as the value itself', () => {
    expect(splitPath(undefined)).toEqual([]);
    expect(splitPath('')).toEqual([]);
    expect(splitPath('$')).toEqual([]);
  });
});

describe('resolvePath', () => {
  const ticket = {
    subject: 'Faktura',
    from: { domain: 'acme.pl', name: null },
    tags: ['vip', 'phone'],
    attachments: [{ name: 'a.pdf' }, { name: 'b.pdf' }],
    zero: 0,
  };

  it('walks objects and arrays', () => {
    expect(resolvePath(ticket, 'subject')).toBe('Faktura');
    expect(resolvePath(ticket, 'from.domain')).toBe('acme.pl');
    expect(resolvePath(ticket, '$.from.domain')).toBe('acme.pl');
    expect(resolvePath(ticket, 'tags.0')).toBe('vip');
    expect(resolvePath(ticket, 'attachments.1.name')).toBe('b.pdf');
    expect(resolvePath(ticket, 'zero')).toBe(0);
    expect(resolvePath(ticket, 'from.name')).toBeNull();
  });

  it('supports length on arrays and strings', () => {
    expect(resolvePath(ticket, 'attachments.length')).toBe(2);
    expect(resolvePath(ticket, 'subject.length')).toBe(7);
  });

  it('returns undefined for anything missing', () => {
    expect(resolvePath(ticket, 'nope')).toBeUndefined();
    expect(resolvePath(ticket, 'from.domain.x')).toBeUndefined();
    expect(resolvePath(ticket, 'from.name.x')).toBeUndefined();
    expect(resolvePath(ticket, 'tags.5')).toBeUndefined();
    expect(resolvePath(ticket, 'zero.x')).toBeUndefined();
    expect(resolvePath(undefined, 'a')).toBeUndefined();
    expect(resolvePath(null, 'a')).toBeUndefined();
  });

  it('reads own properties only, never the prototype chain', () => {
    expect(resolvePath(ticket, 'toString')).toBeUndefined();
    expect(resolvePath(ticket, 'tags.map')).toBeUndefined();
    expect(resolvePath(ticket, 'subject.toUpperCase')).toBeUndefined();
    expect(resolvePath({}, 'hasOwnProperty')).toBeUndefined();
  });

  it('refuses __proto__, constructor and prototype even as own keys', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": 2}}') as unknown;
    expect(resolvePath(parsed, '__proto__')).toBeUndefined();
    expect(resolvePath(parsed, '__proto__.polluted')).toBeUndefined();
    expect(resolvePath(parsed, 'constructor')).toBeUndefined();
    expect(resolvePath(parsed, 'constructor.prototype')).toBeUndefined();
    expect(resolvePath(ticket, 'from.constructor')).toBeUndefined();
    expect(getOwn(ticket, '__proto__')).toBeUndefined();
  });

  it('works on null-prototype objects', () => {
    const o = Object.assign(Object.create(null) as Record<string, unknown>, { a: { b: 1 } });
    expect(resolvePath(o, 'a.b')).toBe(1);
  });
});
