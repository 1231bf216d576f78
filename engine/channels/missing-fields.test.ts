import { describe, expect, it } from 'vitest';
import { missingFields } from './missing-fields.js';

describe('missingFields', () => {
  it('counts absent, null, blank strings and empty lists as missing, keeping the required order', () => {
    const submission = { a: 'x', b: '', c: '   ', d: null, e: [], f: [1], g: 0, h: false };
    expect(missingFields(submission, ['z', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])).toEqual(['z', 'b', 'c', 'd', 'e']);
  });

  it('does not read inherited properties', () => {
    expect(missingFields({}, ['toString', 'constructor'])).toEqual(['toString', 'constructor']);
  });
});
