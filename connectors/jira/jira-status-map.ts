import type { TicketStatus } from '../../engine/lifecycle/ticket-status.js';

/**
 * Where a Jira status moves the linked ticket when channels.jira.statusMap is
 * not set. Deliberately small: work started in Jira means the ticket is being
 * worked on, work finished means it is solved (the customer can still reopen
 * it by replying). Closing stays with the service desk, and "To Do" or
 * "Backlog" say nothing about the customer's case, so they change nothing.
 */
export const DEFAULT_JIRA_STATUS_MAP: Readonly<Record<string, TicketStatus>> = {
  'In Progress': 'open',
  Done: 'solved',
  Resolved: 'solved',
};

/**
 * The ticket status for a Jira status name, or undefined when the map has no
 * entry. Matched trimmed and without regard to case, because Jira workflows
 * are edited by hand ("In progress" vs "In Progress"). A configured map
 * replaces the default one entirely, so a deployment can also unmap a default.
 */
export function ticketStatusForJira(jiraStatus: string, statusMap: Readonly<Record<string, TicketStatus>> | undefined): TicketStatus | undefined {
  const map = statusMap ?? DEFAULT_JIRA_STATUS_MAP;
  const wanted = jiraStatus.trim().toLowerCase();
  for (const [name, status] of Object.entries(map)) if (name.trim().toLowerCase() === wanted) return status;
  return undefined;
}
