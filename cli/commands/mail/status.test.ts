import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailboxStateStore } from '../../../engine/mail/mailbox-state-store.js';
import { runCliCommand, seededCliSqlite, type CliSqlite } from '../../../test/helpers/cli-sqlite.js';

describe('triage mail status', () => {
  let dir: string;
  let cli: CliSqlite;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-mail-status-'));
    const config = join(dir, 'triage.config.yaml');
    await writeFile(
      config,
      [
        'mail:',
        '  mailboxes:',
        '    - { name: office, host: imap.example.com, user: office, password: "${env:OFFICE_PASSWORD}" }',
        '    - { name: complaints, host: imap.example.com, user: complaints, password: "${env:COMPLAINTS_PASSWORD}" }',
        '    - { name: fresh, host: imap.example.com, user: fresh, password: "${env:COMPLAINTS_PASSWORD}" }',
        '',
      ].join('\n'),
    );
    cli = await seededCliSqlite('ops', async (db) => {
      const store = new MailboxStateStore(db);
      await store.ensure('office', '2026-01-05T10:00:00.000Z');
      await store.saveCursor('office', { uidValidity: '1795976778', lastUid: 42 }, 40, '2026-01-05T10:00:00.000Z');
      await store.recordSuccess('office', 3, '2026-01-05T10:00:00.000Z');
      await store.ensure('complaints', '2026-01-05T10:00:00.000Z');
      await store.recordFailure('complaints', 'Authentication failed', '2026-01-05T10:01:00.000Z');
      await store.recordFailure('complaints', 'Authentication failed', '2026-01-05T10:01:02.000Z');
    });
    env = { ...cli.env, TRIAGE_CONFIG: config, OFFICE_PASSWORD: 'x', COMPLAINTS_PASSWORD: 'y' };
  });
  afterAll(async () => {
    await cli.file.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a table of every configured mailbox and exits 1 while one is failing', async () => {
    const { code, out } = await runCliCommand(env, ['mail', 'status']);
    expect(code).toBe(1);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^MAILBOX\s+STATE\s+LAST SUCCESS\s+BACKLOG\s+INGESTED\s+FAILURES\s+LAST ERROR$/);
    expect(lines[1]).toMatch(/^office\s+ok\s+2026-01-05T10:00:00.000Z\s+3\s+40\s+0\s+-$/);
    expect(lines[2]).toMatch(/^complaints\s+failing\s+-\s+-\s+0\s+2\s+2026-01-05T10:01:02.000Z Authentication failed$/);
    expect(lines[3]).toMatch(/^fresh\s+starting\s/);
  });

  it('--json and --mailbox; an unknown mailbox is a coded error', async () => {
    const { code, out } = await runCliCommand(env, ['mail', 'status', '--json', '--mailbox', 'office']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({
      mailboxes: [expect.objectContaining({ name: 'office', condition: 'ok', backlog: 3, ingested: 40, lastUid: 42, uidValidity: '1795976778', failures: 0 })],
    });
    const unknown = await runCliCommand(env, ['mail', 'status', '--mailbox', 'nope']);
    expect(unknown.err).toContain('TRIAGE_MAIL_MAILBOX_UNKNOWN');
    expect(unknown.code).toBe(1);
  });
});
