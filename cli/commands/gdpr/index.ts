import type { Command } from 'commander';
import type { Knex } from 'knex';
import { loadConfig } from '../../../engine/config/load-config.js';
import { TriageError } from '../../../engine/errors/triage-error.js';
import { eraseCustomer, type ErasureResult } from '../../../engine/privacy/erase-customer.js';
import { findCustomerId } from '../../../engine/privacy/find-customer-id.js';
import { runRetention, type RetentionResult } from '../../../engine/privacy/run-retention.js';
import { createDatabase } from '../../../engine/store/create-database.js';
import { migrateToLatest } from '../../../engine/store/migrate-to-latest.js';
import { EXIT, type CliIo } from '../../cli-io.js';

interface DbOptions {
  config?: string;
}

/**
 * `triage gdpr erase|retention` (R20, docs/privacy.md): wiring only; the work
 * is engine/privacy. Runs against the database the server uses (same config
 * file, DATABASE_URL, TRIAGE_SQLITE_PATH), also while it runs.
 */
export function registerGdpr(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const gdpr = program.command('gdpr').description('Erase a customer\'s personal data on request; delete old closed tickets (retention)');
  const configOption = ['--config <file>', 'configuration file (default: $TRIAGE_CONFIG or ./triage.config.yaml if present)'] as const;
  const actor = `cli:${io.env.USER ?? io.env.USERNAME ?? 'unknown'}`;

  gdpr
    .command('erase')
    .description('Remove a customer\'s personal data from their tickets, messages, audit trail and customer record; statistics stay')
    .requiredOption('--customer <ref>', 'the customer: id (a ticket\'s customerId), or the e-mail address or phone number they wrote from')
    .option('--dry-run', 'count what would be erased, change nothing')
    .option('--json', 'print the result as JSON')
    .option(...configOption)
    .action(async (opts: DbOptions & { customer: string; dryRun?: boolean; json?: boolean }) => {
      await withDatabase(io, opts, async (db) => {
        const id = await findCustomerId(db, opts.customer);
        if (id === undefined) throw new TriageError('TRIAGE_CUSTOMER_NOT_FOUND', [opts.customer]);
        const result = await eraseCustomer(db, id, { actor, dryRun: opts.dryRun === true });
        io.stdout(opts.json === true ? `${JSON.stringify(result, null, 2)}\n` : erasureText(result));
        setExit(EXIT.ok);
      });
    });

  gdpr
    .command('retention')
    .description('Delete tickets closed more than DAYS days ago, with their messages, tags, decisions and audit rows; a count-only record stays')
    .requiredOption('--closed-older-than <days>', 'whole number of days (≥ 1) since the ticket was closed')
    .option('--dry-run', 'count what would be deleted, delete nothing')
    .option('--json', 'print the result as JSON')
    .option(...configOption)
    .action(async (opts: DbOptions & { closedOlderThan: string; dryRun?: boolean; json?: boolean }) => {
      const days = Number(opts.closedOlderThan);
      if (!/^\d+$/.test(opts.closedOlderThan.trim()) || !Number.isSafeInteger(days) || days < 1) {
        throw new TriageError('TRIAGE_CLI_USAGE', [`--closed-older-than must be a whole number of days ≥ 1, got "${opts.closedOlderThan}"`]);
      }
      await withDatabase(io, opts, async (db) => {
        const result = await runRetention(db, { closedOlderThanDays: days, actor, dryRun: opts.dryRun === true });
        io.stdout(opts.json === true ? `${JSON.stringify(result, null, 2)}\n` : retentionText(result));
        // Another instance holds the lock: nothing was done, say so in the exit code.
        setExit(result.status === 'skipped' ? EXIT.failed : EXIT.ok);
      });
    });
}

async function withDatabase(io: CliIo, opts: DbOptions, work: (db: Knex) => Promise<void>): Promise<void> {
  const config = await loadConfig({ file: opts.config, env: io.env });
  const db = await createDatabase({ url: config.database.url, sqlitePath: config.database.sqlitePath });
  try {
    await migrateToLatest(db);
    await work(db);
  } finally {
    await db.destroy();
  }
}

function table(rows: ReadonlyArray<readonly [string, number]>): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}\n`).join('');
}

function erasureText(r: ErasureResult): string {
  const tickets = r.tickets.length === 0 ? 'no tickets' : `${r.tickets.length} ticket(s): ${r.tickets.join(', ')}`;
  const head = r.dryRun ? `Dry run: would erase customer ${r.customerId} (${tickets})\n` : `Erased customer ${r.customerId} (${tickets})\n`;
  const c = r.counts;
  const body = table([
    ['messages', c.messages],
    ['attachments', c.attachments],
    ['identities', c.identities],
    ['audit rows', c.auditEvents],
    ['decisions', c.decisions],
    ['outbox rows', c.outbox],
    ['CRM lookups', c.enrichmentJobs],
    ['raw mails and attachment files', c.mailBlobs],
  ]);
  const tail = r.dryRun ? 'Nothing was changed.\n' : `Recorded as erasure ${r.erasureId ?? ''} by ${r.actor}; each ticket has a gdpr.erase audit row.\n`;
  return head + body + tail;
}

function retentionText(r: RetentionResult): string {
  if (r.status === 'skipped') return `Skipped: ${r.reason}.\n`;
  const c = r.counts;
  const head = `${r.status === 'dry-run' ? 'Dry run: would delete' : 'Deleted'} ${c.tickets} ticket(s) closed before ${r.cutoff} (more than ${r.closedOlderThanDays} days ago)\n`;
  const body = table([
    ['messages', c.messages],
    ['tags', c.tags],
    ['decisions', c.decisions],
    ['audit rows', c.auditEvents],
    ...Object.entries(c.other).map(([t, n]) => [t.replace(/_/g, ' '), n] as const),
  ]);
  const tail = r.status === 'dry-run' ? 'Nothing was changed.\n' : r.runId === null ? '' : `Recorded as retention run ${r.runId}.\n`;
  return head + body + tail;
}
