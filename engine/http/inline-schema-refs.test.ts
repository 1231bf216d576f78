import { describe, expect, it } from 'vitest';
import { inlineSchemaRefs } from './inline-schema-refs.js';

const ticket = { $schema: 'http://json-schema.org/draft-07/schema#', $id: 'https://x/ticket.schema.json', title: 'Ticket', type: 'object', properties: { id: { type: 'string' } } };

describe('inlineSchemaRefs', () => {
  it('replaces file references by the file body, recursively, keeping keywords beside the $ref', () => {
    const list = { $id: 'https://x/list.schema.json', type: 'object', properties: { items: { type: 'array', items: { $ref: 'ticket.schema.json' } }, one: { $ref: 'wrapper.schema.json', description: 'the first' } } };
    const wrapper = { $id: 'https://x/wrapper.schema.json', anyOf: [{ $ref: 'ticket.schema.json' }, { type: 'null' }] };
    const out = inlineSchemaRefs(list, { 'ticket.schema.json': ticket, 'wrapper.schema.json': wrapper });
    const inlinedTicket = { title: 'Ticket', type: 'object', properties: { id: { type: 'string' } } };
    expect(out).toEqual({
      type: 'object',
      properties: { items: { type: 'array', items: inlinedTicket }, one: { anyOf: [inlinedTicket, { type: 'null' }], description: 'the first' } },
    });
    expect(JSON.stringify(out)).not.toContain('$');
  });

  it('throws for a file it was not given, other kinds of references and cycles', () => {
    expect(() => inlineSchemaRefs({ $ref: 'missing.schema.json' }, {})).toThrow(/missing\.schema\.json was not given/);
    expect(() => inlineSchemaRefs({ $ref: '#/definitions/x' }, {})).toThrow(/unsupported \$ref/);
    const a = { $ref: 'b.schema.json' };
    const b = { properties: { a: { $ref: 'a.schema.json' } } };
    expect(() => inlineSchemaRefs(a, { 'a.schema.json': a, 'b.schema.json': b })).toThrow(/circular/);
  });
});
