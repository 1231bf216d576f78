import { basename, extname } from 'node:path';
import { Ajv } from 'ajv';
import { IANAZone } from 'luxon';
import calendarSchema from '../../../schemas/sla-calendar.schema.json' with { type: 'json' };
import type { SlaCalendarFile } from '../../../schemas/types/sla-calendar.js';
import { TriageError } from '../../errors/triage-error.js';
import { HolidaySet, isKnownHolidayCountry, splitHolidayCountry } from './holiday-set.js';

/** Local minutes of the day, end exclusive; endMinute 1440 is "24:00". */
export interface OpenRange {
  startMinute: number;
  endMinute: number;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/**
 * When the SLA clock runs: weekly open ranges in local wall-clock time of an
 * IANA zone, minus holidays (local dates closed all day). An instant is open
 * when its local date is not a holiday and its local time of day falls in one
 * of that weekday's ranges; so a skipped DST hour contains no open time and a
 * repeated one counts twice. docs/sla.md.
 */
export interface Calendar {
  /** File base name, the policy's name for it, or 'always-open'. */
  readonly name: string;
  /** IANA zone the hours and holidays are in. */
  readonly timezone: string;
  /** Open every instant; `hours` is then every day 00:00-24:00 and holidays are empty. */
  readonly alwaysOpen: boolean;
  /** Sorted, non-overlapping ranges per weekday; a missing weekday is an empty list (closed). */
  readonly hours: Readonly<Record<Weekday, readonly OpenRange[]>>;
  /** Closed local dates 'YYYY-MM-DD': explicit ones plus the holidayCountry's public holidays (expanded per year on look-up). */
  readonly holidays: ReadonlySet<string>;
}

/** A place in the input and what is wrong there. */
export interface CalendarProblem {
  path: (string | number)[];
  message: string;
}

const FULL_DAY: readonly OpenRange[] = [{ startMinute: 0, endMinute: 1440 }];

export const ALWAYS_OPEN_UTC: Calendar = Object.freeze({
  name: 'always-open',
  timezone: 'UTC',
  alwaysOpen: true,
  hours: Object.freeze({ mon: FULL_DAY, tue: FULL_DAY, wed: FULL_DAY, thu: FULL_DAY, fri: FULL_DAY, sat: FULL_DAY, sun: FULL_DAY }),
  holidays: new Set<string>(),
});

const ajv = new Ajv({ allErrors: true, strict: false });
const validateSchema = ajv.compile<SlaCalendarFile>(calendarSchema);

export interface ParseCalendarOptions {
  /** The calendar's name; default: the base name of `source` without extension. */
  name?: string;
  /** Turns a problem's path into "line:col" for the message (file loaders pass their source map). */
  locate?: (path: (string | number)[]) => { line: number; column: number };
  /** The file `locate` positions are in; default `source` (a policy with inline calendars passes its own file). */
  file?: string;
}

/**
 * Validate calendar data (already parsed from YAML/JSON) and build the
 * Calendar. Throws TRIAGE_SLA_CALENDAR_INVALID listing every problem with its
 * path (and line:col when `locate` is given); `details` holds the problems.
 */
export function parseCalendar(data: unknown, source: string, options: ParseCalendarOptions = {}): Calendar {
  const problems = calendarProblems(data);
  if (problems.length > 0) {
    const text = problems
      .map((p) => {
        const at = options.locate?.(p.path);
        const where = at ? `${options.file ?? source}:${at.line}:${at.column} ` : '';
        return `${where}${p.path.length > 0 ? p.path.join('.') : '(root)'} ${p.message}`;
      })
      .join('; ');
    throw new TriageError('TRIAGE_SLA_CALENDAR_INVALID', [source, text], { details: problems });
  }
  const file = data as SlaCalendarFile;
  const name = options.name ?? basename(source, extname(source));
  const timezone = file.timezone;
  if (file.alwaysOpen === true) return Object.freeze({ ...ALWAYS_OPEN_UTC, name, timezone });
  const hours = {} as Record<Weekday, readonly OpenRange[]>;
  for (const day of WEEKDAYS) {
    hours[day] = Object.freeze((file.hours?.[day] ?? []).map(parseRange).sort((a, b) => a.startMinute - b.startMinute));
  }
  const country = file.holidayCountry === undefined ? undefined : splitHolidayCountry(file.holidayCountry);
  return Object.freeze({ name, timezone, alwaysOpen: false, hours: Object.freeze(hours), holidays: new HolidaySet(file.holidays ?? [], country) });
}

/** Every problem of calendar data: schema first, then what a schema cannot say (zone, dates, overlaps). */
export function calendarProblems(data: unknown): CalendarProblem[] {
  if (!validateSchema(data)) {
    return (validateSchema.errors ?? []).map((err) => {
      const path = err.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      const extra = err.keyword === 'additionalProperties' ? ` "${(err.params as { additionalProperty: string }).additionalProperty}"` : '';
      return { path, message: `${err.message ?? 'is invalid'}${extra}` };
    });
  }
  const problems: CalendarProblem[] = [];
  if (!IANAZone.isValidZone(data.timezone)) {
    problems.push({ path: ['timezone'], message: `"${data.timezone}" is not an IANA time zone (e.g. Europe/Warsaw, UTC)` });
  }
  if (data.alwaysOpen === true) {
    for (const key of ['hours', 'holidays', 'holidayCountry'] as const) {
      if (data[key] !== undefined) problems.push({ path: [key], message: 'is not allowed with alwaysOpen: true (a 24/7 calendar has no hours or holidays)' });
    }
    return problems;
  }
  if (data.hours === undefined) {
    problems.push({ path: [], message: 'needs hours (open ranges per weekday) or alwaysOpen: true' });
    return problems;
  }
  let anyOpen = false;
  for (const day of WEEKDAYS) {
    const texts = data.hours[day] ?? [];
    const ranges = texts.map((t, i) => ({ ...parseRange(t), index: i }));
    for (const r of ranges) {
      if (r.endMinute <= r.startMinute) problems.push({ path: ['hours', day, r.index], message: `"${texts[r.index] ?? ''}" ends before it starts (a night shift is two ranges: "22:00-24:00" and the next day's "00:00-06:00")` });
      else anyOpen = true;
    }
    const sorted = ranges.filter((r) => r.endMinute > r.startMinute).sort((a, b) => a.startMinute - b.startMinute);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1];
      const cur = sorted[i];
      if (prev && cur && cur.startMinute < prev.endMinute) {
        problems.push({ path: ['hours', day, cur.index], message: `"${texts[cur.index] ?? ''}" overlaps "${texts[prev.index] ?? ''}"` });
      }
    }
  }
  if (!anyOpen && problems.length === 0) problems.push({ path: ['hours'], message: 'has no open range on any weekday, so an SLA clock on it would never run' });
  (data.holidays ?? []).forEach((d, i) => {
    if (!isValidDate(d)) problems.push({ path: ['holidays', i], message: `"${d}" is not a calendar date` });
  });
  if (data.holidayCountry !== undefined && !isKnownHolidayCountry(data.holidayCountry)) {
    problems.push({ path: ['holidayCountry'], message: `"${data.holidayCountry}" is not a country (or region) known to date-holidays (e.g. PL, DE, DE-BY, US)` });
  }
  return problems;
}

function parseRange(text: string): OpenRange {
  const [start = '', end = ''] = text.split('-');
  return { startMinute: minuteOfDay(start), endMinute: minuteOfDay(end) };
}

function minuteOfDay(hhmm: string): number {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

function isValidDate(date: string): boolean {
  const t = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === date;
}
