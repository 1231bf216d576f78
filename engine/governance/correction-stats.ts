import type { Knex } from 'knex';
import { storedDecisions } from './stored-decisions.js';

export interface CorrectionStat {
  ruleId: string;
  /** A ticket field, or `tags`. */
  field: string;
  /** Decisions in the window where the rule changed this field (or a tag). */
  decided: number;
  /** Corrections in the window of a value this rule had set. */
  corrected: number;
  /** corrected / decided, rounded to 4 places; null when the rule decided nothing in the window. */
  share: number | null;
  /** The most common corrections: old → new value, with their count. */
  top: Array<{ from: string | null; to: string | null; count: number }>;
  /** Up to five ticket numbers, most recent first. */
  examples: string[];
}

export interface CorrectionsReport {
  since: string;
  /** Tickets with a decision in the window. */
  tickets: number;
  /** Of those, tickets an agent corrected at least once. */
  correctedTickets: number;
  /** correctedTickets / tickets. */
  share: number | null;
  rules: CorrectionStat[];
}

interface CorrectionRow {
  rule_id: string;
  field: string;
  old_value: string | null;
  new_value: string | null;
  at: string;
  ticket_id: string;
  number: string;
}

/**
 * The share of rule decisions agents changed by hand (R13), per rule and
 * field, with example tickets: the process owner's view of which rule
 * misroutes. Denominators come from the decisions of the window (changeLog
 * and tagLog name the rule behind every change), numerators from the
 * corrections table.
 */
export async function correctionStats(db: Knex, since: string): Promise<CorrectionsReport> {
  const decided = new Map<string, number>();
  const decidedTickets = new Set<string>();
  for await (const stored of storedDecisions(db, since)) {
    decidedTickets.add(stored.ticketId);
    const keys = new Set<string>();
    for (const c of stored.decision.changeLog) keys.add(`${c.ruleId}\u0000${c.field}`);
    for (const t of stored.decision.tagLog) keys.add(`${t.ruleId}\u0000tags`);
    for (const k of keys) decided.set(k, (decided.get(k) ?? 0) + 1);
  }

  const rows = (await db('corrections as c')
    .join('tickets as t', 't.id', 'c.ticket_id')
    .select('c.rule_id', 'c.field', 'c.old_value', 'c.new_value', 'c.at', 'c.ticket_id', 't.number')
    .where('c.at', '>=', since)
    .orderBy([{ column: 'c.at', order: 'desc' }, { column: 'c.id' }])) as CorrectionRow[];

  const byKey = new Map<string, CorrectionRow[]>();
  const correctedTickets = new Set<string>();
  for (const r of rows) {
    const key = `${r.rule_id}\u0000${r.field}`;
    byKey.set(key, [...(byKey.get(key) ?? []), r]);
    if (decidedTickets.has(r.ticket_id)) correctedTickets.add(r.ticket_id);
  }

  const rules: CorrectionStat[] = [];
  for (const key of new Set([...decided.keys(), ...byKey.keys()])) {
    const [ruleId = '', field = ''] = key.split('\u0000');
    const list = byKey.get(key) ?? [];
    const n = decided.get(key) ?? 0;
    const pairs = new Map<string, { from: string | null; to: string | null; count: number }>();
    for (const r of list) {
      const from = jsonText(r.old_value);
      const to = jsonText(r.new_value);
      const k = JSON.stringify([from, to]);
      const p = pairs.get(k) ?? { from, to, count: 0 };
      p.count++;
      pairs.set(k, p);
    }
    rules.push({
      ruleId,
      field,
      decided: n,
      corrected: list.length,
      share: n === 0 ? null : round(list.length / n),
      top: [...pairs.values()].sort((a, b) => b.count - a.count).slice(0, 3),
      examples: [...new Set(list.map((r) => r.number))].slice(0, 5),
    });
  }
  // Worst first: the rules agents correct most, then the busiest.
  rules.sort((a, b) => (b.share ?? -1) - (a.share ?? -1) || b.corrected - a.corrected || b.decided - a.decided || a.ruleId.localeCompare(b.ruleId) || a.field.localeCompare(b.field));
  return { since, tickets: decidedTickets.size, correctedTickets: correctedTickets.size, share: decidedTickets.size === 0 ? null : round(correctedTickets.size / decidedTickets.size), rules };
}

/** Corrections keep values as JSON text; show strings bare. */
function jsonText(value: string | null): string | null {
  if (value === null) return null;
  try {
    const v: unknown = JSON.parse(value);
    return v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);
  } catch {
    return value;
  }
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
