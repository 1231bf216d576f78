import { describe, expect, it } from 'vitest';
import type { FormConfig } from '../../schemas/types/config.js';
import { normalizeFormSubmission } from './form-submission.js';

const form: FormConfig = {
  title: 'Contact form',
  typeField: 'type',
  categories: { complaint: 'complaint', question: 'inquiry' },
  requiredByCategory: { complaint: ['orderNumber', 'proofOfPurchase'] },
  fields: { message: 'description' },
  schema: { type: 'object' },
};

describe('normalizeFormSubmission', () => {
  it('maps a complete complaint to a form ticket with its category, customer and fields', () => {
    const fields = { name: 'Jan Kowalski', email: 'jan@acme.pl', phone: '600 100 200', type: 'complaint', description: 'Broken kettle', orderNumber: 'ZAM-1', proofOfPurchase: 'https://x/receipt.pdf' };
    const n = normalizeFormSubmission({ formId: 'contact', form, fields, externalId: 'sub-1' });
    expect(n).toMatchObject({ type: 'complaint', category: 'complaint', missingFields: [] });
    expect(n.ticket).toMatchObject({
      source: 'form:contact',
      externalId: 'sub-1',
      channel: 'form',
      subject: 'Contact form: complaint',
      fields: { category: 'complaint' },
      tags: ['form'],
      customer: { email: 'jan@acme.pl', phone: '600 100 200', name: 'Jan Kowalski' },
      message: { direction: 'inbound', from: { address: 'jan@acme.pl', name: 'Jan Kowalski' }, text: 'Broken kettle' },
      data: { form: { id: 'contact', title: 'Contact form', type: 'complaint', complete: true, fields } },
    });
    expect(n.ticket.data).not.toHaveProperty('missingFields');
  });

  it('marks a complaint without order number and proof as incomplete, listing what is missing in the form order', () => {
    const n = normalizeFormSubmission({ formId: 'contact', form, fields: { email: 'a@b.pl', type: 'complaint', description: 'x', orderNumber: '  ', proofOfPurchase: null }, externalId: 'e' });
    expect(n.missingFields).toEqual(['orderNumber', 'proofOfPurchase']);
    expect(n.ticket.tags).toEqual(['form', 'incomplete']);
    expect(n.ticket.data).toMatchObject({ missingFields: ['orderNumber', 'proofOfPurchase'], form: { complete: false } });
  });

  it('requires nothing of a type without a category, or of a category without requirements', () => {
    expect(normalizeFormSubmission({ formId: 'contact', form, fields: { type: 'question' }, externalId: 'e' })).toMatchObject({ category: 'inquiry', missingFields: [] });
    const unknown = normalizeFormSubmission({ formId: 'contact', form, fields: { type: 'other' }, externalId: 'e' });
    expect(unknown).toMatchObject({ type: 'other', category: null, missingFields: [] });
    expect(unknown.ticket).not.toHaveProperty('fields');
  });

  it('uses the subject field when given and describes all fields when there is no message field', () => {
    const n = normalizeFormSubmission({ formId: 'f', form: { schema: {} }, fields: { subject: '  Hello ', phone: 600100200, qty: 2, empty: '' }, externalId: 'e' });
    expect(n.ticket.subject).toBe('Hello');
    expect(n.ticket.message?.text).toBe('subject:   Hello \nphone: 600100200\nqty: 2');
    expect(n.ticket.customer).toEqual({ email: null, phone: '600100200', name: null });
    expect(n.ticket.message).not.toHaveProperty('from');
    expect(normalizeFormSubmission({ formId: 'f', form: { schema: {} }, fields: {}, externalId: 'e' }).ticket.subject).toBe('f');
  });

  it('does not share the submission object with the ticket data', () => {
    const fields = { nested: { a: 1 } };
    const n = normalizeFormSubmission({ formId: 'f', form: { schema: {} }, fields, externalId: 'e' });
    fields.nested.a = 2;
    expect(n.ticket.data).toMatchObject({ form: { fields: { nested: { a: 1 } } } });
  });
});
