import type { ReportBody, ReportContext } from './report-context.js';
import { groupedRows } from './report-result.js';
import { groupValue, openTickets, ticketsCreatedIn, ticketsSolvedIn, type ReportTicket } from './report-tickets.js';
import { round2, summarize } from './summarize.js';

const HOUR = 3_600_000;
/** Age buckets of the backlog: upper bounds in hours (the last bucket is open-ended). */
const AGE_BUCKETS: ReadonlyArray<readonly [string, number]> = [
  ['ageLt1h', 1],
  ['age1to4h', 4],
  ['age4to24h', 24],
  ['age1to3d', 72],
  ['age3to7d', 168],
  ['ageGt7d', Number.POSITIVE_INFINITY],
];

const ageHours = (t: ReportTicket, now: Date): number => (now.getTime() - Date.parse(t.createdAt)) / HOUR;

/** The backlog now (new, open, pending; the range is not used) and its age distribution. */
export async function backlogReport(ctx: ReportContext): Promise<ReportBody> {
  const { params, now } = ctx;
  const open = await openTickets(ctx.db);
  const { rows, total } = groupedRows(open, {
    groupBy: params.groupBy,
    key: (t) => groupValue(t, params.groupBy),
    figures: (list) => {
      const ages = list.map((t) => ageHours(t, now));
      const buckets = Object.fromEntries(AGE_BUCKETS.map(([name]) => [name, 0]));
      for (const age of ages) {
        const bucket = AGE_BUCKETS.find(([, limit]) => age < limit);
        if (bucket !== undefined) buckets[bucket[0]] = (buckets[bucket[0]] ?? 0) + 1;
      }
      return {
        backlog: list.length,
        new: list.filter((t) => t.status === 'new').length,
        open: list.filter((t) => t.status === 'open').length,
        pending: list.filter((t) => t.status === 'pending').length,
        ...buckets,
        medianAgeHours: summarize(ages).median,
        oldestAgeHours: ages.length === 0 ? null : round2(Math.max(...ages)),
      };
    },
    tickets: (list) => list.map((t) => t.number),
    withTickets: params.tickets,
  });
  return { columns: ['group', 'backlog', 'new', 'open', 'pending', ...AGE_BUCKETS.map(([name]) => name), 'medianAgeHours', 'oldestAgeHours'], rows, total };
}

interface LoadItem {
  ticket: ReportTicket;
  role: 'open' | 'created' | 'solved';
}

/**
 * Load per team or agent: open now, created in the range, solved in the
 * range (tickets.solved_at, whenever created). Listed tickets: all of them.
 */
export async function loadReport(ctx: ReportContext): Promise<ReportBody> {
  const { params, db } = ctx;
  const items: LoadItem[] = [
    ...(await openTickets(db)).map((ticket) => ({ ticket, role: 'open' as const })),
    ...(await ticketsCreatedIn(db, params.from, params.to)).map((ticket) => ({ ticket, role: 'created' as const })),
    ...(await ticketsSolvedIn(db, params.from, params.to)).map((ticket) => ({ ticket, role: 'solved' as const })),
  ];
  const { rows, total } = groupedRows(items, {
    groupBy: params.groupBy,
    key: (i) => groupValue(i.ticket, params.groupBy),
    figures: (list) => ({
      openNow: list.filter((i) => i.role === 'open').length,
      created: list.filter((i) => i.role === 'created').length,
      solved: list.filter((i) => i.role === 'solved').length,
    }),
    tickets: (list) => list.map((i) => i.ticket.number),
    withTickets: params.tickets,
  });
  return { columns: ['group', 'openNow', 'created', 'solved'], rows, total };
}

/**
 * Open tickets nobody owns now (the range is not used): `unassigned` have
 * neither an agent nor a team, `teamOnly` wait in a team's queue without an
 * agent. Listed tickets: both kinds.
 */
export async function unassignedReport(ctx: ReportContext): Promise<ReportBody> {
  const { params, now } = ctx;
  const waiting = (await openTickets(ctx.db)).filter((t) => t.assignee === null);
  const { rows, total } = groupedRows(waiting, {
    groupBy: params.groupBy,
    key: (t) => groupValue(t, params.groupBy),
    figures: (list) => ({
      unassigned: list.filter((t) => t.team === null).length,
      teamOnly: list.filter((t) => t.team !== null).length,
      oldestAgeHours: list.length === 0 ? null : round2(Math.max(...list.map((t) => ageHours(t, now)))),
    }),
    tickets: (list) => list.map((t) => t.number),
    withTickets: params.tickets,
  });
  return { columns: ['group', 'unassigned', 'teamOnly', 'oldestAgeHours'], rows, total };
}
