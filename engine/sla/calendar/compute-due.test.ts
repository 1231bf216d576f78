import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ALWAYS_OPEN_UTC, parseCalendar, WEEKDAYS, type Calendar } from './calendar.js';
import { computeDue, openTimeBetween, type Interval } from './compute-due.js';

const MIN = 60_000;
const H = 60 * MIN;
const WORKDAYS = ['08:00-16:00'];

const cal = (name: string, data: Record<string, unknown>): Calendar => parseCalendar(data, `${name}.yaml`);
const business = cal('business', { timezone: 'Europe/Warsaw', hours: { mon: WORKDAYS, tue: WORKDAYS, wed: WORKDAYS, thu: WORKDAYS, fri: WORKDAYS }, holidayCountry: 'PL' });
const warsaw24 = cal('warsaw-24', { timezone: 'Europe/Warsaw', hours: Object.fromEntries(WEEKDAYS.map((d) => [d, ['00:00-24:00']])) });
const dstHour = cal('dst-hour', { timezone: 'Europe/Warsaw', hours: { sun: ['02:00-03:00'] } });
// A weekend night shift written as two ranges: Saturday 22:00 to Sunday 06:00.
const nightShift = cal('night', { timezone: 'Europe/Warsaw', hours: { sat: ['22:00-24:00'], sun: ['00:00-06:00'] } });
const split = cal('split', { timezone: 'UTC', hours: { tue: ['13:00-17:00', '08:00-12:00'] } });
const kolkata = cal('kolkata', { timezone: 'Asia/Kolkata', hours: { mon: ['09:00-17:00'], tue: ['09:00-17:00'], wed: ['09:00-17:00'], thu: ['09:00-17:00'], fri: ['09:00-17:00'] } });
const adelaide = cal('adelaide', { timezone: 'Australia/Adelaide', hours: { mon: ['09:00-17:00'], tue: ['09:00-17:00'], wed: ['09:00-17:00'], thu: ['09:00-17:00'], fri: ['09:00-17:00'] } });
// Explicit company holiday on a Friday and a Monday, next to the weekend.
const bridge = cal('bridge', { timezone: 'UTC', hours: { mon: WORKDAYS, tue: WORKDAYS, wed: WORKDAYS, thu: WORKDAYS, fri: WORKDAYS }, holidays: ['2026-06-05', '2026-06-08'] });

const d = (iso: string): Date => new Date(iso);
const pause = (start: string, end: string): Interval => ({ start: d(start), end: d(end) });

interface Case {
  name: string;
  calendar: Calendar;
  from: string;
  target: number;
  pauses?: Interval[];
  due: string;
}

