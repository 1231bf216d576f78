import type { Knex } from 'knex';
import type { AuditEvent } from './audit-event.js';
import type { DecisionRecord } from './decide.js';
import type { Message } from './message.js';
import { TriageError } from '../errors/triage-error.js';
import { toIsoUtc } from '../store/iso-time.js';
import type { Correction } from './correction.js';
import type { Ticket, TicketFilter, TicketPage } from './ticket.js';
import {
  auditFromRow,
  correctionFromRow,
  decisionFromRow,
  messageFromRow,
  ticketFromRow,
  type AuditRow,
  type CorrectionRow,
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

/** Newest first; `filter.limit` at most. */
export async function queryTickets(db: Db, filter: TicketFilter = {}): Promise<Ticket[]> {
  return (await queryTicketPage(db, filter)).tickets;
}

/**
 * One page, newest first by (created_at, id), with the position where the
 * next page starts. Keyset pagination rather than an offset: tickets created
 * while a client pages never shift the pages it has not read yet, so nothing
 * is returned twice or skipped.
 */
export async function queryTicketPage(db: Db, filter: TicketFilter = {}): Promise<TicketPage> {
  const limit = Math.min(Math.max(Math.trunc(filter.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
  const q = db('tickets').select('*');
  if (filter.status !== undefined) {
    const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
    void q.whereIn('status', statuses);
  }
  if (filter.team !== undefined) void q.where({ team: filter.team });
  if (filter.priority !== undefined) void q.where({ priority: filter.priority });
  if (filter.category !== undefined) void q.where({ category: filter.category });
  if (filter.customerId !== undefined) void q.where({ customer_id: filter.customerId });
  if (filter.tag !== undefined) {
    const tag = filter.tag;
    void q.whereExists((sub) => {
      void sub.select(db.raw('1')).from('ticket_tags').whereRaw('ticket_tags.ticket_id = tickets.id').andWhere('ticket_tags.tag', tag);
    });
  }
  // Stored times are fixed-width ISO UTC text, so a normalized bound compares correctly as text.
  if (filter.createdFrom !== undefined) void q.where('created_at', '>=', timeBound(filter.createdFrom, 'createdFrom'));
  if (filter.createdTo !== undefined) void q.where('created_at', '<', timeBound(filter.createdTo, 'createdTo'));
  const after = filter.after;
  if (after !== undefined) {
    // (created_at, id) < (after.createdAt, after.id), written out as plain
    // comparisons so the SQL is the same on both stores.
    void q.where((w) => {
      void w.where('created_at', '<', after.createdAt).orWhere((tie) => {
        void tie.where('created_at', '=', after.createdAt).andWhere('id', '<', after.id);
      });
    });
  }
  // One extra row tells whether there is a next page without a count query.
  const rows = (await q.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit + 1)) as TicketRow[];
  const page = rows.slice(0, limit);
  const tags = await loadTagsFor(db, page.map((r) => r.id));
  const tickets = page.map((r) => ticketFromRow(r, tags.get(r.id) ?? []));
  const last = page[page.length - 1];
  return { tickets, next: rows.length > limit && last !== undefined ? { createdAt: last.created_at, id: last.id } : null };
}

/** How many tickets a customer has (their whole history, R7). */
export async function countCustomerTickets(db: Db, customerId: string): Promise<number> {
  const row = (await db('tickets').where({ customer_id: customerId }).count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
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

export async function loadCorrections(db: Db, ticketId: string): Promise<Correction[]> {
  const rows = (await db('corrections').where({ ticket_id: ticketId }).orderBy([{ column: 'audit_seq' }, { column: 'field' }])) as CorrectionRow[];
  return rows.map(correctionFromRow);
}

/** The fingerprint of the request that created the ticket (kept in its `ticket.create` audit row), if one was given. */
export async function loadCreateFingerprint(db: Db, ticketId: string): Promise<string | null> {
  const row = (await db('audit_events').where({ ticket_id: ticketId, action: 'ticket.create' }).orderBy('seq').first()) as AuditRow | undefined;
  const fingerprint = row === undefined ? undefined : auditFromRow(row).data?.fingerprint;
  return typeof fingerprint === 'string' ? fingerprint : null;
}

export async function loadDecisions(db: Db, ticketId: string): Promise<DecisionRecord[]> {
  const rows = (await db('decisions').where({ ticket_id: ticketId }).orderBy('seq')) as DecisionRow[];
  return rows.map(decisionFromRow);
}

function timeBound(value: string, name: string): string {
  const iso = toIsoUtc(value);
  if (iso === undefined) throw new TriageError('TRIAGE_TICKET_INVALID', [`${name} is not a date-time with a time zone: ${value}`]);
  return iso;
}
