import type { Knex } from 'knex';
import { timerFromRow, type SlaTimerRow } from './sla-timer.js';
import { ticketSlaState, type TicketSlaState } from './ticket-sla-state.js';

/** Ids per query: well under SQLite's bound-parameter limit. */
const CHUNK = 500;

/**
 * The SLA state of each ticket (engine/sla/clocks/ticket-sla-state.ts), in
 * one query per 500 tickets through the (ticket_id, metric) index. Read
 * only; used by the list and read routes, never by the write path.
 */
export async function loadTicketSlaStates(db: Knex, ticketIds: readonly string[], now: string): Promise<Map<string, TicketSlaState>> {
  const byTicket = new Map<string, SlaTimerRow[]>();
  for (let i = 0; i < ticketIds.length; i += CHUNK) {
    const rows = (await db('sla_timers')
      .whereIn('ticket_id', ticketIds.slice(i, i + CHUNK))
      .whereIn('status', ['running', 'paused'])) as SlaTimerRow[];
    for (const r of rows) byTicket.set(r.ticket_id, [...(byTicket.get(r.ticket_id) ?? []), r]);
  }
  return new Map(ticketIds.map((id) => [id, ticketSlaState((byTicket.get(id) ?? []).map(timerFromRow), now)]));
}