// Local times in comments are Europe/Warsaw unless said otherwise (CET = UTC+1, CEST = UTC+2).
const cases: Case[] = [
  { name: 'inside open hours', calendar: business, from: '2026-12-01T08:00:00Z', target: 30 * MIN, due: '2026-12-01T08:30:00.000Z' },
  { name: 'start before opening (Tue 06:00 → opens 08:00)', calendar: business, from: '2026-12-01T05:00:00Z', target: 1 * H, due: '2026-12-01T08:00:00.000Z' },
  { name: '1 business day (8 h) from Friday 15:00 → Monday 15:00', calendar: business, from: '2026-11-27T14:00:00Z', target: 8 * H, due: '2026-11-30T14:00:00.000Z' },
  { name: 'target reached exactly at closing time is due at closing time', calendar: business, from: '2026-12-01T14:00:00Z', target: 1 * H, due: '2026-12-01T15:00:00.000Z' },
  { name: 'whole day exactly: 8 h from opening ends at closing', calendar: business, from: '2026-12-01T07:00:00Z', target: 8 * H, due: '2026-12-01T15:00:00.000Z' },
  { name: 'one minute past closing rolls to next opening', calendar: business, from: '2026-12-01T14:00:00Z', target: 61 * MIN, due: '2026-12-02T07:01:00.000Z' },
  { name: 'target 0 is due at start, even when closed (Saturday)', calendar: business, from: '2026-11-28T12:34:56.789Z', target: 0, due: '2026-11-28T12:34:56.789Z' },
  { name: 'holidayCountry PL: 2026-11-11 (Wednesday) is closed', calendar: business, from: '2026-11-10T14:30:00Z', target: 1 * H, due: '2026-11-12T07:30:00.000Z' },
  { name: 'holidays next to the weekend: Wigilia/Christmas Thu–Fri, then Sat–Sun', calendar: business, from: '2026-12-23T14:00:00Z', target: 2 * H, due: '2026-12-28T08:00:00.000Z' },
  { name: 'explicit holidays Friday and Monday around a weekend', calendar: bridge, from: '2026-06-04T15:00:00Z', target: 2 * H, due: '2026-06-09T09:00:00.000Z' },
  { name: 'Easter Monday (PL public) after the weekend: Fri 15:00 CEST + 3 h → Tue 10:00 CEST', calendar: business, from: '2026-04-03T13:00:00Z', target: 3 * H, due: '2026-04-07T08:00:00.000Z' },
  { name: 'split shift: 11:00 + 2 h skips the lunch break', calendar: split, from: '2026-12-01T11:00:00Z', target: 2 * H, due: '2026-12-01T14:00:00.000Z' },
  { name: 'split shift: reached exactly at the start of the break', calendar: split, from: '2026-12-01T11:00:00Z', target: 1 * H, due: '2026-12-01T12:00:00.000Z' },
  { name: 'split shift: start in the break', calendar: split, from: '2026-12-01T12:30:00Z', target: 30 * MIN, due: '2026-12-01T13:30:00.000Z' },
  { name: 'split shift: overflows to next Tuesday', calendar: split, from: '2026-12-01T16:00:00Z', target: 2 * H, due: '2026-12-08T09:00:00.000Z' },
  {
    name: 'pause overlapping closed hours (Mon 16:30 – Tue 10:00 local)',
    calendar: business,
    from: '2026-11-30T14:00:00Z',
    target: 2 * H,
    pauses: [pause('2026-11-30T14:30:00Z', '2026-12-01T09:00:00Z')],
    due: '2026-12-01T10:30:00.000Z',
  },
  {
    name: 'pause entirely in closed hours changes nothing',
    calendar: business,
    from: '2026-11-30T14:00:00Z',
    target: 2 * H,
    pauses: [pause('2026-11-30T18:00:00Z', '2026-12-01T06:00:00Z')],
    due: '2026-12-01T08:00:00.000Z',
  },
  {
    name: 'pause starting before the start and overlapping pauses',
    calendar: business,
    from: '2026-12-01T08:00:00Z',
    target: 1 * H,
    pauses: [pause('2026-12-01T06:00:00Z', '2026-12-01T08:30:00Z'), pause('2026-12-01T08:15:00Z', '2026-12-01T09:00:00Z'), pause('2026-12-01T09:10:00Z', '2026-12-01T09:20:00Z')],
    due: '2026-12-01T10:10:00.000Z',
  },
  { name: 'always-open: real time', calendar: ALWAYS_OPEN_UTC, from: '2026-03-28T23:00:00Z', target: 4 * H, due: '2026-03-29T03:00:00.000Z' },
  {
    name: 'always-open with a pause',
    calendar: ALWAYS_OPEN_UTC,
    from: '2026-12-01T00:00:00Z',
    target: 4 * H,
    pauses: [pause('2026-12-01T01:00:00Z', '2026-12-03T01:00:00Z')],
    due: '2026-12-03T04:00:00.000Z',
  },
  // DST, spring forward: 2026-03-29 02:00 CET → 03:00 CEST (01:00Z).
  { name: 'DST spring, 24h calendar: 24 h of open time is 24 h of real time', calendar: warsaw24, from: '2026-03-28T23:00:00Z', target: 24 * H, due: '2026-03-29T23:00:00.000Z' },
  { name: 'DST spring: the skipped 02:00–03:00 contains no minutes', calendar: dstHour, from: '2026-03-28T00:00:00Z', target: 1 * H, due: '2026-04-05T01:00:00.000Z' },
  { name: 'DST spring, night shift Sat 22:00 – Sun 06:00 has 7 real hours', calendar: nightShift, from: '2026-03-28T20:00:00Z', target: 7 * H, due: '2026-03-29T04:00:00.000Z' },
  { name: 'DST spring, night shift: the 8th hour is next Saturday', calendar: nightShift, from: '2026-03-28T20:00:00Z', target: 8 * H, due: '2026-04-04T21:00:00.000Z' },
  { name: 'DST spring, night shift: 01:59 local + 1 min is 03:00 CEST', calendar: nightShift, from: '2026-03-29T00:59:00Z', target: 1 * MIN, due: '2026-03-29T01:00:00.000Z' },
  // DST, fall back: 2026-10-25 03:00 CEST → 02:00 CET (01:00Z).
  { name: 'DST autumn: the repeated 02:00–03:00 contains both hours', calendar: dstHour, from: '2026-10-24T00:00:00Z', target: 2 * H, due: '2026-10-25T02:00:00.000Z' },
  { name: 'DST autumn: 90 min reaches into the second 02:xx', calendar: dstHour, from: '2026-10-24T00:00:00Z', target: 90 * MIN, due: '2026-10-25T01:30:00.000Z' },
  { name: 'DST autumn, night shift Sat 22:00 – Sun 06:00 has 9 real hours', calendar: nightShift, from: '2026-10-24T20:00:00Z', target: 9 * H, due: '2026-10-25T05:00:00.000Z' },
  { name: 'DST autumn, 24h calendar', calendar: warsaw24, from: '2026-10-24T22:00:00Z', target: 25 * H, due: '2026-10-25T23:00:00.000Z' },
  { name: 'DST autumn, business hours: Friday 15:00 CEST + 2 h → Monday 09:00 CET', calendar: business, from: '2026-10-23T13:00:00Z', target: 2 * H, due: '2026-10-26T08:00:00.000Z' },
  // Half-hour zones.
  { name: 'Asia/Kolkata (UTC+05:30): 08:30 IST + 1 h → 10:00 IST', calendar: kolkata, from: '2026-11-30T03:00:00Z', target: 1 * H, due: '2026-11-30T04:30:00.000Z' },
  { name: 'Asia/Kolkata: Friday 16:30 IST + 1 h → Monday 09:30 IST', calendar: kolkata, from: '2026-11-27T11:00:00Z', target: 1 * H, due: '2026-11-30T04:00:00.000Z' },
  { name: 'Australia/Adelaide: across the end of DST (+10:30 → +09:30)', calendar: adelaide, from: '2026-04-03T05:30:00Z', target: 2 * H, due: '2026-04-06T00:30:00.000Z' },
  { name: 'Australia/Adelaide: across the start of DST (Fri 16:30 +09:30 → Mon 09:30 +10:30)', calendar: adelaide, from: '2026-10-02T07:00:00Z', target: 1 * H, due: '2026-10-04T23:00:00.000Z' },
];

