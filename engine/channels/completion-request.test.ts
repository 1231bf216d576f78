import { describe, expect, it } from 'vitest';
import { completionRequest } from './completion-request.js';

describe('completionRequest', () => {
  const schema = { properties: { orderNumber: { title: 'Order number' }, proofOfPurchase: {} } };

  it('asks for the missing fields by their schema titles, naming the ticket', () => {
    const action = completionRequest('T-000007', ['orderNumber', 'proofOfPurchase'], schema);
    expect(action.type).toBe('requestInformation');
    expect(action.params.missingFields).toEqual(['orderNumber', 'proofOfPurchase']);
    expect(action.params.text).toContain('T-000007');
    expect(action.params.text).toContain('Order number, proofOfPurchase');
  });

  it('fills a configured template', () => {
    const action = completionRequest('T-000001', ['orderNumber'], schema, 'Zgłoszenie {{number}}: brakuje {{ fields }}.');
    expect(action.params.text).toBe('Zgłoszenie T-000001: brakuje Order number.');
  });
});
