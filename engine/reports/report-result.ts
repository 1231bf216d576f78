import type { GroupBy, ReportName } from './report-params.js';
import { TICKET_ID_CAP } from './report-params.js';

/** One figure of a row: a count, minutes, a percentage, or a label. */
export type Figure = number | string | null;

/**
 * One row: `group` (the value grouped by; null = not set) or a report's own
 * key columns (sla: metric; corrections: rule, field), its figures, and with
 * `tickets` the ticket numbers behind it (`ticketIds`, at most TICKET_ID_CAP)
 * and how many there are (`ticketCount`).
 */
export type ReportRow = Record<string, Figure | string[]>;

/** Weekday × hour counts in a time zone; cells[0] is Monday, cells[d][0] 00:00–00:59. */
export interface Heatmap {
  timeZone: string;
  weekdays: string[];
  cells: number[][];
  /** sla-breaches with groupBy: the same cells per group, in the order of the rows. */
  groups?: Array<{ group: string | null; cells: number[][] }>;
}

export interface ReportResult {
  report: ReportName;
  from: string;
  to: string;
  groupBy: GroupBy | null;
  generatedAt: string;
  /** The row keys in display order (ticketIds / ticketCount excluded). */
  columns: string[];
  /** One row per group (empty without groupBy, except reports keyed by their own columns). */
  rows: ReportRow[];
  /** The same figures over everything selected. */
  total: ReportRow;
  heatmap?: Heatmap;
}

/** The ticket numbers behind a row: capped list plus the full count. */
export function ticketList(numbers: readonly string[], withTickets: boolean): ReportRow {
  if (!withTickets) return {};
  const unique = [...new Set(numbers)].sort();
  return { ticketIds: unique.slice(0, TICKET_ID_CAP), ticketCount: unique.length };
}

/**
 * Groups items by key and computes the same figures per group and in total.
 * Groups sort by name with "not set" (null) last, so output is stable.
 */
export function groupedRows<T>(
  items: readonly T[],
  options: {
    groupBy: GroupBy | null;
    key: (item: T) => string | null;
    figures: (items: readonly T[]) => Record<string, Figure>;
    /** The ticket numbers behind a set of items. */
    tickets: (items: readonly T[]) => string[];
    withTickets: boolean;
  },
): { rows: ReportRow[]; total: ReportRow } {
  const total: ReportRow = { ...options.figures(items), ...ticketList(options.tickets(items), options.withTickets) };
  if (options.groupBy === null) return { rows: [], total };
  const groups = new Map<string | null, T[]>();
  for (const item of items) {
    const k = options.key(item);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [item]);
    else list.push(item);
  }
  const keys = [...groups.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
  const rows = keys.map((k) => {
    const list = groups.get(k) ?? [];
    return { group: k, ...options.figures(list), ...ticketList(options.tickets(list), options.withTickets) };
  });
  return { rows, total };
}
