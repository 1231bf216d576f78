import { randomUUID } from 'node:crypto';

/**
 * A UUID version 7 (RFC 9562): the first 48 bits are the Unix time in
 * milliseconds, the other 74 (besides version and variant) random, so ids
 * made later sort later.
 *
 * Why not randomUUID (version 4) for rows written on the hot path: every
 * primary key and `ticket_id` index is a B-tree, and random keys put each new
 * row on a different leaf page. A ticket writes about ten rows, so a random
 * key per row dirtied some 17 pages per ticket, all of which a commit must
 * write to the WAL (about 70 KB per ticket in the bench). Time-ordered keys
 * land on the same few right-most pages, which the rows of a whole group
 * commit share. Still 122 bits of uniqueness per millisecond; it reveals
 * when a row was made, which the rows themselves say anyway (created_at, at).
 */
export function timeOrderedUuid(nowMs: number = Date.now()): string {
  // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: keep the random digits and the variant, replace time and version.
  const random = randomUUID();
  const ms = Math.max(0, Math.trunc(nowMs));
  if (ms !== lastMs) {
    const time = ms.toString(16).padStart(12, '0').slice(-12);
    lastMs = ms;
    lastPrefix = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
  }
  return `${lastPrefix}${random.slice(15, 18)}-${random.slice(19)}`;
}

// The time part of the last id: a ticket takes about ten ids within one millisecond.
let lastMs = -1;
let lastPrefix = '';
