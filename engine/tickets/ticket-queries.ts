import type { Knex } from 'knex';
import type { AuditEvent } from './audit-event.js';
import type { DecisionRecord } from './decide.js';
import type { Message } from './message.js';
import type { Ticket, TicketFilter } from './ticket.js';
import {
  auditFromRow,
  decisionFromRow,
  messageFromRow,
  ticketFromRow,
  type AuditRow,
  type DecisionRow,
  type MessageRow,
  type TicketRow,
} from './ticket-row.js';

type Db = Knex | Knex.Transaction;

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

/** By id or by number (`T-000042`, case-insensitive); undefined when neither matches. */
export async function findTicket(db: Db, idOrNumber: string): Promise<Ticket | undefined> {
  const ref = idOrNumber.trim();
  const number = /^t-\d+$/i.test(ref) ? ref.toUpperCase() : undefined;
  const row = (await db('tickets')
    .where(number === undefined ? { id: ref } : { number })
    .first()) as TicketRow | undefined;
  if (row === undefined) return undefined;
  return ticketFromRow(row, await loadTags(db, row.id));
}

export async function findTicketByExternalId(db: Db, source: string, externalId: string): Promise<Ticket | undefined> {
  const row = (await db('tickets').where({ source, external_id: externalId }).first()) as TicketRow | undefined;
  return row === undefined ? undefined : ticketFromRow(row, await loadTags(db, row.id));
}

export async function queryTickets(db: Db, filter: TicketFilter = {}): Promise<Ticket[]> {
  const limit = Math.min(Math.max(Math.trunc(filter.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
  const q = db('tickets').select('*');
  if (filter.status !== undefined) {
    const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
    void q.whereIn('status', statuses);
  }
  if (filter.team !== undefined) void q.where({ team: filter.team });
  if (filter.customerId !== undefined) void q.where({ customer_id: filter.customerId });
  // Newest first; id breaks ties so paging is stable.
  const rows = (await q.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'asc' }]).limit(limit)) as TicketRow[];
  const tags = await loadTagsFor(db, rows.map((r) => r.id));
  return rows.map((r) => ticketFromRow(r, tags.get(r.id) ?? []));
}

export async function loadTags(db: Db, ticketId: string): Promise<string[]> {
  return (await loadTagsFor(db, [ticketId])).get(ticketId) ?? [];
}

async function loadTagsFor(db: Db, ticketIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (ticketIds.length === 0) return out;
  const rows = (await db('ticket_tags').whereIn('ticket_id', ticketIds).orderBy(['ticket_id', 'tag'])) as Array<{ ticket_id: string; tag: string }>;
  for (const r of rows) {
    const list = out.get(r.ticket_id) ?? [];
    list.push(r.tag);
    out.set(r.ticket_id, list);
  }
  return out;
}

export async function loadMessages(db: Db, ticketId: string): Promise<Message[]> {
  const rows = (await db('messages').where({ ticket_id: ticketId }).orderBy([{ column: 'created_at' }, { column: 'id' }])) as MessageRow[];
  return rows.map(messageFromRow);
}

export async function loadAudit(db: Db, ticketId: string): Promise<AuditEvent[]> {
  const rows = (await db('audit_events').where({ ticket_id: ticketId }).orderBy('seq')) as AuditRow[];
  return rows.map(auditFromRow);
}

export async function loadDecisions(db: Db, ticketId: string): Promise<DecisionRecord[]> {
  const rows = (await db('decisions').where({ ticket_id: ticketId }).orderBy('seq')) as DecisionRow[];
  return rows.map(decisionFromRow);
}
