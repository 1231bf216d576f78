import { describe, expect, it } from 'vitest';
import type { SlaTimer } from './sla-timer.js';
import { ticketSlaState } from './ticket-sla-state.js';

const NOW = '2026-03-04T12:00:00.000Z';

function timer(over: Partial<SlaTimer>): SlaTimer {
  return {
    id: 't1',
    ticketId: 'k1',
    metric: 'firstResponse',
    priority: 'P1',
    contract: null,
    calendar: '24x7',
    startedAt: '2026-03-04T11:50:00.000Z',
    targetMs: 15 * 60_000,
    pauses: [],
    pausedAt: null,
    dueAt: '2026-03-04T12:05:00.000Z',
    thresholds: [50, 75, 80, 100],
    nextThreshold: 0,
    nextFireAt: '2026-03-04T12:30:00.000Z',
    metAt: null,
    breachedAt: null,
    status: 'running',
    createdAt: '2026-03-04T11:50:00.000Z',
    updatedAt: '2026-03-04T11:50:00.000Z',
    ...over,
  };
}

describe('ticketSlaState', () => {
  it('is none without a running or paused clock', () => {
    expect(ticketSlaState([], NOW)).toEqual({ state: 'none', metric: null, dueAt: null, msLeft: null });
    expect(ticketSlaState([timer({ status: 'met', metAt: NOW })], NOW).state).toBe('none');
  });

  it('is due with the time left while no threshold was reached', () => {
    expect(ticketSlaState([timer({})], NOW)).toEqual({ state: 'due', metric: 'firstResponse', dueAt: '2026-03-04T12:05:00.000Z', msLeft: 5 * 60_000 });
  });

  it('is warning once a threshold fired, or its instant passed before the sweeper came', () => {
    expect(ticketSlaState([timer({ nextThreshold: 2 })], NOW).state).toBe('warning');
    expect(ticketSlaState([timer({ nextFireAt: '2026-03-04T11:59:00.000Z' })], NOW).state).toBe('warning');
    // The next threshold is the 100 % one: not a warning, and not yet a breach either.
    expect(ticketSlaState([timer({ nextThreshold: 0, thresholds: [100], nextFireAt: '2026-03-04T12:05:00.000Z' })], NOW).state).toBe('due');
  });

  it('is breached past the due time or after a recorded breach, with negative time left', () => {
    expect(ticketSlaState([timer({ dueAt: '2026-03-04T11:00:00.000Z' })], NOW)).toMatchObject({ state: 'breached', msLeft: -60 * 60_000 });
    expect(ticketSlaState([timer({ breachedAt: '2026-03-04T11:59:00.000Z', dueAt: '2026-03-04T13:00:00.000Z' })], NOW).state).toBe('breached');
  });

  it('takes the worst clock, and among equals the one due first; a paused clock has no due time', () => {
    const resolution = timer({ id: 't2', metric: 'resolution', dueAt: '2026-03-04T15:00:00.000Z' });
    expect(ticketSlaState([resolution, timer({})], NOW)).toMatchObject({ state: 'due', metric: 'firstResponse' });
    expect(ticketSlaState([timer({}), timer({ id: 't3', metric: 'resolution', dueAt: '2026-03-04T10:00:00.000Z' })], NOW)).toMatchObject({ state: 'breached', metric: 'resolution' });
    expect(ticketSlaState([timer({ status: 'paused', dueAt: null, nextFireAt: null, pausedAt: NOW })], NOW)).toEqual({ state: 'paused', metric: 'firstResponse', dueAt: null, msLeft: null });
  });
});
