import { createRequire } from 'node:module';
import type HolidaysClass from 'date-holidays';

// date-holidays carries the rules of ~200 countries and takes a noticeable
// fraction of a second to load: load it on first use, so that processes and
// calendars without holidayCountry (every CLI command, 24/7 calendars) never pay.
const require = createRequire(import.meta.url);
let holidaysModule: typeof HolidaysClass | undefined;
function holidaysClass(): typeof HolidaysClass {
  holidaysModule ??= require('date-holidays') as typeof HolidaysClass;
  return holidaysModule;
}

/**
 * The closed dates of a calendar: the explicit `holidays` plus, when a
 * `holidayCountry` is given, that country's public holidays. Country holidays
 * are expanded one year at a time on first look-up (a due time can fall in any
 * year, and expanding a century up front would cost every start-up), so
 * iterating the set shows only the years looked up so far; `has` is exact.
 */
export class HolidaySet extends Set<string> {
  readonly #holidays: HolidaysClass | undefined;
  readonly #loadedYears = new Set<number>();

  constructor(explicit: Iterable<string>, country?: { country: string; region?: string | undefined }) {
    super(explicit);
    const options = { types: ['public' as const] };
    this.#holidays =
      country === undefined ? undefined : country.region === undefined ? new (holidaysClass())(country.country, options) : new (holidaysClass())(country.country, country.region, options);
  }

  override has(date: string): boolean {
    if (this.#holidays !== undefined) this.#loadYear(Number(date.slice(0, 4)));
    return super.has(date);
  }

  #loadYear(year: number): void {
    if (this.#loadedYears.has(year) || !Number.isInteger(year)) return;
    this.#loadedYears.add(year);
    for (const h of this.#holidays?.getHolidays(year) ?? []) {
      // Only days off for everyone close the desk; observances, bank and school holidays do not.
      if (h.type !== 'public') continue;
      // A holiday is a local date; date-holidays gives it as "YYYY-MM-DD hh:mm:ss" in the country's zone.
      // Multi-day holidays (rare) close every date they span.
      const days = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000));
      const first = Date.parse(`${h.date.slice(0, 10)}T00:00:00Z`);
      for (let i = 0; i < days; i++) super.add(new Date(first + i * 86_400_000).toISOString().slice(0, 10));
    }
  }
}

/** Whether date-holidays knows the country (and region, for "DE-BY"). */
export function isKnownHolidayCountry(code: string): boolean {
  const [country = '', region] = code.split('-');
  const hd = new (holidaysClass())();
  const countries = hd.getCountries() as Record<string, string> | undefined;
  if (countries?.[country] === undefined) return false;
  if (region === undefined) return true;
  const states = hd.getStates(country) as Record<string, string> | undefined;
  return states?.[region] !== undefined;
}

export function splitHolidayCountry(code: string): { country: string; region?: string } {
  const [country = '', region] = code.split('-');
  return region === undefined ? { country } : { country, region };
}
