/**
 * Crash test of the e-mail channel (issue #6): a server process reading a
 * real Dovecot mailbox is SIGKILLed in the middle of ingesting 200 messages
 * (new mail and replies that thread by References), then started again.
 * Every message must end up stored exactly once, in the right ticket, and
 * moved to Processed; on SQLite and on PostgreSQL. The kill is triggered by
 * polling the database for committed messages, never by a timer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../engine/runtime/package-root.js';
import { createDatabase } from '../../engine/store/create-database.js';
import { migrateToLatest } from '../../engine/store/migrate-to-latest.js';
import { buildMail } from '../helpers/build-mail.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import type { StoreKind } from '../helpers/store-harness.js';

const ORIGINALS = 150;
const REPLIES = 50;
const TOTAL = ORIGINALS + REPLIES;
const KILL_AT = 70;

let dovecot: Dovecot;
beforeAll(async () => {
  dovecot = await startDovecot();
});
afterAll(async () => {
  await dovecot.stop();
});

describe.each<StoreKind>(['sqlite', 'postgres'])('mail ingest survives SIGKILL mid-batch (%s)', (kind) => {
  let dir: string;
  let pg: TestDatabase | undefined;
  let db: Knex;
  let dbEnv: Record<string, string>;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `triage-mail-crash-${kind}-`));
    if (kind === 'postgres') {
      pg = await createTestDatabase();
      dbEnv = { DATABASE_URL: pg.url };
      db = await createDatabase({ url: pg.url });
    } else {
      dbEnv = { TRIAGE_SQLITE_PATH: join(dir, 'triage.db') };
      db = await createDatabase({ sqlitePath: join(dir, 'triage.db') });
    }
    await migrateToLatest(db);
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await db.destroy();
    await pg?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  function serve(config: string): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', join(packageRoot(), 'test', 'helpers', 'serve-mail-ingest.ts'), config], {
      cwd: packageRoot(),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...dbEnv, IMAP_PASSWORD: dovecot.password, TRIAGE_RULES: join(packageRoot(), 'rules', 'default'), TRIAGE_BOOTSTRAP_KEY: `trg_${'k'.repeat(43)}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code, signal) => {
      if (code !== 0 && signal === null) process.stderr.write(`serve-mail-ingest exited with ${code}: ${stderr}\n`);
    });
    children.push(child);
    return child;
  }

  const inboundCount = async (): Promise<number> => Number(((await db('messages').where({ direction: 'inbound' }).count({ n: '*' })) as Array<{ n: number | string }>)[0]?.n ?? 0);

  async function until(check: () => Promise<boolean>): Promise<void> {
    while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  it('stores every message exactly once, in the right ticket, and moves them all', async () => {
    const folder = `crash-${kind}`;
    await dovecot.createFolder(folder);
    const raws: Buffer[] = [];
    for (let i = 0; i < ORIGINALS; i++) {
      raws.push(buildMail({ messageId: `<m${i}@${kind}.example>`, from: `c${i % 17}@customer${i % 5}.example`, subject: `Request ${i}`, text: `Please help with case ${i}.` }));
      // Every third original gets a reply a little later, threading by References only.
      if (i % 3 === 2 && raws.length < TOTAL) {
        const j = i - 2;
        raws.push(buildMail({ messageId: `<r${j}@${kind}.example>`, from: `c${j % 17}@customer${j % 5}.example`, subject: 'more info', references: `<m${j}@${kind}.example>`, text: `More about case ${j}.` }));
      }
    }
    while (raws.length < TOTAL) raws.push(buildMail({ messageId: `<extra${raws.length}@${kind}.example>`, subject: `Extra ${raws.length}` }));
    expect(raws).toHaveLength(TOTAL);
    await dovecot.append(raws, folder);

    const config = join(dir, 'triage.config.yaml');
    await writeFile(
      config,
      [
        'rules:',
        '  watch: false',
        'mail:',
        // The killed process's claim on the mailbox runs out after this; the restarted one then takes over.
        '  leaseSeconds: 2',
        '  mailboxes:',
        `    - { name: support, host: 127.0.0.1, port: ${dovecot.port}, tls: false, user: ${dovecot.user}, password: "\${env:IMAP_PASSWORD}", folder: ${folder}, processed: { moveTo: ${folder}-done }, batchSize: 25, pollSeconds: 3600 }`,
        '',
      ].join('\n'),
    );

    const first = serve(config);
    const firstExit = new Promise((resolve) => first.once('exit', resolve));
    await until(async () => (await inboundCount()) >= KILL_AT || first.exitCode !== null);
    first.kill('SIGKILL');
    await firstExit;
    const atKill = await inboundCount();
    // The crash really happened part-way.
    expect(atKill).toBeGreaterThanOrEqual(KILL_AT);
    expect(atKill).toBeLessThan(TOTAL);

    const second = serve(config);
    await until(async () => {
      const row = (await db('mail_mailboxes').where({ name: 'support' }).first('backlog', 'last_success_at')) as { backlog: number | null; last_success_at: string | null } | undefined;
      return (await inboundCount()) === TOTAL && row?.backlog !== undefined && Number(row.backlog) === 0 && row.last_success_at !== null;
    });
    const secondExit = new Promise((resolve) => second.once('exit', resolve));
    second.kill('SIGTERM');
    await secondExit;

    const rows = (await db('messages').join('tickets', 'tickets.id', 'messages.ticket_id').where({ 'messages.direction': 'inbound' }).select('messages.message_id as id', 'tickets.number as number')) as Array<{ id: string; number: string }>;
    expect(rows).toHaveLength(TOTAL);
    expect(new Set(rows.map((r) => r.id)).size).toBe(TOTAL);
    const tickets = (await db('tickets').where({ source: 'email' })) as unknown[];
    expect(tickets).toHaveLength(TOTAL - REPLIES);
    const ticketOf = new Map(rows.map((r) => [r.id, r.number]));
    for (const r of rows.filter((x) => x.id.startsWith('r'))) {
      expect(r.number).toBe(ticketOf.get(r.id.replace(/^r/, 'm')));
    }
    expect(await dovecot.uids(folder)).toEqual([]);
    expect(await dovecot.uids(`${folder}-done`)).toHaveLength(TOTAL);
    // Starting a server process under tsx on a busy 2-core machine takes a while; nothing here waits on a timer.
  }, 300_000);
});