describe('computeDue', () => {
  it.each(cases)('$name', ({ calendar, from, target, pauses, due }) => {
    const got = computeDue(calendar, d(from), target, pauses);
    expect(got.toISOString()).toBe(due);
    // The same answer from the other direction: exactly the target of open time lies in [from, due).
    expect(openTimeBetween(calendar, d(from), got, pauses)).toBe(target);
  });

  it('refuses a negative or non-finite target with a coded error', () => {
    expect(() => computeDue(business, d('2026-12-01T08:00:00Z'), -1)).toThrow(expect.objectContaining({ code: 'TRIAGE_SLA_BAD_DURATION' }));
    expect(() => computeDue(business, d('2026-12-01T08:00:00Z'), Number.NaN)).toThrow(expect.objectContaining({ code: 'TRIAGE_SLA_BAD_DURATION' }));
  });

  it('a fractional target is due at the first whole millisecond reaching it', () => {
    expect(computeDue(ALWAYS_OPEN_UTC, d('2026-12-01T08:00:00Z'), 1000.5).toISOString()).toBe('2026-12-01T08:00:01.001Z');
  });

  it('refuses an invalid start', () => {
    expect(() => computeDue(business, new Date('nope'), H)).toThrow(expect.objectContaining({ code: 'TRIAGE_SLA_BAD_INSTANT' }));
  });

  it('gives up with TRIAGE_SLA_NO_OPEN_TIME on a calendar without open time', () => {
    const closed: Calendar = { ...business, name: 'closed', hours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } };
    expect(() => computeDue(closed, d('2026-12-01T08:00:00Z'), H)).toThrow(expect.objectContaining({ code: 'TRIAGE_SLA_NO_OPEN_TIME', message: expect.stringContaining('closed') as unknown }));
    expect(openTimeBetween(closed, d('2026-01-01T00:00:00Z'), d('2027-01-01T00:00:00Z'))).toBe(0);
  });

  it('gives up after 10 years when every open day is a holiday', () => {
    const allHolidays: Calendar = { ...split, name: 'always-on-holiday', holidays: { has: () => true } as unknown as ReadonlySet<string> };
    expect(() => computeDue(allHolidays, d('2026-12-01T08:00:00Z'), H)).toThrow(
      expect.objectContaining({ code: 'TRIAGE_SLA_NO_OPEN_TIME', message: expect.stringMatching(/always-on-holiday .*2026-12-01T08:00:00\.000Z and 2036-/) as unknown }),
    );
  });

  it('a long pause is jumped over, not walked', () => {
    const due = computeDue(business, d('2026-12-01T08:00:00Z'), H, [pause('2026-12-01T08:30:00Z', '2126-12-01T00:00:00Z')]);
    // 2126-12-01 is a Sunday: the remaining 30 min run from Monday 08:00 CET.
    expect(due.toISOString()).toBe('2126-12-02T07:30:00.000Z');
  });
});

