import { fromJsonColumn } from '../store/json-column.js';
import type { ReportBody, ReportContext } from './report-context.js';
import { groupedRows } from './report-result.js';
import { groupValue, ticketsCreatedIn } from './report-tickets.js';
import { percent } from './summarize.js';

interface MessageRow {
  ticket_id: string;
  direction: string;
  kind: string;
  data: string | null;
  created_at: string;
}

/**
 * First contact resolution over the tickets created in the range that are
 * solved or closed: FCR when exactly one public agent reply was sent
 * (automatic acknowledgements and internal notes do not count) and the
 * customer wrote nothing after it. Listed tickets: the FCR ones.
 */
export async function fcrReport(ctx: ReportContext): Promise<ReportBody> {
  const { params, db } = ctx;
  const resolved = (await ticketsCreatedIn(db, params.from, params.to)).filter((t) => t.status === 'solved' || t.status === 'closed');
  const messages = (await db('messages as m')
    .join('tickets as t', 't.id', 'm.ticket_id')
    .where('t.created_at', '>=', params.from)
    .andWhere('t.created_at', '<', params.to)
    .whereIn('t.status', ['solved', 'closed'])
    .orderBy('m.created_at')
    .orderBy('m.id')
    .select('m.ticket_id', 'm.direction', 'm.kind', 'm.data', 'm.created_at')) as MessageRow[];
  const byTicket = new Map<string, MessageRow[]>();
  for (const m of messages) byTicket.set(m.ticket_id, [...(byTicket.get(m.ticket_id) ?? []), m]);
  const firstContact = new Set(
    resolved
      .filter((t) => {
        const list = byTicket.get(t.id) ?? [];
        const replies = list.filter((m) => m.direction === 'outbound' && m.kind === 'public' && fromJsonColumn<Record<string, unknown>>(m.data, {}).automatic !== true);
        const reply = replies[0];
        if (replies.length !== 1 || reply === undefined) return false;
        return !list.some((m) => m.direction === 'inbound' && m.created_at > reply.created_at);
      })
      .map((t) => t.id),
  );
  const { rows, total } = groupedRows(resolved, {
    groupBy: params.groupBy,
    key: (t) => groupValue(t, params.groupBy),
    figures: (list) => {
      const fcr = list.filter((t) => firstContact.has(t.id)).length;
      return { resolved: list.length, fcr, fcrPct: percent(fcr, list.length) };
    },
    tickets: (list) => list.filter((t) => firstContact.has(t.id)).map((t) => t.number),
    withTickets: params.tickets,
  });
  return { columns: ['group', 'resolved', 'fcr', 'fcrPct'], rows, total };
}
