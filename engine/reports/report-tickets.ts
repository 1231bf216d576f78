import type { Knex } from 'knex';
import type { GroupBy } from './report-params.js';

/** The ticket columns reports read: small rows, selected by an indexed range. */
export interface ReportTicket {
  id: string;
  number: string;
  status: string;
  category: string | null;
  channel: string | null;
  team: string | null;
  assignee: string | null;
  priority: string | null;
  createdAt: string;
  firstResponseAt: string | null;
  solvedAt: string | null;
  closedAt: string | null;
}

interface Row {
  id: string;
  number: string;
  status: string;
  category: string | null;
  channel: string | null;
  team: string | null;
  assignee: string | null;
  priority: string | null;
  created_at: string;
  first_response_at: string | null;
  solved_at: string | null;
  closed_at: string | null;
}

const COLUMNS = ['id', 'number', 'status', 'category', 'channel', 'team', 'assignee', 'priority', 'created_at', 'first_response_at', 'solved_at', 'closed_at'];

/** Statuses that make up the backlog: work not done yet. */
export const OPEN_STATUSES = ['new', 'open', 'pending'] as const;

const fromRow = (r: Row): ReportTicket => ({
  id: r.id,
  number: r.number,
  status: r.status,
  category: r.category,
  channel: r.channel,
  team: r.team,
  assignee: r.assignee,
  priority: r.priority,
  createdAt: r.created_at,
  firstResponseAt: r.first_response_at,
  solvedAt: r.solved_at,
  closedAt: r.closed_at,
});

/** Tickets created in [from, to) (the tickets.created_at index). */
export async function ticketsCreatedIn(db: Knex, from: string, to: string): Promise<ReportTicket[]> {
  const rows = (await db('tickets').select(COLUMNS).where('created_at', '>=', from).andWhere('created_at', '<', to).orderBy('created_at').orderBy('id')) as Row[];
  return rows.map(fromRow);
}

/** Tickets solved in [from, to), whenever they were created. */
export async function ticketsSolvedIn(db: Knex, from: string, to: string): Promise<ReportTicket[]> {
  const rows = (await db('tickets').select(COLUMNS).where('solved_at', '>=', from).andWhere('solved_at', '<', to).orderBy('solved_at').orderBy('id')) as Row[];
  return rows.map(fromRow);
}

/** The backlog now: new, open and pending tickets (the tickets.status index). */
export async function openTickets(db: Knex): Promise<ReportTicket[]> {
  const rows = (await db('tickets').select(COLUMNS).whereIn('status', OPEN_STATUSES).orderBy('created_at').orderBy('id')) as Row[];
  return rows.map(fromRow);
}

/** The value a ticket is grouped under. */
export function groupValue(ticket: Pick<ReportTicket, 'category' | 'channel' | 'team' | 'assignee' | 'priority'>, groupBy: GroupBy | null): string | null {
  switch (groupBy) {
    case null:
      return null;
    case 'agent':
      return ticket.assignee;
    default:
      return ticket[groupBy];
  }
}

export const minutesBetween = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / 60_000;
