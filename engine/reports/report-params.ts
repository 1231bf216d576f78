import { IANAZone } from 'luxon';
import { TriageError } from '../errors/triage-error.js';
import { toIsoUtc } from '../store/iso-time.js';

/** The report names are the contract of `triage report <name>` and GET /v1/reports/{name}. */
export const REPORT_NAMES = ['frt', 'ttr', 'sla', 'sla-breaches', 'backlog', 'load', 'fcr', 'csat', 'unassigned', 'corrections'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

/** Ticket columns a report can group by; `agent` is the assignee. */
export const GROUP_BYS = ['category', 'channel', 'team', 'agent', 'priority'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** Default and longest range: percentiles are computed over the selected rows, so the range bounds the work. */
export const DEFAULT_RANGE_DAYS = 30;
export const MAX_RANGE_DAYS = 366;
/** Ticket ids listed per row at most; `ticketCount` always has the full count. */
export const TICKET_ID_CAP = 100;

export interface ReportParams {
  name: ReportName;
  /** Inclusive start, ISO-8601 UTC. */
  from: string;
  /** Exclusive end, ISO-8601 UTC. */
  to: string;
  groupBy: GroupBy | null;
  /** IANA zone of the weekday × hour heatmap (sla-breaches). */
  timeZone: string;
  /** List the tickets behind every row. */
  tickets: boolean;
}

/** Parameters as they arrive from argv or a query string: text, or absent. */
export interface RawReportParams {
  from?: string | undefined;
  to?: string | undefined;
  groupBy?: string | undefined;
  tz?: string | undefined;
  tickets?: boolean | undefined;
}

export function isReportName(value: string): value is ReportName {
  return (REPORT_NAMES as readonly string[]).includes(value);
}

/**
 * Checks and completes report parameters; every refusal is a coded error
 * naming the parameter. `now` is the end of the default range.
 */
export function parseReportParams(name: string, raw: RawReportParams, now: Date, defaultTimeZone = 'UTC'): ReportParams {
  if (!isReportName(name)) throw new TriageError('TRIAGE_REPORT_UNKNOWN', [name]);
  const instant = (param: string, value: string): string => {
    const iso = toIsoUtc(value);
    if (iso === undefined) throw new TriageError('TRIAGE_REPORT_BAD_PARAM', [param, `"${value}" is not an ISO-8601 instant with a zone`]);
    return iso;
  };
  const to = raw.to === undefined ? now.toISOString() : instant('to', raw.to);
  const from = raw.from === undefined ? new Date(Date.parse(to) - DEFAULT_RANGE_DAYS * 86_400_000).toISOString() : instant('from', raw.from);
  if (from >= to) throw new TriageError('TRIAGE_REPORT_BAD_RANGE', [`from ${from} is not before to ${to}`]);
  if (Date.parse(to) - Date.parse(from) > MAX_RANGE_DAYS * 86_400_000) throw new TriageError('TRIAGE_REPORT_BAD_RANGE', [`${from} … ${to} is longer than ${MAX_RANGE_DAYS} days`]);
  let groupBy: GroupBy | null = null;
  if (raw.groupBy !== undefined) {
    if (!(GROUP_BYS as readonly string[]).includes(raw.groupBy)) throw new TriageError('TRIAGE_REPORT_BAD_PARAM', ['groupBy', `"${raw.groupBy}" is not one of ${GROUP_BYS.join(', ')}`]);
    groupBy = raw.groupBy as GroupBy;
  }
  const timeZone = raw.tz ?? defaultTimeZone;
  if (!IANAZone.isValidZone(timeZone)) throw new TriageError('TRIAGE_REPORT_BAD_PARAM', ['tz', `"${timeZone}" is not an IANA time zone`]);
  return { name, from, to, groupBy, timeZone, tickets: raw.tickets === true };
}
