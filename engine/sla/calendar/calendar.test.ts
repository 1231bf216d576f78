import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TriageError } from '../../errors/triage-error.js';
import { ALWAYS_OPEN_UTC, parseCalendar } from './calendar.js';
import { loadCalendarFile } from './load-calendar-file.js';

function problemOf(data: unknown): string {
  try {
    parseCalendar(data, 'cal.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(TriageError);
    expect((e as TriageError).code).toBe('TRIAGE_SLA_CALENDAR_INVALID');
    return (e as TriageError).message;
  }
  throw new Error('expected the calendar to be refused');
}

describe('parseCalendar', () => {
  it('builds sorted ranges per weekday; missing weekdays are closed', () => {
    const c = parseCalendar({ timezone: 'Europe/Warsaw', hours: { tue: ['13:00-17:00', '08:00-12:00'], sat: ['22:00-24:00'] }, holidays: ['2026-12-24'] }, 'rules/sla/office.yaml');
    expect(c.name).toBe('office');
    expect(c.timezone).toBe('Europe/Warsaw');
    expect(c.alwaysOpen).toBe(false);
    expect(c.hours.tue).toEqual([
      { startMinute: 480, endMinute: 720 },
      { startMinute: 780, endMinute: 1020 },
    ]);
    expect(c.hours.sat).toEqual([{ startMinute: 1320, endMinute: 1440 }]);
    expect(c.hours.mon).toEqual([]);
    expect(c.holidays.has('2026-12-24')).toBe(true);
    expect(c.holidays.has('2026-12-23')).toBe(false);
  });

  it('expands holidayCountry to public holidays only, in any year', () => {
    const c = parseCalendar({ timezone: 'Europe/Warsaw', hours: { mon: ['08:00-16:00'] }, holidayCountry: 'PL' }, 'pl.yaml');
    expect(c.holidays.has('2026-11-11')).toBe(true); // Independence Day
    expect(c.holidays.has('2026-12-24')).toBe(true); // Wigilia, a public holiday from 2025
    expect(c.holidays.has('2031-05-03')).toBe(true);
    expect(c.holidays.has('2026-02-14')).toBe(false); // an observance, not a day off
    expect(c.holidays.has('2026-11-12')).toBe(false);
    const by = parseCalendar({ timezone: 'Europe/Berlin', hours: { mon: ['08:00-16:00'] }, holidayCountry: 'DE-BY' }, 'by.yaml');
    expect(by.holidays.has('2026-01-06')).toBe(true); // Epiphany: Bavaria only
  });

  it('alwaysOpen keeps the zone and is open every day', () => {
    const c = parseCalendar({ timezone: 'Europe/Warsaw', alwaysOpen: true }, '24x7.yaml');
    expect(c).toMatchObject({ name: '24x7', timezone: 'Europe/Warsaw', alwaysOpen: true });
    expect(c.hours.sun).toEqual([{ startMinute: 0, endMinute: 1440 }]);
    expect(ALWAYS_OPEN_UTC).toMatchObject({ name: 'always-open', timezone: 'UTC', alwaysOpen: true });
  });

  it.each([
    { name: 'unknown zone', data: { timezone: 'Europe/Warsawa', hours: { mon: ['08:00-16:00'] } }, message: 'timezone "Europe/Warsawa" is not an IANA time zone' },
    { name: 'end before start', data: { timezone: 'UTC', hours: { mon: ['16:00-08:00'] } }, message: 'hours.mon.0 "16:00-08:00" ends before it starts (a night shift is two ranges' },
    { name: 'empty range', data: { timezone: 'UTC', hours: { mon: ['08:00-08:00'] } }, message: 'hours.mon.0 "08:00-08:00" ends before it starts' },
    { name: '24:00 as a start', data: { timezone: 'UTC', hours: { mon: ['24:00-24:00'] } }, message: 'hours.mon.0 must match pattern' },
    { name: 'bad time', data: { timezone: 'UTC', hours: { mon: ['8:00-16:00'] } }, message: 'hours.mon.0 must match pattern' },
    { name: 'overlap', data: { timezone: 'UTC', hours: { tue: ['08:00-12:30', '12:00-17:00'] } }, message: 'hours.tue.1 "12:00-17:00" overlaps "08:00-12:30"' },
    { name: 'unknown weekday', data: { timezone: 'UTC', hours: { monday: ['08:00-16:00'] } }, message: 'hours must NOT have additional properties "monday"' },
    { name: 'invalid date', data: { timezone: 'UTC', hours: { mon: ['08:00-16:00'] }, holidays: ['2026-02-30'] }, message: 'holidays.0 "2026-02-30" is not a calendar date' },
    { name: 'unknown country', data: { timezone: 'UTC', hours: { mon: ['08:00-16:00'] }, holidayCountry: 'XX' }, message: 'holidayCountry "XX" is not a country' },
    { name: 'no hours at all', data: { timezone: 'UTC' }, message: '(root) needs hours (open ranges per weekday) or alwaysOpen: true' },
    { name: 'no open range', data: { timezone: 'UTC', hours: {} }, message: 'hours has no open range on any weekday' },
    { name: 'alwaysOpen with hours', data: { timezone: 'UTC', alwaysOpen: true, hours: { mon: ['08:00-16:00'] } }, message: 'hours is not allowed with alwaysOpen: true' },
    { name: 'not an object', data: 'UTC', message: '(root) must be object' },
  ])('refuses $name', ({ data, message }) => {
    expect(problemOf(data)).toContain(message);
  });

  it('lists every problem at once', () => {
    const message = problemOf({ timezone: 'Mars/Olympus', hours: { mon: ['10:00-09:00'] }, holidays: ['2026-13-01'] });
    expect(message).toMatch(/^Calendar cal\.yaml is invalid: timezone .*; hours\.mon\.0 .*; holidays\.0 /);
  });
});

describe('loadCalendarFile', () => {
  const dir = mkdtemp(join(tmpdir(), 'triage-calendar-'));

  it('reads YAML and JSON, named after the file', async () => {
    const yaml = join(await dir, 'office.yaml');
    await writeFile(yaml, 'timezone: Europe/Warsaw\nhours:\n  mon: ["08:00-16:00"]\n');
    expect(await loadCalendarFile(yaml)).toMatchObject({ name: 'office', timezone: 'Europe/Warsaw', hours: { mon: [{ startMinute: 480, endMinute: 960 }] } });
    const json = join(await dir, 'follow-the-sun.json');
    await writeFile(json, '{ "timezone": "UTC", "alwaysOpen": true }');
    expect(await loadCalendarFile(json)).toMatchObject({ name: 'follow-the-sun', alwaysOpen: true });
  });

  it('names file:line:col for each problem', async () => {
    const file = join(await dir, 'broken.yaml');
    await writeFile(file, 'timezone: Europe/Warsaw\nhours:\n  mon: ["08:00-16:00"]\n  tue: ["08:00-12:00", "11:00-17:00"]\nholidays: ["2026-02-30"]\n');
    await expect(loadCalendarFile(file)).rejects.toMatchObject({
      code: 'TRIAGE_SLA_CALENDAR_INVALID',
      message: `Calendar ${file} is invalid: ${file}:4:24 hours.tue.1 "11:00-17:00" overlaps "08:00-12:00"; ${file}:5:12 holidays.0 "2026-02-30" is not a calendar date`,
    });
  });

  it('reports YAML syntax errors and unreadable files with the code', async () => {
    const file = join(await dir, 'syntax.yaml');
    await writeFile(file, 'timezone: [UTC\n');
    await expect(loadCalendarFile(file)).rejects.toMatchObject({ code: 'TRIAGE_SLA_CALENDAR_INVALID', message: expect.stringContaining(`${file}:`) as unknown });
    await expect(loadCalendarFile(join(await dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'TRIAGE_SLA_CALENDAR_INVALID', message: expect.stringContaining('cannot read it') as unknown });
  });

  it('loads the shipped calendars', async () => {
    expect(await loadCalendarFile('rules/default/sla/calendars/business.yaml')).toMatchObject({ name: 'business', timezone: 'Europe/Warsaw', alwaysOpen: false });
    expect(await loadCalendarFile('rules/default/sla/calendars/24x7.yaml')).toMatchObject({ name: '24x7', alwaysOpen: true });
  });
});
