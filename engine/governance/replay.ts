import type { Knex } from 'knex';
import { decide } from '../../rules/lib/evaluate.js';
import type { RuleSet } from '../../rules/lib/rule-set.js';
import type { Decision } from '../../rules/lib/rule-types.js';
import { TriageError } from '../errors/triage-error.js';
import type { Customer } from '../tickets/customer.js';
import type { Message } from '../tickets/message.js';
import type { Ticket } from '../tickets/ticket.js';
import { customerFromRow, messageFromRow, ticketFromRow, type AuditRow, type CustomerIdentityRow, type CustomerRow, type DecisionRow, type MessageRow, type TicketRow } from '../tickets/ticket-row.js';
import { createdFacts, ticketAsCreated, type CreateRecord } from './reconstruct-facts.js';

/** What a replay compares, per ticket. */
export const REPLAY_FIELDS = ['category', 'priority', 'team', 'review', 'tags', 'actions'] as const;
export type ReplayField = (typeof REPLAY_FIELDS)[number];

export interface ReplaySelection {
  /** ISO UTC: tickets that arrived (ticket created_at) since then. */
  since?: string;
  /** Ticket numbers or ids. */
  tickets?: readonly string[];
}

export interface ReplayOptions extends ReplaySelection {
  /** The rule set that decides today (the baseline). */
  base: RuleSet;
  /** The changed rule set. */
  candidate: RuleSet;
  /** Called after every batch with tickets done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Example tickets kept per field (default 5). */
  examples?: number;
  /** Tickets read per query round (default 500). */
  batchSize?: number;
}

export interface FieldDiff {
  changed: number;
  /** Most common changes, from → to, with their count (at most 5). */
  transitions: Array<{ from: string; to: string; count: number }>;
  examples: Array<{ ticket: string; from: string; to: string }>;
}

export interface ReplayReport {
  baseVersion: string;
  candidateVersion: string;
  since: string | null;
  replayed: number;
  /** Tickets where at least one compared field differs. */
  changedTickets: number;
  fields: Record<ReplayField, FieldDiff>;
  /**
   * How faithfully the baseline reproduces what is stored: tickets whose
   * stored decision was made by the baseline's version, and of those how
   * many re-evaluate to the same outcome. A gap means the reconstructed
   * facts miss something (docs/governance.md lists the limits).
   */
  reproduction: { compared: number; matched: number };
}

const BATCH = 500;

/**
 * Re-evaluate stored tickets' `ticket.created` decisions with a changed rule
 * set and diff the outcome against the baseline (the active set) on the
 * same reconstructed facts, so the diff shows the rule change alone. Reads
 * only; `decide` is synchronous and CPU-only.
 */
export async function replayTickets(db: Knex, options: ReplayOptions): Promise<ReplayReport> {
  const keep = options.examples ?? 5;
  const fields = Object.fromEntries(REPLAY_FIELDS.map((f) => [f, { changed: 0, transitions: [], examples: [] } satisfies FieldDiff])) as unknown as Record<ReplayField, FieldDiff>;
  const transitions = Object.fromEntries(REPLAY_FIELDS.map((f) => [f, new Map<string, { from: string; to: string; count: number }>()])) as Record<ReplayField, Map<string, { from: string; to: string; count: number }>>;
  const report: ReplayReport = { baseVersion: options.base.version, candidateVersion: options.candidate.version, since: options.since ?? null, replayed: 0, changedTickets: 0, fields, reproduction: { compared: 0, matched: 0 } };

  const size = options.batchSize ?? BATCH;
  const batches = options.tickets !== undefined ? await listedDecisions(db, options.tickets, size) : sinceDecisions(db, options.since ?? '0000', size);
  const total = options.tickets !== undefined ? options.tickets.length : await countCreated(db, options.since ?? '0000');
  for await (const rows of batchesOf(batches, size)) {
    for (const item of await loadBatch(db, rows)) {
      const facts = createdFacts(item.initial, item.message, item.customer, item.decidedAt);
      const before = outcome(decide(options.base, 'ticket.created', facts), item.initial);
      const after = outcome(decide(options.candidate, 'ticket.created', facts), item.initial);
      if (item.storedVersion === options.base.version) {
        report.reproduction.compared++;
        const stored = outcome(item.stored, item.initial);
        if (REPLAY_FIELDS.every((f) => stored[f].key === before[f].key)) report.reproduction.matched++;
      }
      report.replayed++;
      let changed = false;
      for (const f of REPLAY_FIELDS) {
        if (before[f].key === after[f].key) continue;
        changed = true;
        const diff = fields[f];
        diff.changed++;
        if (diff.examples.length < keep) diff.examples.push({ ticket: item.number, from: before[f].text, to: after[f].text });
        const k = `${before[f].text}\u0000${after[f].text}`;
        const t = transitions[f].get(k) ?? { from: before[f].text, to: after[f].text, count: 0 };
        t.count++;
        transitions[f].set(k, t);
      }
      if (changed) report.changedTickets++;
    }
    options.onProgress?.(report.replayed, total);
  }
  for (const f of REPLAY_FIELDS) fields[f].transitions = [...transitions[f].values()].sort((a, b) => b.count - a.count || a.from.localeCompare(b.from)).slice(0, 5);
  return report;
}

