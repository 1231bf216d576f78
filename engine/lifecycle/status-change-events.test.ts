import { describe, expect, it } from 'vitest';
import { statusChangeEvents } from './status-change-events.js';

describe('statusChangeEvents', () => {
  it('raises status.changed for a real change, plus ticket.closed when closing', () => {
    expect(statusChangeEvents('open', 'pending')).toEqual(['status.changed']);
    expect(statusChangeEvents('solved', 'closed')).toEqual(['status.changed', 'ticket.closed']);
  });

  it('raises nothing for same → same', () => {
    expect(statusChangeEvents('pending', 'pending')).toEqual([]);
    expect(statusChangeEvents('closed', 'closed')).toEqual([]);
  });
});
