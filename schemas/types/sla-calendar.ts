/* Generated from schemas/sla-calendar.schema.json by `npm run gen:types`. Do not edit. */

/**
 * This interface was referenced by `SlaCalendarFile`'s JSON-Schema
 * via the `definition` "ranges".
 */
export type Ranges = string[];

/**
 * An SLA calendar (docs/sla.md): weekly open hours in a time zone, minus holidays; or alwaysOpen for 24/7. Missing weekdays are closed.
 */
export interface SlaCalendarFile {
  description?: string;
  /**
   * IANA time zone, e.g. Europe/Warsaw or UTC. Open hours are local wall-clock times in this zone.
   */
  timezone: string;
  /**
   * true: open every instant (24/7); then hours, holidays and holidayCountry are not allowed.
   */
  alwaysOpen?: boolean;
  hours?: SlaCalendarHours;
  /**
   * Local dates (YYYY-MM-DD) closed all day.
   */
  holidays?: string[];
  /**
   * Also close the public holidays of this country (ISO 3166-1 alpha-2, optionally -REGION, e.g. PL or DE-BY), from the date-holidays library; only holidays of type public count.
   */
  holidayCountry?: string;
}
/**
 * Open ranges per weekday, local wall-clock, end exclusive; "24:00" is allowed as an end. A night shift is two ranges: "22:00-24:00" and the next day's "00:00-06:00".
 */
export interface SlaCalendarHours {
  mon?: Ranges;
  tue?: Ranges;
  wed?: Ranges;
  thu?: Ranges;
  fri?: Ranges;
  sat?: Ranges;
  sun?: Ranges;
}