/** One field's outcome: a comparison key and what a person reads. */
interface Shown {
  key: string;
  text: string;
}

/** Where a decision leaves the compared fields of a ticket that started as `initial`. */
export function outcome(d: Decision, initial: Ticket): Record<ReplayField, Shown> {
  const field = (f: 'category' | 'priority' | 'team'): Shown => {
    const v = f in d.changes ? d.changes[f] : initial[f];
    const text = v === null || v === undefined ? '-' : String(v);
    return { key: text, text };
  };
  const tags = new Set(initial.tags);
  for (const t of d.tags.added) tags.add(t);
  for (const t of d.tags.removed) tags.delete(t);
  const tagText = [...tags].sort().join(',') || '-';
  const actions = [...d.actions].sort((a, b) => a.type.localeCompare(b.type) || a.ruleId.localeCompare(b.ruleId) || a.index - b.index);
  return {
    category: field('category'),
    priority: field('priority'),
    team: field('team'),
    review: { key: String(d.review), text: d.review ? 'yes' : 'no' },
    tags: { key: tagText, text: tagText },
    // Rendered params count: the same action with another text is a change.
    actions: { key: JSON.stringify(actions.map((a) => [a.type, a.ruleId, a.params])), text: actions.map((a) => `${a.type}(${a.ruleId})`).join(', ') || '-' },
  };
}

/** A stored `ticket.created` decision with the facts it was made on, reconstructed. */
export interface BatchItem {
  decisionId: string;
  number: string;
  initial: Ticket;
  message: Message | undefined;
  customer: Customer | null;
  decidedAt: string;
  stored: Decision;
  storedVersion: string;
}

export type CreatedRow = Pick<DecisionRow, 'id' | 'ticket_id' | 'rule_set_version' | 'decision' | 'created_at'> & { parsed?: Decision };

