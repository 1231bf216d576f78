import type { Knex } from 'knex';
import type { Decision } from '../../rules/lib/rule-types.js';

/** One stored decision as the governance reports read it. */
export interface StoredDecision {
  id: string;
  ticketId: string;
  event: string;
  ruleSetVersion: string;
  decision: Decision;
  createdAt: string;
}

interface Row {
  id: string;
  ticket_id: string;
  event: string;
  rule_set_version: string;
  decision: string;
  created_at: string;
  seq: number;
}

const PAGE = 2000;

/**
 * The decisions made since `since` (ISO UTC), read in pages so a window of a
 * million decisions never sits in memory at once. Paged by (ticket_id, seq),
 * the one index decisions have that orders them (there is no time index):
 * every page is an index range, and the whole read is one pass over the
 * table, with created_at as a filter. The reports only count, so the order
 * (by ticket, then the ticket's own order) does not matter to them.
 */
export async function* storedDecisions(db: Knex, since: string, page = PAGE): AsyncGenerator<StoredDecision> {
  let after: { ticketId: string; seq: number } | undefined;
  for (;;) {
    const q = db('decisions').select('id', 'ticket_id', 'event', 'rule_set_version', 'decision', 'created_at', 'seq');
    if (after !== undefined) {
      const a = after;
      // One plain lower bound, so the index bounds the scan; the OR only filters within it.
      q.where('ticket_id', '>=', a.ticketId).andWhere((w) => void w.where('ticket_id', '>', a.ticketId).orWhere('seq', '>', a.seq));
    }
    const rows = (await q.orderBy([{ column: 'ticket_id' }, { column: 'seq' }]).limit(page)) as Row[];
    for (const r of rows) {
      if (r.created_at < since) continue;
      yield { id: r.id, ticketId: r.ticket_id, event: r.event, ruleSetVersion: r.rule_set_version, decision: JSON.parse(r.decision) as Decision, createdAt: r.created_at };
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < page) return;
    after = { ticketId: last.ticket_id, seq: Number(last.seq) };
  }
}
