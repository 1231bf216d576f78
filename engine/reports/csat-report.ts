import type { ReportBody, ReportContext } from './report-context.js';
import { groupedRows } from './report-result.js';
import { groupValue, type ReportTicket } from './report-tickets.js';
import { round2 } from './summarize.js';

interface AnswerRow extends Pick<ReportTicket, 'number' | 'category' | 'channel' | 'team' | 'assignee' | 'priority'> {
  score: number | string;
}

/**
 * Customer satisfaction (R18): the survey answers given in the range
 * (csat_responses.created_at, engine/automations), grouped by their ticket;
 * mean and the count per score 1..5. Listed tickets: the rated ones.
 */
export async function csatReport(ctx: ReportContext): Promise<ReportBody> {
  const { params } = ctx;
  const answers = (await ctx.db('csat_responses as c')
    .join('tickets as t', 't.id', 'c.ticket_id')
    .where('c.created_at', '>=', params.from)
    .andWhere('c.created_at', '<', params.to)
    .orderBy('c.created_at')
    .orderBy('c.id')
    .select('c.score', 't.number', 't.category', 't.channel', 't.team', 't.assignee', 't.priority')) as AnswerRow[];
  const { rows, total } = groupedRows(answers, {
    groupBy: params.groupBy,
    key: (a) => groupValue(a, params.groupBy),
    figures: (list) => {
      const scores = list.map((a) => Number(a.score));
      const mean = scores.length === 0 ? null : round2(scores.reduce((s, v) => s + v, 0) / scores.length);
      return { responses: scores.length, mean, ...Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`score${n}`, scores.filter((s) => s === n).length])) };
    },
    tickets: (list) => list.map((a) => a.number),
    withTickets: params.tickets,
  });
  return { columns: ['group', 'responses', 'mean', 'score1', 'score2', 'score3', 'score4', 'score5'], rows, total };
}
