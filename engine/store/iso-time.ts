/**
 * Times are stored as ISO-8601 UTC text with milliseconds
 * (`2025-03-01T08:15:00.000Z`) on both stores: fixed width, so text order is
 * time order, and no driver converts it to a Date in a local time zone.
 *
 * Returns undefined for anything that is not an unambiguous instant, including
 * a date-time string without a zone: JavaScript would read it in the server's
 * local time, and an SLA clock must not depend on where the server runs.
 */
export function toIsoUtc(value: string | Date | number): string | undefined {
  if (typeof value === 'string' && /T\d{2}:\d{2}/.test(value) && !/(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value.trim())) {
    return undefined;
  }
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString();
  // Years outside 0000–9999 get a sign and six digits, which breaks text order.
  return iso.length === 24 ? iso : undefined;
}
