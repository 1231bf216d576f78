import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../engine/store/create-database.js';
import { runCliCommand } from '../../../test/helpers/cli-sqlite.js';
import { createTempSqliteFile, type TempSqliteFile } from '../../../test/helpers/sqlite.js';

const FIXTURES = 'test/fixtures/mail';
const files: TempSqliteFile[] = [];
afterEach(async () => {
  await Promise.all(files.splice(0).map((f) => f.cleanup()));
});

async function fresh(): Promise<Record<string, string>> {
  const file = await createTempSqliteFile();
  files.push(file);
  return { TRIAGE_SQLITE_PATH: file.path, TRIAGE_RULES_WATCH: 'false' };
}

async function query<T>(env: Record<string, string>, work: (db: ReturnType<typeof createDatabase> extends Promise<infer D> ? D : never) => Promise<T>): Promise<T> {
  const db = await createDatabase({ sqlitePath: env.TRIAGE_SQLITE_PATH as string });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

describe('triage mail import', () => {
  it('imports the fixture corpus once: tickets, follow-ups, an unparseable ticket; a second run creates nothing', async () => {
    const env = await fresh();
    const first = await runCliCommand(env, ['mail', 'import', FIXTURES, '--json']);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.out) as { total: number; created: number; appended: number; duplicates: number; failed: number; items: Array<{ location: string; result: { outcome: string; unparseable: boolean; ticketNumber: string } }> };
    expect(summary.failed).toBe(0);
    expect(summary.total).toBeGreaterThan(10);
    expect(summary.created + summary.appended + summary.duplicates).toBe(summary.total);
    const junk = summary.items.find((i) => i.location.endsWith('not-a-mail.eml'));
    expect(junk?.result).toMatchObject({ outcome: 'created', unparseable: true });
    const tags = await query(env, async (db) => (await db('ticket_tags').where({ tag: 'unparseable' })) as unknown[]);
    expect(tags).toHaveLength(1);
    const tickets = await query(env, async (db) => Number(((await db('tickets').count({ n: '*' })) as Array<{ n: number }>)[0]?.n));
    expect(tickets).toBe(summary.created);
    // Acknowledgements of the people's mails were queued for the server's outbox worker.
    const acks = await query(env, async (db) => (await db('outbox').where({ action_type: 'acknowledge' })) as unknown[]);
    expect(acks.length).toBeGreaterThan(0);

    const again = await runCliCommand(env, ['mail', 'import', FIXTURES]);
    expect(again.code).toBe(0);
    expect(again.out).toContain(`${summary.total} messages: 0 new tickets, 0 follow-ups, ${summary.total} already imported, 0 failed`);
    expect(await query(env, async (db) => Number(((await db('tickets').count({ n: '*' })) as Array<{ n: number }>)[0]?.n))).toBe(tickets);
  });

  it('imports an mbox; --no-actions queues no actions', async () => {
    const env = await fresh();
    const dir = await mkdtemp(join(tmpdir(), 'triage-mbox-'));
    try {
      const mbox = join(dir, 'archive.mbox');
      await writeFile(
        mbox,
        [
          'From jan@acme.example Mon Jan  5 09:58:00 2026',
          'From: Jan <jan@acme.example>',
          'Subject: Order question',
          'Message-ID: <mbox-1@acme.example>',
          'Date: Mon, 05 Jan 2026 09:58:00 +0000',
          '',
          'Where is my order?',
          '',
          'From jan@acme.example Mon Jan  5 10:58:00 2026',
          'From: Jan <jan@acme.example>',
          'Subject: Re: Order question',
          'Message-ID: <mbox-2@acme.example>',
          'In-Reply-To: <mbox-1@acme.example>',
          'Date: Mon, 05 Jan 2026 10:58:00 +0000',
          '',
          'Any news?',
          '',
        ].join('\n'),
      );
      const { code, out } = await runCliCommand(env, ['mail', 'import', mbox, '--no-actions', '--mailbox', 'archive']);
      expect(code).toBe(0);
      expect(out).toContain('archive.mbox#1: created T-000001');
      expect(out).toContain('archive.mbox#2: appended T-000001');
      const rows = await query(env, async (db) => ({
        outbox: (await db('outbox')) as unknown[],
        ticket: (await db('tickets').first('created_at', 'data')) as { created_at: string; data: string },
      }));
      expect(rows.outbox).toEqual([]);
      // No INTERNALDATE in a file: the Date header is the arrival.
      expect(rows.ticket.created_at).toBe('2026-01-05T09:58:00.000Z');
      expect(JSON.parse(rows.ticket.data)).toMatchObject({ mailbox: 'archive' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names a path it cannot read (exit 1)', async () => {
    const env = await fresh();
    const { code, err } = await runCliCommand(env, ['mail', 'import', 'no/such/dir']);
    expect(err).toContain('TRIAGE_MAIL_IMPORT_UNREADABLE');
    expect(code).toBe(1);
  });
});
