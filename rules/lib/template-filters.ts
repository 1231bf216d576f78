import type { FilterImplOptions } from 'liquidjs';
import { privacySettings } from '../../engine/privacy/privacy-settings.js';
import { csatLink } from '../../engine/automations/csat-links.js';
import { QUARTER_HOUR_EXACT_FROM, zoneOffsets } from '../../engine/sla/calendar/zone-offset.js';

/**
 * The filters triage adds to Liquid (docs/templates.md): Polish dates and PII
 * masking. Pure functions of their input (and the clock for "now"), no I/O.
 */

/** Time zone of `date`, `date_pl` and `weekday_pl` unless the template names another. */
export const TEMPLATE_TIME_ZONE = 'Europe/Warsaw';

/** Genitive month names: "5 stycznia", never "5 styczeń". */
const MONTHS_PL = ['stycznia', 'lutego', 'marca', 'kwietnia', 'maja', 'czerwca', 'lipca', 'sierpnia', 'września', 'października', 'listopada', 'grudnia'] as const;
const WEEKDAYS_PL = ['niedziela', 'poniedziałek', 'wtorek', 'środa', 'czwartek', 'piątek', 'sobota'] as const;
const WEEKDAY_INDEX: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export type DatePlStyle = 'datetime' | 'date' | 'time';
const STYLES: readonly string[] = ['datetime', 'date', 'time'];

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Wall-clock fields of an instant in a time zone; throws RangeError for an
 * unknown zone. Arithmetic on the zone's offset (cached per quarter hour, see
 * zone-offset.ts) instead of Intl's formatToParts, which cost more than the
 * rest of an acknowledgement's rendering; Intl still answers for instants
 * before 1972, where offsets were not whole quarter hours.
 */
function wallClock(date: Date, timeZone: string): WallClock {
  const ms = date.getTime();
  if (ms >= QUARTER_HOUR_EXACT_FROM) {
    const local = new Date(ms + zoneOffsets(timeZone).offset(ms) * 60_000);
    return {
      year: local.getUTCFullYear(),
      month: local.getUTCMonth() + 1,
      day: local.getUTCDate(),
      hour: local.getUTCHours(),
      minute: local.getUTCMinutes(),
      weekday: local.getUTCDay(),
    };
  }
  return intlWallClock(date, timeZone);
}

function intlWallClock(date: Date, timeZone: string): WallClock {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(date).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAY_INDEX[parts.weekday ?? ''] ?? 0,
  };
}

/**
 * What the date filters accept, as Liquid's own `date` does: a Date, an ISO
 * string (facts carry times as ISO strings), "now"/"today", or a number of
 * seconds since the epoch. Undefined when the value is none of these.
 */
export function toDate(value: unknown): Date | undefined {
  let date: Date | undefined;
  if (value instanceof Date) date = value;
  else if (typeof value === 'number' && Number.isFinite(value)) date = new Date(value * 1000);
  else if (typeof value === 'string' && value.trim() !== '') {
    const s = value.trim();
    date = s === 'now' || s === 'today' ? new Date() : /^\d+$/.test(s) ? new Date(Number(s) * 1000) : new Date(s);
  }
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date;
}

/** "5 stycznia 2026, 10:00" (datetime), "5 stycznia 2026" (date) or "10:00" (time). */
export function formatDatePl(date: Date, style: DatePlStyle = 'datetime', timeZone: string = TEMPLATE_TIME_ZONE): string {
  const w = wallClock(date, timeZone);
  const day = `${w.day} ${MONTHS_PL[w.month - 1] ?? ''} ${w.year}`;
  const time = `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
  return style === 'date' ? day : style === 'time' ? time : `${day}, ${time}`;
}

/** "poniedziałek" … "niedziela" (lower case, as Polish writes weekdays in a sentence). */
export function weekdayPl(date: Date, timeZone: string = TEMPLATE_TIME_ZONE): string {
  return WEEKDAYS_PL[wallClock(date, timeZone).weekday] ?? '';
}

/** A value that is not a date passes through unchanged (Liquid's `date` does the same); nothing renders as nothing. */
function passThrough(value: unknown): unknown {
  return value === undefined || value === null ? '' : value;
}

/**
 * `{{ x | date_pl }}`, `{{ x | date_pl: "date" }}`, `{{ x | date_pl: "datetime", "UTC" }}`.
 * An unknown style falls back to datetime; an unknown time zone is a render
 * error (logged, see render-template.ts).
 */
const datePl: FilterImplOptions = (value: unknown, style?: unknown, timeZone?: unknown) => {
  const date = toDate(value);
  if (date === undefined) return passThrough(value);
  const s = typeof style === 'string' && STYLES.includes(style) ? (style as DatePlStyle) : 'datetime';
  return formatDatePl(date, s, typeof timeZone === 'string' && timeZone !== '' ? timeZone : TEMPLATE_TIME_ZONE);
};

/** `{{ x | weekday_pl }}`, `{{ x | weekday_pl: "UTC" }}`. */
const weekdayPlFilter: FilterImplOptions = (value: unknown, timeZone?: unknown) => {
  const date = toDate(value);
  if (date === undefined) return passThrough(value);
  return weekdayPl(date, typeof timeZone === 'string' && timeZone !== '' ? timeZone : TEMPLATE_TIME_ZONE);
};

/**
 * `{{ message.text | mask }}`: card numbers, PESEL, IBAN and the configured
 * extra patterns masked (engine/privacy/mask-pii.ts). Objects are masked in
 * their JSON form, which is how they would render anyway.
 */
const mask: FilterImplOptions = (value: unknown) => {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return privacySettings().masker.mask(text);
};

/** Registered on the template engine by render-template.ts. */
export const TEMPLATE_FILTERS: Readonly<Record<string, FilterImplOptions>> = {
  date_pl: datePl,
  weekday_pl: weekdayPlFilter,
  mask,
  // A one-time signed survey link (R18, docs/automations.md): {{ ticket | csat_link }}.
  csat_link: (ticket: unknown) => csatLink(ticket),
};
