import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The maintenance database tests connect to in order to create their own. */
export const DEFAULT_TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  /** URL of the new, empty (or template-copied) database. */
  url: string;
  name: string;
  /** Drop the database (terminating leftover connections). Safe to call twice. */
  drop(): Promise<void>;
}

/** TRIAGE_TEST_PG_URL overrides the server (and maintenance database) the tests use. */
export function testPostgresUrl(): string {
  return process.env.TRIAGE_TEST_PG_URL ?? DEFAULT_TEST_PG_URL;
}

/**
 * Create a fresh database for one test run (optionally as a copy of a
 * migrated template, which is much faster than migrating each time).
 *
 * If PostgreSQL is not reachable this throws with instructions: the store
 * contract must hold on PostgreSQL too, and a skipped suite would hide that
 * it was never checked.
 */
export async function createTestDatabase(options: { template?: string } = {}): Promise<TestDatabase> {
  const adminUrl = testPostgresUrl();
  const name = `triage_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, async (client) => {
    const template = options.template === undefined ? '' : ` TEMPLATE ${quoteIdent(options.template)}`;
    // A template still referenced by a just-closed connection is "being
    // accessed by other users" for a moment; wait it out.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${quoteIdent(name)}${template}`);
        return;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === '55006' && attempt < 50) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          continue;
        }
        throw error;
      }
    }
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
  };
}

/** How long the helper waits for a connection slot when the server has none left (53300). */
const TOO_MANY_CLIENTS_WAIT_MS = 30_000;

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const deadline = Date.now() + TOO_MANY_CLIENTS_WAIT_MS;
  let client: pg.Client;
  for (;;) {
    client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      // Test files run three at a time, each with pools of its own: a moment with every slot taken is not an
      // unreachable server. Wait for one to free up.
      if ((error as { code?: unknown }).code === '53300' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      throw new Error(
        `PostgreSQL is required for the store tests and is not reachable at ${redact(adminUrl)}: ${describe(error)}.\n` +
          `Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n` +
          `or point TRIAGE_TEST_PG_URL at a server (a maintenance database such as postgres://user@host:5432/test). ` +
          `These tests fail rather than skip, so a green run always includes PostgreSQL.`,
        { cause: error },
      );
    }
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(describe).join('; ');
  return error instanceof Error ? error.message || (error as { code?: string }).code || error.name : String(error);
}
