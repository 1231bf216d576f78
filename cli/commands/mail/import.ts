import type { Command } from 'commander';
import { loadConfig } from '../../../engine/config/load-config.js';
import { TriageError } from '../../../engine/errors/triage-error.js';
import { importMail, IMPORT_MAILBOX, type MailImportSummary } from '../../../engine/mail/import-mail.js';
import { writeOutboxRows } from '../../../engine/outbox/outbox-writer.js';
import { RuleSetHolder } from '../../../engine/rules-runtime/rule-set-holder.js';
import { createDatabase } from '../../../engine/store/create-database.js';
import { migrateToLatest } from '../../../engine/store/migrate-to-latest.js';
import { ruleSetDecide } from '../../../engine/tickets/rule-set-decide.js';
import { TicketService } from '../../../engine/tickets/ticket-service.js';
import { EXIT, type CliIo } from '../../cli-io.js';

interface ImportOptions {
  config?: string;
  mailbox?: string;
  actions?: boolean;
  json?: boolean;
}

/**
 * `triage mail import PATH`: .eml files (a file or a directory) or an mbox,
 * through the same ingest as the IMAP mailboxes, on the database and rule
 * set the server uses. Exactly once by Message-ID: importing the same files
 * again creates nothing. Decided actions are queued in the outbox for the
 * server's worker unless --no-actions (for migrating old mail: no
 * acknowledgements to last year's customers).
 */
export function registerMailImport(mail: Command, io: CliIo, setExit: (code: number) => void): void {
  mail
    .command('import')
    .description('Import .eml files or an mbox as tickets and follow-ups (exactly once by Message-ID)')
    .argument('<path>', 'an .eml file, an mbox file, or a directory of .eml/.mbox files')
    .option('--mailbox <name>', `mailbox name stored with the messages (message.mailbox, ticket.mailbox); default ${IMPORT_MAILBOX}`)
    .option('--no-actions', 'evaluate rules but queue none of their actions (no acknowledgements, webhooks…)')
    .option('--json', 'print the summary and every message\'s outcome as JSON')
    .option('--config <file>', 'configuration file (default: $TRIAGE_CONFIG or ./triage.config.yaml if present)')
    .action(async (path: string, opts: ImportOptions) => {
      const config = await loadConfig({ file: opts.config, env: io.env });
      const rules = await RuleSetHolder.open(config.rules.dir);
      const db = await createDatabase({ url: config.database.url, sqlitePath: config.database.sqlitePath });
      let summary: MailImportSummary;
      try {
        await migrateToLatest(db);
        const queueActions = opts.actions !== false;
        const tickets = new TicketService({
          db,
          decide: ruleSetDecide(() => rules.current()),
          ...(queueActions ? { afterDecision: async (context) => void (await writeOutboxRows(context)) } : {}),
        });
        summary = await importMail({ db, tickets, path, ...(opts.mailbox === undefined ? {} : { mailbox: opts.mailbox }) });
      } finally {
        rules.close();
        await db.destroy();
      }
      if (opts.json === true) {
        io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
      } else {
        for (const item of summary.items) {
          io.stdout(item.result === undefined ? `${item.location}: FAILED ${item.error ?? ''}\n` : `${item.location}: ${item.result.outcome} ${item.result.ticketNumber}${item.result.unparseable ? ' (unparseable)' : ''}\n`);
        }
        io.stdout(`${summary.total} messages: ${summary.created} new tickets, ${summary.appended} follow-ups, ${summary.duplicates} already imported, ${summary.failed} failed\n`);
      }
      if (summary.failed > 0) {
        const first = summary.items.find((i) => i.error !== undefined);
        throw new TriageError('TRIAGE_MAIL_IMPORT_FAILED', [summary.failed, summary.total, `${first?.location ?? '?'}: ${first?.error ?? '?'}`]);
      }
      setExit(EXIT.ok);
    });
}
