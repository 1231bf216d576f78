import { afterEach, describe, expect, it } from 'vitest';
import { renderTemplate } from '../../rules/lib/render-template.js';
import type { Facts } from '../../rules/lib/rule-types.js';
import { configureCsatLinks, CSAT_LINK_PLACEHOLDER, csatLink } from './csat-links.js';
import { verifyCsatToken } from './csat-token.js';

const secret = Buffer.from('links-secret');
const facts = (ticket: Record<string, unknown>): Facts => ({ ticket, message: undefined, customer: undefined, sla: undefined, now: '2026-03-01T10:00:00.000Z' });
const now = Date.parse('2026-03-01T10:00:00Z');

describe('csat_link', () => {
  afterEach(() => configureCsatLinks(undefined));

  it('renders the placeholder where no server configured links', () => {
    expect(csatLink({ id: 't-1' })).toBe(CSAT_LINK_PLACEHOLDER);
    expect(renderTemplate('Rate: {{ ticket | csat_link }}', facts({ id: 't-1' }))).toBe(`Rate: ${CSAT_LINK_PLACEHOLDER}`);
  });

  it('renders a signed one-time link under publicUrl, valid for ttl, new per call', () => {
    configureCsatLinks({ publicUrl: 'https://support.example.com/', secret, ttlMs: 30 * 86_400_000, now: () => now });
    const text = renderTemplate('Rate: {{ ticket | csat_link }}', facts({ id: 't-1', number: 'T-1' }));
    const m = /^Rate: https:\/\/support\.example\.com\/csat\/(\S+)$/.exec(text);
    expect(m).not.toBeNull();
    const claims = verifyCsatToken(m?.[1] ?? '', secret, now);
    expect(claims).toMatchObject({ ticketId: 't-1', expiresAt: now + 30 * 86_400_000 });
    expect(csatLink({ id: 't-1' })).not.toBe(text.slice('Rate: '.length));
  });

  it('a value that is not a ticket with an id gets the placeholder', () => {
    configureCsatLinks({ publicUrl: 'https://support.example.com', secret, ttlMs: 1000 });
    for (const value of [undefined, null, 'T-1', {}, { id: 5 }, { id: '' }]) expect(csatLink(value)).toBe(CSAT_LINK_PLACEHOLDER);
  });
});
