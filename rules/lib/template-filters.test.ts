import { afterEach, describe, expect, it } from 'vitest';
import { configurePrivacy } from '../../engine/privacy/privacy-settings.js';
import { formatDatePl, TEMPLATE_FILTERS, toDate, weekdayPl } from './template-filters.js';

const call = (name: string, ...args: unknown[]): unknown => (TEMPLATE_FILTERS[name] as (...a: unknown[]) => unknown)(...args);

afterEach(() => configurePrivacy());

describe('Polish date filters', () => {
  it('formats in Europe/Warsaw by default, winter and summer time', () => {
    expect(formatDatePl(new Date('2026-01-05T09:00:00Z'))).toBe('5 stycznia 2026, 10:00');
    expect(formatDatePl(new Date('2026-07-31T21:59:00Z'))).toBe('31 lipca 2026, 23:59');
    expect(formatDatePl(new Date('2026-07-31T22:00:00Z'))).toBe('1 sierpnia 2026, 00:00');
    expect(formatDatePl(new Date('2026-10-25T00:30:00Z'), 'time')).toBe('02:30');
    expect(formatDatePl(new Date('2026-10-25T01:30:00Z'), 'time')).toBe('02:30');
  });

  it('uses genitive month names for every month', () => {
    const months = Array.from({ length: 12 }, (_, m) => formatDatePl(new Date(Date.UTC(2026, m, 15, 12)), 'date').split(' ')[1]);
    expect(months).toEqual(['stycznia', 'lutego', 'marca', 'kwietnia', 'maja', 'czerwca', 'lipca', 'sierpnia', 'września', 'października', 'listopada', 'grudnia']);
  });

  it('names weekdays in lower case, in the chosen time zone', () => {
    const week = Array.from({ length: 7 }, (_, d) => weekdayPl(new Date(Date.UTC(2026, 0, 5 + d, 12))));
    expect(week).toEqual(['poniedziałek', 'wtorek', 'środa', 'czwartek', 'piątek', 'sobota', 'niedziela']);
    expect(weekdayPl(new Date('2026-01-04T23:30:00Z'))).toBe('poniedziałek');
    expect(weekdayPl(new Date('2026-01-04T23:30:00Z'), 'UTC')).toBe('niedziela');
  });

  it('date_pl takes a style and a time zone; weekday_pl a time zone', () => {
    const t = '2026-01-05T09:00:00.000Z';
    expect(call('date_pl', t)).toBe('5 stycznia 2026, 10:00');
    expect(call('date_pl', t, 'date')).toBe('5 stycznia 2026');
    expect(call('date_pl', t, 'time', 'UTC')).toBe('09:00');
    expect(call('date_pl', t, 'unknown-style')).toBe('5 stycznia 2026, 10:00');
    expect(call('weekday_pl', t, 'America/New_York')).toBe('poniedziałek');
    expect(() => call('date_pl', t, 'date', 'No/Such_Zone')).toThrow(RangeError);
  });

  it('passes values that are not dates through, and nothing as nothing', () => {
    expect(call('date_pl', 'not a date')).toBe('not a date');
    expect(call('date_pl', undefined)).toBe('');
    expect(call('weekday_pl', null)).toBe('');
  });

  it('reads dates as Liquid does: Date, ISO text, epoch seconds, now', () => {
    expect(toDate('2026-01-05T09:00:00Z')?.toISOString()).toBe('2026-01-05T09:00:00.000Z');
    expect(toDate(1767603600)?.toISOString()).toBe('2026-01-05T09:00:00.000Z');
    expect(toDate('1767603600')?.toISOString()).toBe('2026-01-05T09:00:00.000Z');
    expect(toDate(new Date(0))?.getTime()).toBe(0);
    expect(toDate('now')).toBeInstanceOf(Date);
    expect(toDate('')).toBeUndefined();
    expect(toDate({})).toBeUndefined();
  });
});

describe('mask filter', () => {
  it('masks PII in strings, numbers and objects', () => {
    expect(call('mask', 'PESEL 44051401359')).toBe('PESEL *******1359');
    expect(call('mask', 44051401359)).toBe('*******1359');
    expect(call('mask', { iban: 'PL61109010140000071219812874' })).toBe('{"iban":"PL**********************2874"}');
    expect(call('mask', undefined)).toBe('');
  });

  it('uses the configured extra patterns', () => {
    configurePrivacy({ extraPatterns: ['KL-\\d{6}', '/pin:\\s*\\d{4}/i'] });
    expect(call('mask', 'klient KL-123456, PIN: 1234')).toBe('klient **-**3456, ***: ****');
  });
});

describe('date filters agree with Intl at every offset and transition', () => {
  // One formatter per zone: building an Intl.DateTimeFormat costs far more than formatting with it (the sweep
  // below took 8 s per zone with a new one per instant).
  const formatters = new Map<string, Intl.DateTimeFormat>();
  const intl = (date: Date, timeZone: string): string => {
    let format = formatters.get(timeZone);
    if (format === undefined) {
      format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
      formatters.set(timeZone, format);
    }
    const p = Object.fromEntries(format.formatToParts(date).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  };
  const ours = (date: Date, timeZone: string): string => {
    // formatDatePl's "5 stycznia 2026, 10:05" back to numbers, to compare field by field.
    const m = /^(\d+) (\S+) (\d+), (\d+):(\d+)$/.exec(formatDatePl(date, 'datetime', timeZone));
    if (m === null) throw new Error(`unexpected format for ${date.toISOString()}`);
    const months = ['stycznia', 'lutego', 'marca', 'kwietnia', 'maja', 'czerwca', 'lipca', 'sierpnia', 'września', 'października', 'listopada', 'grudnia'];
    return `${m[3]}-${months.indexOf(m[2] ?? '') + 1}-${Number(m[1])} ${Number(m[4])}:${Number(m[5])}`;
  };

  it.each(['Europe/Warsaw', 'Asia/Kolkata', 'Australia/Adelaide', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham', 'UTC'])('%s', (zone) => {
    // Every 37 minutes over two years: crosses each DST change several minutes before and after.
    const from = Date.UTC(2025, 0, 1);
    const differing: string[] = [];
    for (let t = from; t < from + 2 * 365 * 86_400_000; t += 37 * 60_000) {
      const d = new Date(t);
      const expected = intl(d, zone).replace(/\b0(\d)/g, '$1');
      const actual = ours(d, zone);
      if (actual !== expected) differing.push(`${d.toISOString()}: ${actual}, Intl ${expected}`);
    }
    expect(differing.length, `first differences:\n${differing.slice(0, 10).join('\n')}`).toBe(0);
  });

  it('keeps Intl for instants before 1972 and refuses an unknown zone', () => {
    const d = new Date('1960-06-01T12:00:00Z');
    expect(ours(d, 'Africa/Monrovia')).toBe(intl(d, 'Africa/Monrovia').replace(/\b0(\d)/g, '$1'));
    expect(() => formatDatePl(new Date(), 'datetime', 'Mars/Olympus')).toThrow(RangeError);
  });
});
