import { TriageError } from '../../errors/triage-error.js';
import { WEEKDAYS, type Calendar } from './calendar.js';
import { zoneOffsets, type OffsetSource } from './zone-offset.js';

/** A half-open stretch of time [start, end). */
export interface Interval {
  start: Date;
  end: Date;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** A calendar with no open time in this long has none at all (no hours, or every day a holiday). */
const SEARCH_LIMIT_MS = 10 * 366 * DAY;
/** The largest instant a Date can hold. */
const END_OF_TIME = 8.64e15;

/**
 * The due instant: the earliest t ≥ start such that the open, non-paused time
 * in [start, t) equals targetMs. A target reached exactly at closing time is
 * due at closing time (not at the next opening); a target of 0 is due at
 * start, open or not; a fractional target is due at the first whole millisecond
 * reaching it. Walks whole open intervals (day by day, never minute by
 * minute) and jumps over pauses. Throws TRIAGE_SLA_NO_OPEN_TIME when the
 * calendar has no open time for 10 years, TRIAGE_SLA_BAD_DURATION for a
 * negative or non-finite target.
 */
export function computeDue(calendar: Calendar, start: Date, targetMs: number, pauses: readonly Interval[] = []): Date {
  const startMs = instant(start, 'start');
  if (!Number.isFinite(targetMs) || targetMs < 0) throw new TriageError('TRIAGE_SLA_BAD_DURATION', [String(targetMs), 'the target must be a finite number of milliseconds ≥ 0']);
  let remaining = targetMs;
  if (remaining === 0) return new Date(startMs);
  const stops = normalizePauses(pauses, startMs);
  let p = 0;
  let t = startMs;
  for (;;) {
    while (p < stops.length && (stops[p]?.[1] ?? 0) <= t) p++;
    const pause = stops[p];
    if (pause !== undefined && pause[0] <= t) {
      t = pause[1];
      continue;
    }
    const open = nextOpenInterval(calendar, t, t + SEARCH_LIMIT_MS);
    if (open === undefined) throw noOpenTime(calendar, t);
    const [s, e] = open;
    if (pause !== undefined && pause[0] <= s) {
      // The next pause starts before this open stretch: continue from the stretch's start, where the pause either still runs (jump to its end) or is over.
      t = s;
      continue;
    }
    const usableEnd = pause !== undefined ? Math.min(e, pause[0]) : e;
    const length = usableEnd - s;
    // ceil: a fractional target (e.g. 75 % of 15 min) is due at the first whole millisecond that reaches it.
    if (remaining <= length) return new Date(Math.ceil(s + remaining));
    remaining -= length;
    t = usableEnd;
  }
}

/** Milliseconds of open, non-paused time in [from, to); 0 when to ≤ from. */
export function openTimeBetween(calendar: Calendar, from: Date, to: Date, pauses: readonly Interval[] = []): number {
  const fromMs = instant(from, 'from');
  const toMs = instant(to, 'to');
  if (toMs <= fromMs) return 0;
  const stops = normalizePauses(pauses, fromMs);
  let p = 0;
  let total = 0;
  let t = fromMs;
  while (t < toMs) {
    const open = nextOpenInterval(calendar, t, toMs);
    if (open === undefined) break;
    const [s, e] = open;
    const end = Math.min(e, toMs);
    // Subtract the pauses overlapping [s, end).
    let covered = s;
    let length = 0;
    while (p < stops.length && (stops[p]?.[1] ?? 0) <= s) p++;
    for (let q = p; q < stops.length; q++) {
      const [ps, pe] = stops[q] ?? [0, 0];
      if (ps >= end) break;
      if (ps > covered) length += ps - covered;
      covered = Math.max(covered, pe);
      if (covered >= end) break;
    }
    if (covered < end) length += end - covered;
    total += length;
    t = end;
  }
  return total;
}

/**
 * The first open stretch [s, e) with t ≤ s < until, clipped to start at t;
 * undefined when there is none before `until`. The stretch may end early at a
 * day or an offset change; callers simply ask again from its end.
 *
 * Within a stretch of constant UTC offset (luxon tells the offset and where it
 * changes), local wall-clock time runs in step with real time, so the open
 * ranges of each local day map to real instants by a shift. That makes DST
 * exact: the skipped spring hour has no instants at all, and the repeated
 * autumn hour is met twice, once per offset.
 */
export function nextOpenInterval(calendar: Calendar, t: number, until: number): [number, number] | undefined {
  if (calendar.alwaysOpen) return t < until ? [t, END_OF_TIME] : undefined;
  if (!hasOpenHours(calendar)) return undefined;
  const zone = zoneOf(calendar);
  let a = t;
  while (a < until) {
    const offset = zone.offset(a);
    // One local day per step at most, cut at the next offset change.
    let b = a + DAY;
    if (zone.offset(b) !== offset) b = firstOffsetChange(zone, a, b, offset);
    const wallA = a + offset * MINUTE; // local wall-clock time of `a`, written as if it were UTC
    const wallB = wallA + (b - a);
    for (let day = Math.floor(wallA / DAY) * DAY; day < wallB; day += DAY) {
      const date = new Date(day);
      if (calendar.holidays.has(date.toISOString().slice(0, 10))) continue;
      const weekday = WEEKDAYS[(date.getUTCDay() + 6) % 7] ?? 'mon';
      for (const range of calendar.hours[weekday]) {
        const s = Math.max(day + range.startMinute * MINUTE, wallA);
        const e = Math.min(day + range.endMinute * MINUTE, wallB);
        if (s < e) {
          const start = a + (s - wallA);
          return start < until ? [start, a + (e - wallA)] : undefined;
        }
      }
    }
    a = b;
  }
  return undefined;
}

function hasOpenHours(calendar: Calendar): boolean {
  return WEEKDAYS.some((day) => calendar.hours[day].length > 0);
}

/** Binary search for the first instant in (lo, hi] whose offset differs from `offset` (the offset at lo). */
function firstOffsetChange(zone: OffsetSource, lo: number, hi: number, offset: number): number {
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offset(mid) === offset) lo = mid;
    else hi = mid;
  }
  return hi;
}

function zoneOf(calendar: Calendar): OffsetSource {
  return zoneOffsets(calendar.timezone);
}

/** Pauses as sorted, merged [start, end) pairs in ms that end after `from`; empty ones are dropped. */
function normalizePauses(pauses: readonly Interval[], from: number): [number, number][] {
  const list = pauses
    .map((p, i): [number, number] => [instant(p.start, `pauses[${i}].start`), instant(p.end, `pauses[${i}].end`)])
    .filter(([s, e]) => e > s && e > from)
    .sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of list) {
    const last = merged[merged.length - 1];
    if (last !== undefined && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

function instant(d: Date, what: string): number {
  const ms = d instanceof Date ? d.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new TriageError('TRIAGE_SLA_BAD_INSTANT', [what, String(d), 'not a valid date']);
  return ms;
}

function noOpenTime(calendar: Calendar, from: number): TriageError {
  return new TriageError('TRIAGE_SLA_NO_OPEN_TIME', [calendar.name, new Date(from).toISOString(), new Date(Math.min(from + SEARCH_LIMIT_MS, END_OF_TIME)).toISOString()]);
}
