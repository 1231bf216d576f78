import { describe, expect, it } from 'vitest';
import { isTriageError } from '../errors/triage-error.js';
import {
  STATUS_TRANSITIONS,
  TICKET_STATUSES,
  assertTransition,
  canTransition,
  isTicketStatus,
  statusAfterCustomerMessage,
  type TicketStatus,
} from './ticket-status.js';

const allowed: Array<[TicketStatus, TicketStatus]> = [
  ['new', 'open'], ['new', 'pending'], ['new', 'solved'],
  ['open', 'pending'], ['open', 'solved'],
  ['pending', 'open'], ['pending', 'solved'],
  ['solved', 'open'], ['solved', 'closed'],
];

describe('ticket status lifecycle', () => {
  it('allows exactly the documented transitions (plus same → same)', () => {
    for (const from of TICKET_STATUSES) {
      for (const to of TICKET_STATUSES) {
        const expected = from === to || allowed.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} → ${to}`).toBe(expected);
      }
    }
  });

  it('keeps closed final', () => {
    expect(STATUS_TRANSITIONS.closed).toEqual([]);
    expect(() => assertTransition('T-000001', 'closed', 'open')).toThrow(/cannot move from closed to open/);
  });

  it('refuses illegal moves with TRIAGE_TICKET_ILLEGAL_TRANSITION and the allowed targets', () => {
    try {
      assertTransition('T-000042', 'new', 'closed');
      expect.unreachable();
    } catch (error) {
      expect(isTriageError(error)).toBe(true);
      if (!isTriageError(error)) return;
      expect(error.code).toBe('TRIAGE_TICKET_ILLEGAL_TRANSITION');
      expect(error.status).toBe(409);
      expect(error.message).toBe('Ticket T-000042 cannot move from new to closed');
      expect(error.details).toMatchObject({ allowed: ['open', 'pending', 'solved'] });
    }
  });

  it('refuses unknown statuses', () => {
    expect(() => assertTransition('T-1', 'open', 'archived')).toThrow(/open to archived/);
    expect(isTicketStatus('archived')).toBe(false);
    expect(isTicketStatus('open')).toBe(true);
  });

  it('treats same → same as a no-op', () => {
    expect(() => assertTransition('T-1', 'closed', 'closed')).not.toThrow();
  });

  it('reopens pending and solved on a customer message, leaves the rest', () => {
    expect(statusAfterCustomerMessage('pending')).toBe('open');
    expect(statusAfterCustomerMessage('solved')).toBe('open');
    expect(statusAfterCustomerMessage('new')).toBe('new');
    expect(statusAfterCustomerMessage('open')).toBe('open');
    expect(statusAfterCustomerMessage('closed')).toBe('closed');
  });
});
