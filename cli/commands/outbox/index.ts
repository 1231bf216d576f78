import type { Command } from 'commander';
import { loadConfig } from '../../../engine/config/load-config.js';
import { TriageError } from '../../../engine/errors/triage-error.js';
import { isOutboxStatus, OUTBOX_STATUSES, type OutboxStatus } from '../../../engine/outbox/outbox-entry.js';
import { OutboxStore } from '../../../engine/outbox/outbox-store.js';
import { outboxEntryView, type OutboxEntryView } from '../../../engine/outbox/outbox-view.js';
import { createDatabase } from '../../../engine/store/create-database.js';
import { migrateToLatest } from '../../../engine/store/migrate-to-latest.js';
import { EXIT, type CliIo } from '../../cli-io.js';

interface DbOptions {
  config?: string;
}

/**
 * `triage outbox list|retry|drop`: look at and repair the outbox on the
 * database the server uses (same config file, DATABASE_URL,
 * TRIAGE_SQLITE_PATH), so it works while the server runs. Retries and drops
 * are audited with the user as actor (`cli:<USER>`); rows are never deleted.
 */
export function registerOutbox(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const outbox = program.command('outbox').description('List, retry and drop the actions rules decided (docs/outbox.md)');
  const configOption = ['--config <file>', 'configuration file (default: $TRIAGE_CONFIG or ./triage.config.yaml if present)'] as const;
  const actor = `cli:${io.env.USER ?? io.env.USERNAME ?? 'unknown'}`;

  outbox
    .command('list')
    .description(`List rows, newest first, with the count per status. Statuses: ${OUTBOX_STATUSES.join(', ')}`)
    .option('--status <status>', 'only rows in this status (e.g. dead)')
    .option('--ticket <id>', 'only rows of this ticket (id)')
    .option('--limit <n>', 'at most this many rows (default 50)')
    .option('--json', 'print { entries, counts } as JSON (params with secret-looking keys masked)')
    .option(...configOption)
    .action(async (opts: DbOptions & { status?: string; ticket?: string; limit?: string; json?: boolean }) => {
      const status = opts.status === undefined ? undefined : parseStatus(opts.status);
      const limit = opts.limit === undefined ? 50 : Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new TriageError('TRIAGE_CLI_USAGE', [`--limit must be a positive whole number, got "${opts.limit ?? ''}"`]);
      await withStore(io, opts, async (store) => {
        const page = await store.list({ limit, ...(status === undefined ? {} : { status }), ...(opts.ticket === undefined ? {} : { ticketId: opts.ticket }) });
        const counts = await store.countByStatus();
        const entries = page.entries.map(outboxEntryView);
        if (opts.json === true) io.stdout(`${JSON.stringify({ entries, counts }, null, 2)}\n`);
        else io.stdout(`${OUTBOX_STATUSES.map((s) => `${s} ${counts[s]}`).join('  ')}\n${entries.length === 0 ? 'No outbox rows.\n' : table(entries)}`);
        setExit(EXIT.ok);
      });
    });

  outbox
    .command('retry')
    .description('Send a dead (or dropped) row again with a fresh budget of attempts; --all-dead for every dead row')
    .argument('[id]', 'the row id, as `triage outbox list` shows it')
    .option('--all-dead', 'retry every dead row')
    .option('--json', 'print the row (or { retried: n }) as JSON')
    .option(...configOption)
    .action(async (id: string | undefined, opts: DbOptions & { allDead?: boolean; json?: boolean }) => {
      if ((id === undefined) === (opts.allDead !== true)) throw new TriageError('TRIAGE_CLI_USAGE', ['give either a row id or --all-dead']);
      await withStore(io, opts, async (store) => {
        const now = new Date().toISOString();
        if (id === undefined) {
          const retried = await store.retryAllDead(actor, now);
          io.stdout(opts.json === true ? `${JSON.stringify({ retried })}\n` : `Retrying ${retried} dead row${retried === 1 ? '' : 's'}.\n`);
        } else {
          const entry = outboxEntryView(await store.retry(id, actor, now));
          io.stdout(opts.json === true ? `${JSON.stringify(entry, null, 2)}\n` : `Retrying ${entry.actionType} (${entry.id}): pending, due now.\n`);
        }
        setExit(EXIT.ok);
      });
    });

  outbox
    .command('drop')
    .description('Give up on a pending or dead row: status dropped, kept for the record (never deleted)')
    .argument('<id>', 'the row id, as `triage outbox list` shows it')
    .option('--json', 'print the row as JSON')
    .option(...configOption)
    .action(async (id: string, opts: DbOptions & { json?: boolean }) => {
      await withStore(io, opts, async (store) => {
        const entry = outboxEntryView(await store.drop(id, actor, new Date().toISOString()));
        io.stdout(opts.json === true ? `${JSON.stringify(entry, null, 2)}\n` : `Dropped ${entry.actionType} (${entry.id}).\n`);
        setExit(EXIT.ok);
      });
    });
}

function parseStatus(value: string): OutboxStatus {
  if (!isOutboxStatus(value)) throw new TriageError('TRIAGE_CLI_USAGE', [`--status must be one of ${OUTBOX_STATUSES.join(', ')}, got "${value}"`]);
  return value;
}

async function withStore(io: CliIo, opts: DbOptions, work: (store: OutboxStore) => Promise<void>): Promise<void> {
  const config = await loadConfig({ file: opts.config, env: io.env });
  const db = await createDatabase({ url: config.database.url, sqlitePath: config.database.sqlitePath });
  try {
    await migrateToLatest(db);
    await work(new OutboxStore(db));
  } finally {
    await db.destroy();
  }
}

function table(entries: readonly OutboxEntryView[]): string {
  const head = ['ID', 'STATUS', 'ACTION', 'CONNECTION', 'ATTEMPTS', 'NEXT ATTEMPT', 'RULE', 'LAST ERROR'];
  const rows = entries.map((e) => [
    e.id,
    e.status,
    e.actionType,
    e.connection ?? '-',
    String(e.attempts),
    e.status === 'pending' ? e.nextAttemptAt : '-',
    e.ruleId,
    e.lastError === null ? '-' : `${e.lastError.code} ${e.lastError.message}`.slice(0, 120),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`;
  return [head, ...rows].map(line).join('');
}
