import { DateTime } from 'luxon';
import type { ReportBody, ReportContext } from './report-context.js';
import { groupedRows, type Heatmap, type ReportRow } from './report-result.js';
import { groupValue, type ReportTicket } from './report-tickets.js';
import { percent } from './summarize.js';

const METRICS = ['firstResponse', 'nextResponse', 'resolution'] as const;
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

interface TimerRow {
  metric: string;
  status: string;
  due_at: string | null;
  met_at: string | null;
  breached_at: string | null;
  number: string;
  category: string | null;
  channel: string | null;
  team: string | null;
  assignee: string | null;
  priority: string | null;
}

/** One SLA clock (engine/sla/clocks) of a ticket created in the range, judged at `now`. */
interface JudgedTimer extends Pick<ReportTicket, 'number' | 'category' | 'channel' | 'team' | 'assignee' | 'priority'> {
  metric: string;
  outcome: 'met' | 'breached' | 'running';
  /** When the target was passed: breached_at (the 100% threshold), else the due time a late or missing stop passed. */
  breachedAt: string | null;
}

/**
 * The clocks of the tickets created in the range, cancelled ones left out.
 * A clock is breached when the sweeper recorded a breach, when it was met
 * after its due time (before the sweeper got to it), or when it still runs
 * past its due time; met when stopped on time; running otherwise. That is the
 * `sla` fact's definition, so reports and rules agree.
 */
async function judgedTimers(ctx: ReportContext): Promise<JudgedTimer[]> {
  const now = ctx.now.toISOString();
  const rows = (await ctx.db('sla_timers as s')
    .join('tickets as t', 't.id', 's.ticket_id')
    .where('t.created_at', '>=', ctx.params.from)
    .andWhere('t.created_at', '<', ctx.params.to)
    .andWhereNot('s.status', 'cancelled')
    .orderBy('t.created_at')
    .orderBy('s.id')
    .select('s.metric', 's.status', 's.due_at', 's.met_at', 's.breached_at', 't.number', 't.category', 't.channel', 't.team', 't.assignee', 't.priority')) as TimerRow[];
  return rows.map((r) => {
    const late = r.met_at !== null && r.due_at !== null && r.met_at > r.due_at ? r.due_at : null;
    const overdue = r.met_at === null && r.status === 'running' && r.due_at !== null && r.due_at <= now ? r.due_at : null;
    const breachedAt = r.breached_at ?? late ?? overdue;
    const outcome = breachedAt !== null ? 'breached' : r.met_at !== null ? 'met' : 'running';
    return { metric: r.metric, outcome, breachedAt, number: r.number, category: r.category, channel: r.channel, team: r.team, assignee: r.assignee, priority: r.priority };
  });
}

const metricOrder = (m: string): number => {
  const i = (METRICS as readonly string[]).indexOf(m);
  return i === -1 ? METRICS.length : i;
};

/**
 * SLA on-time %: per metric (and group) the clocks met on time, breached and
 * still running; onTimePct = met / (met + breached). Listed tickets: the
 * breached ones.
 */
export async function slaReport(ctx: ReportContext): Promise<ReportBody> {
  const { params } = ctx;
  const timers = await judgedTimers(ctx);
  const options = {
    groupBy: params.groupBy,
    key: (t: JudgedTimer) => groupValue(t, params.groupBy),
    figures: (list: readonly JudgedTimer[]) => {
      const met = list.filter((t) => t.outcome === 'met').length;
      const breached = list.filter((t) => t.outcome === 'breached').length;
      return { timers: list.length, met, breached, running: list.length - met - breached, onTimePct: percent(met, met + breached) };
    },
    tickets: (list: readonly JudgedTimer[]) => list.filter((t) => t.outcome === 'breached').map((t) => t.number),
    withTickets: params.tickets,
  };
  const metrics = [...new Set(timers.map((t) => t.metric))].sort((a, b) => metricOrder(a) - metricOrder(b) || a.localeCompare(b));
  const rows: ReportRow[] = [];
  for (const metric of metrics) {
    const grouped = groupedRows(
      timers.filter((t) => t.metric === metric),
      options,
    );
    if (params.groupBy === null) rows.push({ metric, ...grouped.total });
    else rows.push(...grouped.rows.map((r) => ({ metric, ...r })));
  }
  const { total } = groupedRows(timers, { ...options, groupBy: null });
  const columns = ['metric', ...(params.groupBy === null ? [] : ['group']), 'timers', 'met', 'breached', 'running', 'onTimePct'];
  return { columns, rows, total: { metric: null, ...total } };
}

/**
 * Breaches per group with the count per metric, and a weekday × hour heatmap
 * of the instants targets were passed, in the report's time zone.
 */
export async function slaBreachesReport(ctx: ReportContext): Promise<ReportBody> {
  const { params } = ctx;
  const breached = (await judgedTimers(ctx)).filter((t) => t.outcome === 'breached');
  const { rows, total } = groupedRows(breached, {
    groupBy: params.groupBy,
    key: (t) => groupValue(t, params.groupBy),
    figures: (list) => ({
      breaches: list.length,
      firstResponse: list.filter((t) => t.metric === 'firstResponse').length,
      nextResponse: list.filter((t) => t.metric === 'nextResponse').length,
      resolution: list.filter((t) => t.metric === 'resolution').length,
    }),
    tickets: (list) => list.map((t) => t.number),
    withTickets: params.tickets,
  });
  const map: Heatmap = { timeZone: params.timeZone, weekdays: WEEKDAYS, cells: heatCells(breached, params.timeZone) };
  // With groupBy, one heatmap per group too, so a dashboard can show the breaches of one team or category.
  if (params.groupBy !== null) {
    const groups = new Map<string | null, JudgedTimer[]>();
    for (const t of breached) {
      const key = groupValue(t, params.groupBy);
      groups.set(key, [...(groups.get(key) ?? []), t]);
    }
    map.groups = rows.map((r) => {
      const group = typeof r.group === 'string' ? r.group : null;
      return { group, cells: heatCells(groups.get(group) ?? [], params.timeZone) };
    });
  }
  return { columns: ['group', 'breaches', 'firstResponse', 'nextResponse', 'resolution'], rows, total, heatmap: map };
}

function heatCells(breached: readonly JudgedTimer[], timeZone: string): number[][] {
  const cells = WEEKDAYS.map(() => new Array<number>(24).fill(0));
  for (const t of breached) {
    if (t.breachedAt === null) continue;
    const local = DateTime.fromISO(t.breachedAt, { zone: timeZone });
    const row = cells[local.weekday - 1];
    if (row !== undefined) row[local.hour] = (row[local.hour] ?? 0) + 1;
  }
  return cells;
}
