/** Ids per `IN (…)` list: well below SQLite's bound-parameter limit and kind to PostgreSQL's planner. */
export const CHUNK_SIZE = 500;

/**
 * Run `work` over `items` in chunks, one after the other (SQLite has one
 * connection; parallel queries would only queue). Returns the sum of what
 * `work` returns when it returns numbers (rows deleted, say), else 0.
 */
export async function inChunks<T>(items: readonly T[], work: (chunk: T[]) => Promise<unknown>): Promise<number> {
  let total = 0;
  for (let i = 0; i < items.length; i += CHUNK_SIZE) {
    const n = await work(items.slice(i, i + CHUNK_SIZE));
    if (typeof n === 'number') total += n;
  }
  return total;
}
