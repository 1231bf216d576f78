import type { Knex } from 'knex';
import type { FactObject } from '../../rules/lib/rule-types.js';
import { ticketFact } from '../tickets/ticket-facts.js';
import { ticketFromRow, type TicketRow } from '../tickets/ticket-row.js';

/**
 * The ticket facts connectors receive (ActionCall.ticket) for a claimed
 * batch, in two queries instead of two per row. Read outside any
 * transaction, at dispatch: a connector links back to the ticket as it is
 * now. A ticket that is gone (erased) is absent from the map.
 */
export async function loadTicketFacts(db: Knex, ticketIds: readonly string[]): Promise<Map<string, FactObject>> {
  const ids = [...new Set(ticketIds)];
  const out = new Map<string, FactObject>();
  if (ids.length === 0) return out;
  const rows = (await db('tickets').whereIn('id', ids)) as TicketRow[];
  const tagRows = (await db('ticket_tags').whereIn('ticket_id', ids).orderBy(['ticket_id', 'tag'])) as { ticket_id: string; tag: string }[];
  const tags = new Map<string, string[]>();
  for (const r of tagRows) tags.set(r.ticket_id, [...(tags.get(r.ticket_id) ?? []), r.tag]);
  for (const row of rows) out.set(row.id, ticketFact(ticketFromRow(row, tags.get(row.id) ?? [])));
  return out;
}