describe('openTimeBetween', () => {
  it.each([
    { name: 'a business week', calendar: business, from: '2026-11-30T00:00:00Z', to: '2026-12-07T00:00:00Z', open: 40 * H },
    { name: 'the week of 2026-11-11 (one holiday)', calendar: business, from: '2026-11-09T00:00:00Z', to: '2026-11-16T00:00:00Z', open: 32 * H },
    { name: 'the DST spring day has 23 h', calendar: warsaw24, from: '2026-03-28T23:00:00Z', to: '2026-03-29T22:00:00Z', open: 23 * H },
    { name: 'the DST autumn day has 25 h', calendar: warsaw24, from: '2026-10-24T22:00:00Z', to: '2026-10-25T23:00:00Z', open: 25 * H },
    { name: 'empty when to ≤ from', calendar: business, from: '2026-12-01T10:00:00Z', to: '2026-12-01T09:00:00Z', open: 0 },
    { name: 'all of 2026 on the business calendar (253 working days)', calendar: business, from: '2025-12-31T23:00:00Z', to: '2026-12-31T23:00:00Z', open: 253 * 8 * H },
  ])('$name', ({ calendar, from, to, open }) => {
    expect(openTimeBetween(calendar, d(from), d(to))).toBe(open);
  });

  it('subtracts pauses, counting overlapping pauses once', () => {
    const open = openTimeBetween(business, d('2026-12-01T07:00:00Z'), d('2026-12-01T15:00:00Z'), [pause('2026-12-01T08:00:00Z', '2026-12-01T10:00:00Z'), pause('2026-12-01T09:00:00Z', '2026-12-01T11:00:00Z')]);
    expect(open).toBe(5 * H);
  });
});

