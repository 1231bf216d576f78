import { describe, expect, it } from 'vitest';
import { isTriageError } from '../errors/triage-error.js';
import { compileForm, compileForms } from './compile-forms.js';

describe('compileForms', () => {
  const schema = {
    type: 'object',
    additionalProperties: false,
    required: ['email'],
    properties: { email: { type: 'string', format: 'email' }, qty: { type: 'integer', minimum: 1 }, items: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } } },
  };

  it('reports every problem with a body path and the field it concerns', () => {
    const form = compileForm('contact', { schema });
    expect(form.validate({ email: 'jan@acme.pl', qty: 2 })).toEqual([]);
    const problems = form.validate({ qty: 0, extra: 1, items: [{ sku: 5 }] });
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'body/email', field: 'email', message: "must have required property 'email'" },
        { path: 'body/extra', field: 'extra', message: 'is not a field of this form' },
        { path: 'body/qty', field: 'qty', message: 'must be >= 1' },
        { path: 'body/items/0/sku', field: 'items', message: 'must be string' },
      ]),
    );
    expect(form.validate({ email: 'not-an-address' })).toEqual([{ path: 'body/email', field: 'email', message: 'must match format "email"' }]);
  });

  it('compiles a config once and allows two forms with the same $id', () => {
    const forms = { a: { schema: { $id: 'https://x/form', type: 'object' } }, b: { schema: { $id: 'https://x/form', type: 'object' } } };
    const first = compileForms(forms);
    expect([...first.keys()]).toEqual(['a', 'b']);
    expect(compileForms(forms)).toBe(first);
  });

  it('understands draft 2020-12 schemas', () => {
    const form = compileForm('f', { schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { t: { type: 'array', prefixItems: [{ type: 'string' }] } } } });
    expect(form.validate({ t: [1] })).toEqual([{ path: 'body/t/0', field: 't', message: 'must be string' }]);
  });

  it('refuses an invalid schema with TRIAGE_CHANNEL_FORM_SCHEMA', () => {
    try {
      compileForm('broken', { schema: { type: 'no-such-type' } });
      expect.unreachable();
    } catch (e) {
      expect(isTriageError(e) && e.code).toBe('TRIAGE_CHANNEL_FORM_SCHEMA');
      expect(String(e)).toContain('broken');
    }
  });
});
