import { describe, expect, it } from 'vitest';
import { DEFAULT_JIRA_STATUS_MAP, ticketStatusForJira } from './jira-status-map.js';

describe('ticketStatusForJira', () => {
  it('maps work started to open and work finished to solved by default, and leaves the rest alone', () => {
    expect(DEFAULT_JIRA_STATUS_MAP).toEqual({ 'In Progress': 'open', Done: 'solved', Resolved: 'solved' });
    expect(['In Progress', 'in progress ', 'DONE', 'Resolved', 'To Do', 'Backlog'].map((s) => ticketStatusForJira(s, undefined))).toEqual(['open', 'open', 'solved', 'solved', undefined, undefined]);
  });

  it('uses a configured map instead of the default, matched without regard to case', () => {
    const map = { 'Waiting for Customer': 'pending', Closed: 'closed' } as const;
    expect(['waiting for customer', 'Closed', 'Done'].map((s) => ticketStatusForJira(s, map))).toEqual(['pending', 'closed', undefined]);
  });
});
