/**
 * A throwaway PostgreSQL cluster of our own, for drills that stop and start
 * the server (test/e2e/pg-restart-drill.e2e.test.ts). The shared server on
 * 127.0.0.1:5432 must never be restarted: other test files run against it in
 * parallel. This one lives in a temp folder (data, socket, log), listens on a
 * free loopback port with trust auth, and is removed by destroy().
 *
 * initdb and pg_ctl refuse to run as root, so they run as the `postgres` OS
 * user (the Debian package creates it); the temp folder is chowned to it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './server-process.js';

const run = promisify(execFile);

/**
 * The server binaries: TRIAGE_TEST_PG_BIN, else the newest Debian-packaged
 * version under /usr/lib/postgresql (15 on these machines).
 */
export function postgresBinDir(): string {
  const fixed = process.env.TRIAGE_TEST_PG_BIN;
  if (fixed !== undefined && fixed !== '') return fixed;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return join(root, newest ?? '15', 'bin');
}

export interface PrivatePostgres {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url(database?: string): string;
  /** pg_ctl stop: `fast` rolls back sessions and closes them; `immediate` aborts like a crash (recovery on the next start). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** pg_ctl start, waiting until it accepts connections. */
  start(): Promise<void>;
  /** The server log so far (for failure messages). */
  log(): Promise<string>;
  /** Stop (immediate) and remove the folder. Safe to call twice. */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'triage-private-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const { uid, gid } = await osUser('postgres');
  await chmod(dir, 0o700);
  await chown(dir, uid, gid);
  const bin = postgresBinDir();
  const asPostgres = async (command: string, args: string[]): Promise<string> => {
    try {
      const { stdout, stderr } = await run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args], { cwd: dir });
      return `${stdout}${stderr}`;
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message?: string };
      const log = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`${command} ${args.join(' ')} failed: ${e.message ?? ''}\n${e.stdout ?? ''}${e.stderr ?? ''}\n${log}`, { cause: error });
    }
  };
  if (!existsSync(join(bin, 'initdb'))) throw new Error(`${bin}/initdb not found: install the PostgreSQL server package (postgresql) or set TRIAGE_TEST_PG_BIN`);
  // No fsync (a throwaway cluster; an immediate stop kills processes, not the OS, so the page cache survives),
  // but synchronous_commit stays on: an acknowledged commit must be in the WAL when the server is killed.
  await asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  await writeFile(
    join(data, 'postgresql.auto.conf'),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      'fsync = off',
      'full_page_writes = off',
      'max_connections = 50',
      'shared_buffers = 32MB',
      '',
    ].join('\n'),
  );
  await chown(join(data, 'postgresql.auto.conf'), uid, gid);

  let running = false;
  let destroyed = false;
  const pgCtl = (args: string[]): Promise<string> => asPostgres('pg_ctl', ['-D', data, '-l', logFile, ...args]);
  const instance: PrivatePostgres = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      await pgCtl(['-w', '-t', '30', 'start']);
      running = true;
    },
    async stop(mode = 'fast') {
      await pgCtl(['-w', '-t', '30', '-m', mode, 'stop']);
      running = false;
    },
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      if (running) await instance.stop('immediate').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await instance.start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return instance;
}

async function osUser(name: string): Promise<{ uid: number; gid: number }> {
  const line = (await readFile('/etc/passwd', 'utf8')).split('\n').find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error(`OS user ${name} not found: install PostgreSQL (see .ci/run)`);
  return { uid: Number(uid), gid: Number(gid) };
}
