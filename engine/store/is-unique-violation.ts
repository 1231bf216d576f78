/**
 * True when a database error is a unique-constraint violation, on either
 * store. Idempotent creates rely on the constraint rather than on a prior
 * read, because two instances can both read "absent" and then both insert.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  // PostgreSQL: SQLSTATE 23505 unique_violation.
  if (code === '23505') return true;
  // better-sqlite3: extended result codes.
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