async function countCreated(db: Knex, since: string): Promise<number> {
  const row = (await db('tickets').count({ n: '*' }).where('created_at', '>=', since).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

/**
 * Tickets that arrived since `since`, paged by (created_at, id) through the
 * tickets' created_at index (decisions have no time index), with their first
 * `ticket.created` decision.
 */
async function* sinceDecisions(db: Knex, since: string, size: number): AsyncGenerator<CreatedRow> {
  let after: { createdAt: string; id: string } | undefined;
  for (;;) {
    const q = db('tickets').select('id', 'created_at');
    // One lower bound on created_at (not two: SQLite would range-scan on one and filter on the other,
    // rescanning the window from its start on every page); the OR only filters within the range.
    q.andWhere('created_at', '>=', after === undefined || after.createdAt < since ? since : after.createdAt);
    if (after !== undefined) {
      const a = after;
      q.andWhere((w) => void w.where('created_at', '>', a.createdAt).orWhere('id', '>', a.id));
    }
    const page = (await q.orderBy([{ column: 'created_at' }, { column: 'id' }]).limit(size)) as Array<{ id: string; created_at: string }>;
    yield* await createdDecisionsOf(db, page.map((t) => t.id));
    const last = page.at(-1);
    if (last === undefined || page.length < size) return;
    after = { createdAt: last.created_at, id: last.id };
  }
}

/** The first `ticket.created` decision of each ticket, in the order of `ticketIds`; tickets without one are left out. */
async function createdDecisionsOf(db: Knex, ticketIds: readonly string[]): Promise<CreatedRow[]> {
  if (ticketIds.length === 0) return [];
  const rows = (await db('decisions')
    .select('id', 'ticket_id', 'rule_set_version', 'decision', 'created_at', 'seq')
    .where({ event: 'ticket.created' })
    .whereIn('ticket_id', ticketIds)
    .orderBy([{ column: 'ticket_id' }, { column: 'seq' }])) as Array<CreatedRow & { seq: number }>;
  const first = new Map<string, CreatedRow>();
  for (const r of rows) if (!first.has(r.ticket_id)) first.set(r.ticket_id, r);
  return ticketIds.flatMap((id) => first.get(id) ?? []);
}

/** The `ticket.created` decisions of listed tickets; every entry must exist, else nothing is replayed. */
async function listedDecisions(db: Knex, refs: readonly string[], size: number): Promise<AsyncGenerator<CreatedRow>> {
  const wanted = [...new Set(refs)];
  const found = new Map<string, string>();
  for (let i = 0; i < wanted.length; i += size) {
    const chunk = wanted.slice(i, i + size);
    const rows = (await db('tickets').select('id', 'number').whereIn('number', chunk).orWhereIn('id', chunk)) as Array<{ id: string; number: string }>;
    for (const r of rows) {
      found.set(r.number, r.id);
      found.set(r.id, r.id);
    }
  }
  const missing = wanted.filter((r) => !found.has(r));
  if (missing.length > 0) throw new TriageError('TRIAGE_REPLAY_TICKET_NOT_FOUND', [missing.length, missing.slice(0, 10).join(', ')], { details: { missing } });
  const ids = [...new Set(wanted.map((r) => found.get(r)!))];
  return (async function* () {
    for (let i = 0; i < ids.length; i += size) yield* await createdDecisionsOf(db, ids.slice(i, i + size));
  })();
}

async function* batchesOf<T>(rows: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const r of rows) {
    batch.push(r);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Everything a batch of decisions needs, in five queries rather than five per ticket. */
export async function loadBatch(db: Knex, decisions: readonly CreatedRow[]): Promise<BatchItem[]> {
  const ticketIds = [...new Set(decisions.map((d) => d.ticket_id))];
  const tickets = new Map(((await db('tickets').whereIn('id', ticketIds)) as TicketRow[]).map((r) => [r.id, ticketFromRow(r, [])]));
  const firstMessage = new Map<string, Message>();
  const messages = (await db('messages').whereIn('ticket_id', ticketIds).orderBy([{ column: 'created_at' }, { column: 'id' }])) as MessageRow[];
  for (const m of messages) if (!firstMessage.has(m.ticket_id)) firstMessage.set(m.ticket_id, messageFromRow(m));
  const created = new Map<string, CreateRecord>();
  const audit = (await db('audit_events').whereIn('ticket_id', ticketIds).andWhere({ action: 'ticket.create' })) as AuditRow[];
  for (const a of audit) created.set(a.ticket_id, a.data === null ? {} : (JSON.parse(a.data) as CreateRecord));

  const customerIds = new Set<string>();
  for (const id of ticketIds) {
    const c = created.get(id)?.customerId ?? tickets.get(id)?.customerId;
    if (typeof c === 'string') customerIds.add(c);
  }
  const customers = new Map<string, Customer>();
  if (customerIds.size > 0) {
    const ids = [...customerIds];
    const identities = new Map<string, CustomerIdentityRow[]>();
    for (const i of (await db('customer_identities').whereIn('customer_id', ids)) as CustomerIdentityRow[]) identities.set(i.customer_id, [...(identities.get(i.customer_id) ?? []), i]);
    for (const row of (await db('customers').whereIn('id', ids)) as CustomerRow[]) customers.set(row.id, customerFromRow(row, identities.get(row.id) ?? []));
  }

  const out: BatchItem[] = [];
  for (const d of decisions) {
    const stored = tickets.get(d.ticket_id);
    if (stored === undefined) continue; // erased between the two queries
    const initial = ticketAsCreated(stored, created.get(d.ticket_id), d.created_at);
    out.push({
      decisionId: d.id,
      number: stored.number,
      initial,
      message: firstMessage.get(d.ticket_id),
      customer: initial.customerId === null ? null : (customers.get(initial.customerId) ?? null),
      decidedAt: d.created_at,
      stored: d.parsed ?? (JSON.parse(d.decision) as Decision),
      storedVersion: d.rule_set_version,
    });
  }
  return out;
}
