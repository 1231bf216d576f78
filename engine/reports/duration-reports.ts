import type { ReportBody, ReportContext } from './report-context.js';
import { groupedRows } from './report-result.js';
import { groupValue, minutesBetween, ticketsCreatedIn, type ReportTicket } from './report-tickets.js';
import { summarize } from './summarize.js';

const columns = (reached: string): string[] => ['group', 'tickets', reached, 'mean', 'median', 'p90', 'p95'];

/**
 * Time from a ticket's creation to `end` (first response, solve) in minutes,
 * over the tickets created in the range; tickets without `end` count in
 * `tickets` only. The listed tickets are those with `end`.
 */
async function durationReport(ctx: ReportContext, reached: 'responded' | 'solved', end: (t: ReportTicket) => string | null): Promise<ReportBody> {
  const { params } = ctx;
  const tickets = await ticketsCreatedIn(ctx.db, params.from, params.to);
  const { rows, total } = groupedRows(tickets, {
    groupBy: params.groupBy,
    key: (t) => groupValue(t, params.groupBy),
    figures: (list) => {
      const minutes = list.flatMap((t) => {
        const at = end(t);
        return at === null ? [] : [minutesBetween(t.createdAt, at)];
      });
      return { tickets: list.length, [reached]: minutes.length, ...summarize(minutes) };
    },
    tickets: (list) => list.filter((t) => end(t) !== null).map((t) => t.number),
    withTickets: params.tickets,
  });
  return { columns: columns(reached), rows, total };
}

/** First response time: created → first public agent reply (tickets.first_response_at; automatic acknowledgements do not count). */
export function frtReport(ctx: ReportContext): Promise<ReportBody> {
  return durationReport(ctx, 'responded', (t) => t.firstResponseAt);
}

/** Time to resolution: created → solved (tickets.solved_at, the last solve; a reopened ticket is not solved). */
export function ttrReport(ctx: ReportContext): Promise<ReportBody> {
  return durationReport(ctx, 'solved', (t) => t.solvedAt);
}
