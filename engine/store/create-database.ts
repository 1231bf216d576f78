import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type BetterSqlite3 from 'better-sqlite3';
import { TriageError } from '../errors/triage-error.js';
import { databaseLog } from './database-log.js';
import { cacheStatements } from './statement-cache.js';
import { applySqlitePragmas } from './sqlite-pragmas.js';

export interface DatabaseOptions {
  /** A `postgres://` / `postgresql://` URL selects PostgreSQL; anything else (or nothing) selects SQLite. */
  url?: string;
  /** SQLite file; defaults to ./data/triage.db. Ignored for PostgreSQL. */
  sqlitePath?: string;
}

export const DEFAULT_SQLITE_PATH = './data/triage.db';


export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/**
 * Open the store. The caller reads DATABASE_URL (or a CLI flag) and passes it in,
 * so this module never looks at the environment. The connection is checked
 * before returning: a wrong URL fails here with TRIAGE_STORE_UNAVAILABLE
 * instead of on the first ticket.
 */
export async function createDatabase(options: DatabaseOptions = {}): Promise<Knex> {
  const db = isPostgresUrl(options.url) ? openPostgres(options.url) : openSqlite(options.sqlitePath ?? DEFAULT_SQLITE_PATH);
  try {
    await db.raw('select 1');
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw new TriageError('TRIAGE_STORE_UNAVAILABLE', [describe(error, options)], { cause: error });
  }
  return db;
}

/**
 * PostgreSQL restarts, failovers and network cuts are survived without a
 * restart of triage (docs/store.md "Database outages"):
 * - a connection that broke while idle in the pool is marked by knex's own
 *   'error' listener (so node-postgres' 'error' event never goes unhandled and
 *   kills the process) and discarded when next acquired; a new one is opened;
 * - `connectionTimeoutMillis`: a connect to a server that does not answer (host
 *   down, packets dropped) gives up after 5 s instead of never, so the pool's
 *   slot is freed and the request fails with TRIAGE_STORE_OUTAGE (503);
 * - `keepAlive`: TCP keep-alives notice a peer that vanished without a FIN
 *   while a connection idles in the pool;
 * - `min: 0` and `idleTimeoutMillis`: no connections are kept open for their
 *   own sake, so after an outage the pool refills from zero with fresh ones;
 * - knex's warnings about it become one throttled line on stderr
 *   (database-log.ts) instead of a stack per attempt on stdout.
 */
function openPostgres(url: string): Knex {
  return knexFactory({
    client: 'pg',
    connection: { ...urlParts(url), connectionString: url, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS, keepAlive: true, keepAliveInitialDelayMillis: 10_000 },
    pool: { min: 0, max: 10, idleTimeoutMillis: 30_000 },
    // Fail fast when the server is down instead of waiting the 60 s default.
    acquireConnectionTimeout: 10_000,
    log: databaseLog(),
  });
}

/** How long opening one PostgreSQL connection may take before it counts as an outage. */
const PG_CONNECT_TIMEOUT_MS = 5_000;

/**
 * The URL's parts next to the URL itself (node-postgres uses connectionString and
 * ignores them): code that rebuilds a URL from knex's config, as the CLI-next-to-
 * the-server tests do, finds the database either way.
 */
function urlParts(url: string): { user?: string; host?: string; port?: number; database?: string } {
  try {
    const u = new URL(url);
    return {
      ...(u.username === '' ? {} : { user: decodeURIComponent(u.username) }),
      ...(u.hostname === '' ? {} : { host: u.hostname }),
      ...(u.port === '' ? {} : { port: Number(u.port) }),
      ...(u.pathname.length > 1 ? { database: decodeURIComponent(u.pathname.slice(1)) } : {}),
    };
  } catch {
    return {};
  }
}

function openSqlite(path: string): Knex {
  const filename = resolve(path);
  try {
    mkdirSync(dirname(filename), { recursive: true });
  } catch (error) {
    throw new TriageError('TRIAGE_STORE_UNAVAILABLE', [`cannot create directory for ${filename}: ${errorText(error)}`], { cause: error });
  }
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    log: databaseLog(),
    pool: {
      // knex gives better-sqlite3 a single connection: SQLite has one writer anyway,
      // and a single connection makes transactions in this process queue instead of
      // failing with SQLITE_BUSY.
      min: 1,
      max: 1,
      afterCreate(conn: BetterSqlite3.Database, done: (err: Error | null, conn: BetterSqlite3.Database) => void) {
        try {
          applySqlitePragmas(conn);
          cacheStatements(conn);
          done(null, conn);
        } catch (error) {
          done(error instanceof Error ? error : new Error(String(error)), conn);
        }
      },
    },
  });
}

function describe(error: unknown, options: DatabaseOptions): string {
  const target = isPostgresUrl(options.url) ? redactUrl(options.url) : resolve(options.sqlitePath ?? DEFAULT_SQLITE_PATH);
  return `${target}: ${errorText(error)}`;
}

/** Never echo a password from DATABASE_URL into logs or API responses. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

function errorText(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(errorText).join('; ');
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