/**
 * Property test with a fixed seed (reproducible): random calendars, starts,
 * targets and pauses. For each: exactly the target of open time lies in
 * [start, due), and due is minimal (1 ms earlier is not enough). For
 * minute-aligned cases an independent oracle counts open minutes one by one
 * from luxon's own local date/time of each minute, so the interval walk
 * (offset segments) is checked against plain wall-clock reading.
 */
describe('computeDue properties', () => {
  const calendars = [business, warsaw24, dstHour, nightShift, split, kolkata, adelaide, bridge, ALWAYS_OPEN_UTC];
  const seeded = (seed: number) => (): number => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const random = seeded(20261129);
  const int = (n: number): number => Math.floor(random() * n);
  // Starts around both 2026 DST changes and across the year.
  const anchors = [Date.parse('2026-03-27T00:00:00Z'), Date.parse('2026-10-23T00:00:00Z'), Date.parse('2026-04-01T00:00:00Z'), Date.parse('2026-12-20T00:00:00Z')];

  it('openTimeBetween(start, computeDue(start, t)) === t, and due is minimal', () => {
    for (let i = 0; i < 400; i++) {
      const calendar = calendars[int(calendars.length)] ?? business;
      const start = new Date((anchors[int(anchors.length)] ?? 0) + int(10 * 24 * 60) * MIN + (i % 2 === 0 ? 0 : int(60_000)));
      const target = int(4) === 0 ? int(60) * MIN + int(1000) : int(40 * 60) * MIN;
      const pauses: Interval[] = [];
      for (let k = int(3); k > 0; k--) {
        const s = start.getTime() + int(6 * 24 * 60) * MIN - 12 * H;
        pauses.push({ start: new Date(s), end: new Date(s + int(48 * 60) * MIN) });
      }
      const due = computeDue(calendar, start, target, pauses);
      const context = `${calendar.name} ${start.toISOString()} +${target}ms pauses ${JSON.stringify(pauses)} → ${due.toISOString()}`;
      expect(due.getTime(), context).toBeGreaterThanOrEqual(start.getTime());
      expect(openTimeBetween(calendar, start, due, pauses), context).toBe(target);
      if (target > 0) expect(openTimeBetween(calendar, start, new Date(due.getTime() - 1), pauses), context).toBe(target - 1);
    }
  });

  it('agrees with a minute-by-minute oracle reading luxon wall-clock times', () => {
    const isOpen = (calendar: Calendar, ms: number): boolean => {
      if (calendar.alwaysOpen) return true;
      const local = DateTime.fromMillis(ms, { zone: calendar.timezone });
      if (calendar.holidays.has(local.toISODate() ?? '')) return false;
      const minute = local.hour * 60 + local.minute;
      const weekday = WEEKDAYS[local.weekday - 1] ?? 'mon';
      return calendar.hours[weekday].some((r) => minute >= r.startMinute && minute < r.endMinute);
    };
    for (let i = 0; i < 24; i++) {
      const calendar = calendars[i % calendars.length] ?? business;
      const start = (anchors[int(2)] ?? 0) + int(3 * 24 * 60) * MIN;
      const targetMinutes = int(6 * 60);
      const due = computeDue(calendar, new Date(start), targetMinutes * MIN).getTime();
      let open = 0;
      let lastOpen = -1;
      for (let t = start; t < due; t += MIN) {
        if (isOpen(calendar, t)) {
          open++;
          lastOpen = t;
        }
      }
      const context = `${calendar.name} ${new Date(start).toISOString()} +${targetMinutes}min → ${new Date(due).toISOString()}`;
      expect(open, context).toBe(targetMinutes);
      // Minimal: the last minute before due is an open one (or the target is 0 and due = start).
      if (targetMinutes > 0) expect(lastOpen, context).toBe(due - MIN);
      else expect(due, context).toBe(start);
    }
  });
});
