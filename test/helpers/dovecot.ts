import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort } from '../../bench/free-port.js';

/** A throwaway Dovecot IMAP server (RECIPES.md): its own config, maildir and log in a temp folder, on a free loopback port. */
export interface Dovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  /** A logged-in client (the caller logs out). */
  client(): Promise<ImapFlow>;
  /** APPEND raw messages to a folder (default INBOX), optionally with an INTERNALDATE; returns their UIDs. */
  append(raws: ReadonlyArray<Buffer | string>, folder?: string, internalDate?: Date): Promise<number[]>;
  /** Create a folder (a fresh one per test keeps tests apart on one server). */
  createFolder(path: string): Promise<void>;
  /** UIDs in a folder. */
  uids(folder?: string): Promise<number[]>;
  /** Stop the server and remove its folder. Safe to call twice. */
  stop(): Promise<void>;
}

const DOVECOT = '/usr/sbin/dovecot';
const NOBODY = 65534;

/**
 * Start a Dovecot per test file. Must run as root (it drops privileges to
 * nobody for the maildir); `.ci/run` installs the `dovecot-imapd` package.
 */
export async function startDovecot(options: { user?: string; password?: string } = {}): Promise<Dovecot> {
  const user = options.user ?? 'support';
  const password = options.password ?? 'secret';
  const dir = await mkdtemp(join(tmpdir(), 'triage-dovecot-'));
  await chmod(dir, 0o755);
  for (const sub of ['run', 'state', 'mail']) await mkdir(join(dir, sub), { recursive: true });
  await chown(join(dir, 'mail'), NOBODY, NOBODY);
  await writeFile(join(dir, 'users'), `${user}:{PLAIN}${password}\n`, { mode: 0o640 });
  // The auth process reads the password file as group dovecot.
  await chown(join(dir, 'users'), 0, await groupId('dovecot'));
  const port = await freePort();
  await writeFile(join(dir, 'dovecot.conf'), config(dir, port));
  const child = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, child, () => output);
  } catch (e) {
    child.kill('SIGKILL');
    const log = await readFile(join(dir, 'dovecot.log'), 'utf8').catch(() => '');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${output}\n${log}`);
  }

  const client = async (): Promise<ImapFlow> => {
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false });
    await c.connect();
    return c;
  };
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    client,
    async createFolder(path) {
      const c = await client();
      try {
        await c.mailboxCreate(path);
      } finally {
        await c.logout();
      }
    },
    async append(raws, folder = 'INBOX', internalDate) {
      const c = await client();
      try {
        const uids: number[] = [];
        for (const raw of raws) {
          const res = await c.append(folder, typeof raw === 'string' ? Buffer.from(raw) : raw, [], internalDate);
          if (res === false || res.uid === undefined) throw new Error(`APPEND to ${folder} returned no UID`);
          uids.push(res.uid);
        }
        return uids;
      } finally {
        await c.logout();
      }
    },
    async uids(folder = 'INBOX') {
      const c = await client();
      try {
        const lock = await c.getMailboxLock(folder);
        try {
          const found = await c.search({ all: true }, { uid: true });
          return found === false || found === undefined ? [] : found;
        } finally {
          lock.release();
        }
      } finally {
        await c.logout();
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function config(dir: string, port: number): string {
  return `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/mail/%u
first_valid_uid = 1
namespace inbox {
  inbox = yes
  mailbox Processed {
    auto = subscribe
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/users
}
userdb {
  driver = static
  args = uid=${NOBODY} gid=${NOBODY} home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}

async function groupId(name: string): Promise<number> {
  const line = (await readFile('/etc/group', 'utf8')).split('\n').find((l) => l.startsWith(`${name}:`));
  const gid = Number(line?.split(':')[2]);
  if (!Number.isInteger(gid)) throw new Error(`group ${name} not found: install dovecot-imapd (see .ci/run)`);
  return gid;
}


/** Dovecot is ready when its login port accepts; it fails fast on a bad config, which `exit` reports. */
async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`dovecot exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`dovecot did not listen on ${port}: ${output()}`);
}
