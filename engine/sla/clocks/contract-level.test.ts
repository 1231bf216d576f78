import { describe, expect, it } from 'vitest';
import { contractLevel } from './contract-level.js';

describe('contractLevel', () => {
  it.each<[Record<string, unknown> | undefined, string | null | undefined]>([
    [undefined, undefined],
    [{ name: 'Acme' }, undefined],
    [{ contract: { active: true, level: 'gold' } }, 'gold'],
    [{ contract: { level: 'gold' } }, 'gold'],
    [{ contract: { active: false, level: 'gold' } }, null],
    [{ contract: null }, null],
    [{ contract: 'silver' }, 'silver'],
    [{ slaContract: 'premium', contract: { level: 'gold' } }, 'premium'],
    [{ slaContract: '' }, null],
  ])('%j → %j', (customer, level) => {
    expect(contractLevel(customer)).toBe(level);
  });
});
