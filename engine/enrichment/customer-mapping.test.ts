import { describe, expect, it } from 'vitest';
import { coerceValue } from './coerce-value.js';
import { compileCustomerMapping, identityMapping } from './customer-mapping.js';
import { HUBSPOT_LIKE_MAPPING } from '../../test/fakes/crm-server.js';

const HUBSPOT_MAPPING = HUBSPOT_LIKE_MAPPING;

describe('customer mapping', () => {
  it('maps a HubSpot-like record (every property a string) to a typed customer fact', () => {
    const record = {
      id: '901',
      properties: {
        name: 'Acme Sp. z o.o.',
        segment: 'enterprise',
        vip: 'true',
        arr_share: '0,12',
        owner: { name: 'Anna Nowak' },
        sla_active: 'tak',
        sla_level: 'gold',
        products: 'erp;crm; ',
      },
    };
    const { fact, problems } = compileCustomerMapping(HUBSPOT_MAPPING).apply(record);
    expect(problems).toEqual([]);
    expect(fact).toEqual({
      name: 'Acme Sp. z o.o.',
      segment: 'enterprise',
      vip: true,
      arrShare: 0.12,
      accountManager: 'Anna Nowak',
      contract: { active: true, level: 'gold' },
      products: ['erp', 'crm'],
    });
  });

  it('leaves out missing and blank fields (and empty groups), and reports values that do not fit their type', () => {
    const { fact, problems } = compileCustomerMapping(HUBSPOT_MAPPING).apply({ properties: { name: 'Beta', vip: 'maybe', arr_share: 'a lot', sla_level: '' } });
    expect(fact).toEqual({ name: 'Beta' });
    expect(problems).toEqual(['vip: "maybe" is not a boolean', 'arrShare: "a lot" is not a number']);
  });

  it('never reads object internals, and refuses paths to them when compiled', () => {
    const record = JSON.parse('{"properties": {"name": "X", "__proto__": {"polluted": true}}}') as unknown;
    expect(compileCustomerMapping({ name: 'properties.name', all: 'properties' }).apply(record).fact).toEqual({ name: 'X', all: { name: 'X', ['__proto__']: { polluted: true } } });
    expect(() => compileCustomerMapping({ p: 'properties.__proto__.polluted' })).toThrow(/__proto__/);
    expect(() => compileCustomerMapping({ p: 'properties.constructor' })).toThrow(/constructor/);
    const top = JSON.parse('{"name": "X", "__proto__": {"polluted": true}}') as unknown;
    expect(Object.keys(identityMapping().apply(top).fact)).toEqual(['name']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    [[], /must be an object/],
    [{}, /is empty/],
    [{ enrichment: 'properties.x' }, /set by triage itself/],
    [{ 'a.b': 'x' }, /not a usable field name/],
    [{ a: '' }, /empty path segment/],
    [{ a: 'x..y' }, /empty path segment/],
    [{ a: { path: 'x', type: 'date' } }, /type "date"; types are string, number, boolean, list/],
    [{ a: { path: 'x', default: 1 } }, /unknown key\(s\) default/],
    [{ a: {} }, /empty group/],
    [{ a: 3 }, /must be a dotted path/],
  ])('refuses the mapping %j', (mapping, message) => {
    expect(() => compileCustomerMapping(mapping)).toThrow(message);
  });

  it('keeps the record as it is without a mapping, minus the enrichment field triage owns', () => {
    expect(identityMapping().apply({ name: 'A', enrichment: 'fake', contract: { active: true } }).fact).toEqual({ name: 'A', contract: { active: true } });
    expect(identityMapping().apply(['not', 'an', 'object']).fact).toEqual({});
  });
});

describe('coerceValue', () => {
  it.each([
    ['12', 'number', 12],
    [' -0.5 ', 'number', -0.5],
    ['1e3', 'number', 1000],
    [7, 'number', 7],
    ['TAK', 'boolean', true],
    ['no', 'boolean', false],
    [0, 'boolean', false],
    [true, 'string', 'true'],
    [42, 'string', '42'],
    [['a', 2, null, ' '], 'list', ['a', '2']],
    ['single', 'list', ['single']],
    [5, 'list', ['5']],
    [{ a: 1 }, undefined, { a: 1 }],
    ['', 'number', undefined],
    [null, 'boolean', undefined],
  ] as const)('%j as %s → %j', (value, type, expected) => {
    expect(coerceValue(value, type)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['1.000,5', 'number'],
    ['0x10', 'number'],
    [Number.NaN, 'number'],
    [{}, 'number'],
    [2, 'boolean'],
    [{}, 'string'],
    [[{}], 'list'],
  ] as const)('%j is not a %s', (value, type) => {
    expect(coerceValue(value, type).ok).toBe(false);
  });

  it('shortens long values in problems', () => {
    const result = coerceValue('x'.repeat(100), 'number');
    expect(result.ok === false && result.problem).toMatch(/^"x{56}\.\.\. is not a number$/);
  });
});
