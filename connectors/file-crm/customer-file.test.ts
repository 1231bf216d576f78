import { describe, expect, it } from 'vitest';
import { compileCustomerMapping, identityMapping } from '../../engine/enrichment/customer-mapping.js';
import { parseCustomerFile, type CustomerFileOptions } from './customer-file.js';

const OPTIONS: CustomerFileOptions = { keys: { email: 'email', phone: 'phone', domain: 'domain' }, mapping: identityMapping(), defaultCountryCode: '48' };

const CSV = [
  'name,segment,email,domain,phone,vip:boolean,arrShare:number,contract.active:boolean,contract.level,products:list',
  'Acme,enterprise,,acme.pl,,tak,"0,12",true,gold,erp;crm',
  'Jan Kowalski,standard,Jan@Gmail.com;jan.k@gmail.com,,600 100 200,no,,false,,',
].join('\n');

describe('customer file', () => {
  it('reads a CSV whose header declares nesting and types, and finds customers by normalized e-mail, phone and domain', () => {
    const index = parseCustomerFile(CSV, 'customers.csv', OPTIONS);
    expect(index.size).toBe(2);
    expect(index.warnings).toEqual([]);
    expect(index.lookup({ domain: 'WWW.ACME.PL' })).toEqual({
      name: 'Acme',
      segment: 'enterprise',
      domain: 'acme.pl',
      vip: true,
      arrShare: 0.12,
      contract: { active: true, level: 'gold' },
      products: ['erp', 'crm'],
    });
    expect(index.lookup({ email: 'jan.k@gmail.com' })).toMatchObject({ name: 'Jan Kowalski', vip: false, contract: { active: false } });
    expect(index.lookup({ phone: '+48600100200' })).toMatchObject({ name: 'Jan Kowalski' });
    expect(index.lookup({ email: 'nobody@acme.pl' })).toBeUndefined();
  });

  it('asks by the strongest identity first: e-mail, then phone, then domain', () => {
    const json = JSON.stringify([
      { name: 'Company', domain: 'acme.pl' },
      { name: 'Person', email: 'anna@acme.pl' },
    ]);
    const index = parseCustomerFile(json, 'customers.json', OPTIONS);
    expect(index.lookup({ email: 'anna@acme.pl', domain: 'acme.pl' })).toMatchObject({ name: 'Person' });
    expect(index.lookup({ email: 'other@acme.pl', domain: 'acme.pl' })).toMatchObject({ name: 'Company' });
  });

  it('hands out copies, so a caller cannot change the next answer', () => {
    const index = parseCustomerFile(CSV, 'customers.csv', OPTIONS);
    const first = index.lookup({ domain: 'acme.pl' }) as { contract: { active: boolean } };
    first.contract.active = false;
    expect(index.lookup({ domain: 'acme.pl' })).toMatchObject({ contract: { active: true } });
  });

  it('reads JSON as an array or { customers: [...] }, with keys and a mapping of its own', () => {
    const json = JSON.stringify({ customers: [{ company: { www: 'beta.pl' }, props: { tier: 'enterprise', sla: 'yes' } }] });
    const index = parseCustomerFile(json, 'crm.data', {
      ...OPTIONS,
      keys: { email: 'mail', phone: 'tel', domain: 'company.www' },
      mapping: compileCustomerMapping({ segment: 'props.tier', contract: { active: { path: 'props.sla', type: 'boolean' } } }),
    });
    expect(index.lookup({ domain: 'beta.pl' })).toEqual({ segment: 'enterprise', contract: { active: true } });
  });

  it('warns about customers without a key and keys used twice (the first customer keeps it)', () => {
    const index = parseCustomerFile('name,email\nA,a@x.pl\nB,A@X.PL\nC,\n', 'c.csv', OPTIONS);
    expect(index.size).toBe(2);
    expect(index.warnings).toEqual(['line 3: email:a@x.pl is already used by an earlier customer, which wins', 'line 4: no email, phone or domain; the customer cannot be found']);
    expect(index.lookup({ email: 'a@x.pl' })).toMatchObject({ name: 'A' });
  });

  it.each([
    ['', 'c.csv', /empty/],
    ['name,email\nA', 'c.csv', /line 2: 1 cells, the header has 2/],
    ['name,vip:boolean\nA,maybe', 'c.csv', /line 2, column vip: "maybe" is not a boolean/],
    ['name,vip:bool\n', 'c.csv', /type after ":" must be one of string, number, boolean, list/],
    ['name,name\n', 'c.csv', /"name" appears twice/],
    ['__proto__.x\n', 'c.csv', /not a usable field name/],
    ['{"customers": 1}', 'c.json', /expected a JSON array/],
    ['[1]', 'c.json', /customer 1 is not an object/],
    ['[{"email": "a@x.pl"', 'c.json', /not valid JSON/],
  ])('refuses %j (%s)', (text, path, message) => {
    expect(() => parseCustomerFile(text, path, OPTIONS)).toThrow(message);
  });
});
