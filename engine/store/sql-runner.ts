import type { Knex } from 'knex';

/**
 * Runs one SQL statement inside a transaction the caller holds, and returns
 * its rows (empty for a statement without RETURNING). The SQL is portable:
 * `?` placeholders, double-quoted identifiers, nothing dialect-specific.
 *
 * Two ways to run it, one SQL text: through knex (`trx.raw`; PostgreSQL, or
 * anywhere) and, for the hot write path on SQLite, straight on the
 * better-sqlite3 connection the transaction holds. knex costs about 10 µs of
 * JavaScript per statement (query objects, events, promise hops) against
 * 3 µs for the statement itself; a new ticket is a dozen statements.
 */
export interface SqlRunner {
  run(sql: string, bindings?: readonly unknown[]): Promise<Array<Record<string, unknown>>>;
  /**
   * Only where statements run later, on the SQLite writer thread
   * (engine/tickets/writer-groups.ts), so nothing can be read back: the next
   * value of a `counters` row, claimed with a statement the writer checks.
   */
  counter?(name: string): Promise<number>;
}

/** Through knex, on the transaction (or database) given. */
export function knexRunner(db: Knex | Knex.Transaction): SqlRunner {
  return {
    async run(sql, bindings = []) {
      const result = (await db.raw(sql, bindings as readonly Knex.RawBinding[])) as Array<Record<string, unknown>> | { rows?: Array<Record<string, unknown>> } | undefined;
      // better-sqlite3 through knex answers rows (or a run summary), pg a result object with rows.
      if (Array.isArray(result)) return result;
      return result?.rows ?? [];
    },
  };
}

/** The part of a better-sqlite3 connection used here. */
export interface SqliteConnection {
  prepare(sql: string): { reader: boolean; all(bindings: unknown[]): unknown[]; run(bindings: unknown[]): unknown };
  inTransaction: boolean;
  /** false once closed. */
  open: boolean;
}

/** True for a better-sqlite3 connection (what knex's SQLite pool hands out). */
export function isSqliteConnection(connection: unknown): connection is SqliteConnection {
  const c = connection as Partial<SqliteConnection> | null;
  return typeof c === 'object' && c !== null && typeof c.prepare === 'function' && typeof c.inTransaction === 'boolean' && typeof c.open === 'boolean';
}

/**
 * Straight on a better-sqlite3 connection, synchronously (prepared
 * statements are cached by the connection, see statement-cache.ts). Only
 * for a connection whose transaction the caller holds; the values are
 * converted the way knex would (booleans to 0/1, undefined to NULL).
 */
export function sqliteRunner(connection: SqliteConnection): SqlRunner {
  return {
    run(sql, bindings = []) {
      try {
        const statement = connection.prepare(sql);
        const values = bindings.map(sqliteValue);
        if (statement.reader) return Promise.resolve(statement.all(values) as Array<Record<string, unknown>>);
        statement.run(values);
        return Promise.resolve([]);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}

export function sqliteValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/** INSERT texts by table, then conflict column, then the row's columns (compared in order), then row count. */
const insertShapes = new Map<string, Map<string, InsertShape[]>>();
let insertTextCount = 0;

interface InsertShape {
  columns: readonly string[];
  texts: Map<number, string>;
}

/**
 * One INSERT of `rows` (all with the keys of the first, in that order) into
 * `table`; with `ignoreConflictOn`, rows that clash on that unique column are
 * skipped. Table and column names come from the code, never from input.
 */
export async function insertRows(
  sql: SqlRunner,
  table: string,
  rows: ReadonlyArray<Record<string, unknown>>,
  options: { ignoreConflictOn?: string } = {},
): Promise<void> {
  const first = rows[0];
  if (first === undefined) return;
  const columns = Object.keys(first);
  const conflict = options.ignoreConflictOn;
  const text = insertText(table, columns, rows.length, conflict);
  // Sized up front: grown push by push, the array was copied three or four times per statement.
  const width = columns.length;
  const bindings = new Array<unknown>(rows.length * width);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Record<string, unknown>;
    for (let c = 0; c < width; c++) {
      const value = row[columns[c] as string];
      bindings[r * width + c] = value === undefined ? null : value;
    }
  }
  await sql.run(text, bindings);
}

/**
 * The SQL of insertRows, built once per shape. Looked up without building a
 * key string: a new ticket makes a dozen of these calls, and joining the
 * column names into a key (then hashing it) cost more than the rest of the
 * call (ingest profile).
 */
function insertText(table: string, columns: readonly string[], rowCount: number, conflict: string | undefined): string {
  // Bounded: the row count varies (audit rows, tags), the shapes do not.
  if (insertTextCount >= 1000) {
    insertShapes.clear();
    insertTextCount = 0;
  }
  let byConflict = insertShapes.get(table);
  if (byConflict === undefined) insertShapes.set(table, (byConflict = new Map()));
  let shapes = byConflict.get(conflict ?? '');
  if (shapes === undefined) byConflict.set(conflict ?? '', (shapes = []));
  let shape = shapes.find((s) => sameColumns(s.columns, columns));
  if (shape === undefined) shapes.push((shape = { columns: [...columns], texts: new Map() }));
  let text = shape.texts.get(rowCount);
  if (text === undefined) {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array.from({ length: rowCount }, () => tuple).join(', ')}`;
    // Both dialects: a row whose unique key exists is skipped, the others go in.
    if (conflict !== undefined) text += ` on conflict ("${conflict}") do nothing`;
    insertTextCount += 1;
    shape.texts.set(rowCount, text);
  }
  return text;
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
