import { describe, expect, it } from 'vitest';
import type { Customer } from './customer.js';
import type { Ticket } from './ticket.js';
import { customerFact, ticketFact } from './ticket-facts.js';

const ticket: Ticket = {
  id: 't1', number: 'T-000001', source: 'api', externalId: 'e1', subject: 'S', status: 'new', category: null, priority: null, team: null,
  queue: null, assignee: null, language: null, type: null, customerId: null, channel: 'email', review: false, tags: ['a'],
  createdAt: '2025-03-03T08:00:00.000Z', updatedAt: '2025-03-03T08:00:00.000Z', firstResponseAt: null, solvedAt: null, closedAt: null,
  ruleSetVersion: null, data: { mailbox: 'office', subject: 'from data', nested: { list: [1, { x: 'y' }] } },
};

describe('facts handed to decide', () => {
  it('lifts data to the top level, columns winning, as a deep copy', () => {
    const fact = ticketFact(ticket);
    expect(fact).toEqual({ ...ticket.data, ...ticket });
    expect(fact.subject).toBe('S');
    (fact.tags as string[]).push('b');
    ((fact.data as { nested: { list: Array<{ x: string }> } }).nested.list[1] as { x: string }).x = 'changed';
    (fact.nested as { list: unknown[] }).list.push(2);
    expect(ticket.tags).toEqual(['a']);
    expect(ticket.data).toEqual({ mailbox: 'office', subject: 'from data', nested: { list: [1, { x: 'y' }] } });
  });

  it('keeps a "__proto__" key from stored JSON as a plain key, and copies values that are not plain data like structuredClone', () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}, "when": null}') as Record<string, unknown>;
    const fact = ticketFact({ ...ticket, data });
    expect(Object.getPrototypeOf(fact)).toBe(Object.prototype);
    expect((fact as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.hasOwn(fact, '__proto__')).toBe(true);

    const since = new Date('2020-01-01T00:00:00.000Z');
    const customer: Customer = { id: 'c1', name: 'Acme', segment: 'enterprise', data: { tier: 'gold' }, createdAt: 'x', identities: [{ kind: 'domain', value: 'acme.pl' }] };
    const fact2 = customerFact(customer, { since, arrShare: 0.2 });
    expect(fact2).toEqual({ tier: 'gold', id: 'c1', name: 'Acme', segment: 'enterprise', identities: [{ kind: 'domain', value: 'acme.pl' }], since, arrShare: 0.2 });
    expect(fact2?.since).toBeInstanceOf(Date);
    expect(fact2?.since).not.toBe(since);
    expect(customerFact(null)).toBeUndefined();
  });
});
