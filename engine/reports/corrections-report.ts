import type { Knex } from 'knex';
import type { ReportBody, ReportContext } from './report-context.js';
import { ticketList, type ReportRow } from './report-result.js';
import { percent } from './summarize.js';

interface CountRow {
  rule: string;
  field: string | null;
  n: number | string;
}

interface CorrectedRow {
  rule: string;
  field: string;
  number: string;
}

/** The rule's changes that an agent can correct: fields, status and tags (tags count as the field `tags`, as in corrections). */
const APPLIED_ACTIONS = ['field.set', 'status.change', 'tag.add', 'tag.remove'];

const inRange = (q: Knex.QueryBuilder, ctx: ReportContext): Knex.QueryBuilder => q.where('t.created_at', '>=', ctx.params.from).andWhere('t.created_at', '<', ctx.params.to);

/**
 * Manual-correction rate per rule and field (R13, R19) over the tickets
 * created in the range: `applied` counts the changes the rule made (its audit
 * rows), `corrected` the corrections agents recorded against it
 * (engine/tickets/record-corrections.ts), ratePct = corrected / applied.
 * Grouping by ticket columns does not apply: rows are per rule. Counted in
 * SQL; listed tickets: the corrected ones.
 */
export async function correctionsReport(ctx: ReportContext): Promise<ReportBody> {
  const { db } = ctx;
  const fieldSql = "case when a.action in ('tag.add', 'tag.remove') then 'tags' else a.field end";
  const applied = (await inRange(db('audit_events as a').join('tickets as t', 't.id', 'a.ticket_id'), ctx)
    .where('a.actor_type', 'rule')
    .whereIn('a.action', APPLIED_ACTIONS)
    .groupBy('a.actor_id')
    .groupByRaw(fieldSql)
    .select('a.actor_id as rule', db.raw(`${fieldSql} as field`), db.raw('count(*) as n'))) as CountRow[];
  const corrected = (await inRange(db('corrections as c').join('tickets as t', 't.id', 'c.ticket_id'), ctx).select('c.rule_id as rule', 'c.field', 't.number')) as CorrectedRow[];

  const key = (rule: string, field: string | null): string => JSON.stringify([rule, field]);
  const counts = new Map<string, { rule: string; field: string | null; applied: number; tickets: string[] }>();
  const entry = (rule: string, field: string | null) => {
    const k = key(rule, field);
    let e = counts.get(k);
    if (e === undefined) counts.set(k, (e = { rule, field, applied: 0, tickets: [] }));
    return e;
  };
  for (const row of applied) entry(row.rule, row.field).applied += Number(row.n);
  for (const row of corrected) entry(row.rule, row.field).tickets.push(row.number);

  const figures = (appliedCount: number, correctedCount: number) => ({ applied: appliedCount, corrected: correctedCount, ratePct: percent(correctedCount, appliedCount) });
  const entries = [...counts.values()].sort((a, b) => a.rule.localeCompare(b.rule) || (a.field ?? '').localeCompare(b.field ?? ''));
  const rows: ReportRow[] = entries.map((e) => ({ rule: e.rule, field: e.field, ...figures(e.applied, e.tickets.length), ...ticketList(e.tickets, ctx.params.tickets) }));
  const total: ReportRow = {
    rule: null,
    field: null,
    ...figures(
      entries.reduce((s, e) => s + e.applied, 0),
      corrected.length,
    ),
    ...ticketList(
      corrected.map((c) => c.number),
      ctx.params.tickets,
    ),
  };
  return { columns: ['rule', 'field', 'applied', 'corrected', 'ratePct'], rows, total };
}
