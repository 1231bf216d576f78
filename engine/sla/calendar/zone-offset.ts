import { IANAZone } from 'luxon';

/** A time zone's UTC offset in minutes at an instant (ms since the epoch). */
export interface OffsetSource {
  offset(ms: number): number;
}

const MINUTE = 60_000;
/** Offsets asked of luxon per quarter of an hour of UTC. */
const OFFSET_BUCKET_MS = 15 * MINUTE;
/** Cached quarters per zone before the cache starts over (a few hundred KB at most). */
const OFFSET_CACHE_LIMIT = 20_000;
/** 1972-01-01T00:00:00Z: from here on every tz offset and transition is a whole quarter hour. */
export const QUARTER_HOUR_EXACT_FROM = Date.UTC(1972, 0, 1);

const zones = new Map<string, OffsetSource>();

/**
 * The zone's UTC offset at an instant, from luxon, remembered per quarter
 * hour of UTC. luxon asks Intl for every offset (a formatToParts call, the
 * largest cost of a due-time computation or a formatted date: a new ticket
 * computes a dozen). Exact because every zone's offset changes only at a
 * quarter-hour boundary of UTC (offsets and transition times in the tz
 * database are whole quarter hours since 1972, when Liberia left -0:44:30),
 * so one quarter never holds two offsets. Earlier instants may be off by less
 * than a quarter hour; callers that care check QUARTER_HOUR_EXACT_FROM.
 * Throws RangeError for a zone name the runtime does not know.
 */
export function zoneOffsets(timeZone: string): OffsetSource {
  let zone = zones.get(timeZone);
  if (zone === undefined) {
    const luxon = IANAZone.create(timeZone);
    if (!luxon.isValid) throw new RangeError(`Invalid time zone specified: ${timeZone}`);
    const cache = new Map<number, number>();
    zone = {
      offset(ms: number): number {
        const bucket = Math.floor(ms / OFFSET_BUCKET_MS);
        let offset = cache.get(bucket);
        if (offset === undefined) {
          if (cache.size >= OFFSET_CACHE_LIMIT) cache.clear();
          offset = luxon.offset(bucket * OFFSET_BUCKET_MS);
          cache.set(bucket, offset);
        }
        return offset;
      },
    };
    zones.set(timeZone, zone);
  }
  return zone;
}
