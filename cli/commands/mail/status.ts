import type { Command } from 'commander';
import { loadConfig } from '../../../engine/config/load-config.js';
import { TriageError } from '../../../engine/errors/triage-error.js';
import { readMailboxHealth, type MailboxHealth } from '../../../engine/mail/mailbox-health.js';
import { createDatabase } from '../../../engine/store/create-database.js';
import { migrateToLatest } from '../../../engine/store/migrate-to-latest.js';
import { EXIT, type CliIo } from '../../cli-io.js';

/**
 * `triage mail status`: every configured mailbox's health as the database
 * holds it (whichever instance reads it): last success, last error,
 * consecutive failures, backlog, messages ingested, cursor. Exit 1 when a
 * mailbox is failing, so a cron job or monitoring check can use it.
 */
export function registerMailStatus(mail: Command, io: CliIo, setExit: (code: number) => void): void {
  mail
    .command('status')
    .description('Health of the configured IMAP mailboxes: last success, last error, backlog (exit 1 if one is failing)')
    .option('--mailbox <name>', 'only this mailbox')
    .option('--json', 'print { mailboxes: [...] } as JSON')
    .option('--config <file>', 'configuration file (default: $TRIAGE_CONFIG or ./triage.config.yaml if present)')
    .action(async (opts: { mailbox?: string; json?: boolean; config?: string }) => {
      const config = await loadConfig({ file: opts.config, env: io.env });
      const configured = config.mail.mailboxes.filter((m) => opts.mailbox === undefined || m.name === opts.mailbox);
      if (opts.mailbox !== undefined && configured.length === 0) throw new TriageError('TRIAGE_MAIL_MAILBOX_UNKNOWN', [opts.mailbox]);
      const db = await createDatabase({ url: config.database.url, sqlitePath: config.database.sqlitePath });
      let health: MailboxHealth[];
      try {
        await migrateToLatest(db);
        health = await readMailboxHealth(db, { mailboxes: configured });
      } finally {
        await db.destroy();
      }
      if (opts.json === true) io.stdout(`${JSON.stringify({ mailboxes: health }, null, 2)}\n`);
      else io.stdout(health.length === 0 ? 'No mailboxes configured (mail.mailboxes in triage.config.yaml).\n' : table(health));
      setExit(health.some((h) => h.condition === 'failing') ? EXIT.failed : EXIT.ok);
    });
}

function table(rows: readonly MailboxHealth[]): string {
  const head = ['MAILBOX', 'STATE', 'LAST SUCCESS', 'BACKLOG', 'INGESTED', 'FAILURES', 'LAST ERROR'];
  const cells = rows.map((h) => [
    h.name,
    h.condition,
    h.lastSuccessAt ?? '-',
    h.backlog === null ? '-' : String(h.backlog),
    String(h.ingested),
    String(h.failures),
    h.lastError === null ? '-' : `${h.lastErrorAt ?? ''} ${h.lastError}`.trim().slice(0, 120),
  ]);
  const widths = head.map((t, i) => Math.max(t.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (c: readonly string[]): string => `${c.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`;
  return [head, ...cells].map(line).join('');
}
