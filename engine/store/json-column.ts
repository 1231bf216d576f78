/**
 * JSON columns are plain text on both stores. PostgreSQL's json types would
 * come back already parsed (and jsonb reorders keys), SQLite's would not; text
 * everywhere keeps reading and writing identical.
 */
export function toJsonColumn(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

export function fromJsonColumn<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string' || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    // A hand-edited or truncated value must not make a ticket unreadable.
    return fallback;
  }
}
