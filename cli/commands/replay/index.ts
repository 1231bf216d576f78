import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../../../engine/config/load-config.js';
import { TriageError } from '../../../engine/errors/triage-error.js';
import { replayMarkdown, replayText } from '../../../engine/governance/governance-text.js';
import { loadRulesOrThrow } from '../../../engine/governance/load-rules-or-throw.js';
import { openReadOnlyDatabase, requireTables } from '../../../engine/governance/open-read-only-database.js';
import { replayTickets } from '../../../engine/governance/replay.js';
import { sinceWindow } from '../../../engine/governance/since-window.js';
import { EXIT, type CliIo } from '../../cli-io.js';

interface ReplayCliOptions {
  rules: string;
  base?: string;
  since?: string;
  tickets?: string;
  format: string;
  progress: boolean;
  config?: string;
}

const FORMATS = ['table', 'json', 'markdown'];

/**
 * `triage replay --rules DIR`: what a changed rule set would have decided for
 * stored tickets, against the active set on the same facts. Opens the
 * database read-only; writes nothing anywhere.
 */
export function registerReplay(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('replay')
    .description('Re-evaluate stored tickets with a changed rule set and print the diff against the active set (docs/governance.md)')
    .requiredOption('--rules <dir>', 'the changed rule set')
    .option('--base <dir>', 'the rule set to compare with (default: rules.dir of the configuration, the active set)')
    .option('--since <window>', 'tickets created in this window: 30d, 12h, 2w or an ISO-8601 date-time (default 30d)')
    .option('--tickets <file>', 'only these tickets: one number or id per line, or a JSON array')
    .option('--format <format>', `${FORMATS.join(', ')} (markdown suits a pull-request comment)`, 'table')
    .option('--no-progress', 'no progress bar (it only shows when stderr is a terminal)')
    .option('--config <file>', 'configuration file (default: $TRIAGE_CONFIG or ./triage.config.yaml if present)')
    .action(async (opts: ReplayCliOptions) => {
      if (!FORMATS.includes(opts.format)) throw new TriageError('TRIAGE_CLI_USAGE', [`--format must be one of ${FORMATS.join(', ')}, got "${opts.format}"`]);
      if (opts.since !== undefined && opts.tickets !== undefined) throw new TriageError('TRIAGE_CLI_USAGE', ['give --since or --tickets, not both']);
      const tickets = opts.tickets === undefined ? undefined : await readTicketList(opts.tickets);
      const since = tickets === undefined ? sinceWindow(opts.since ?? '30d') : undefined;
      const config = await loadConfig({ file: opts.config, env: io.env });
      const base = await loadRulesOrThrow(opts.base ?? config.rules.dir);
      const candidate = await loadRulesOrThrow(opts.rules);
      const db = await openReadOnlyDatabase({ url: config.database.url, sqlitePath: config.database.sqlitePath });
      const bar = opts.progress && process.stderr.isTTY ? progressBar(io) : undefined;
      try {
        await requireTables(db, ['decisions', 'tickets', 'messages', 'audit_events', 'customers']);
        const report = await replayTickets(db, { base, candidate, ...(since === undefined ? {} : { since }), ...(tickets === undefined ? {} : { tickets }), ...(bar === undefined ? {} : { onProgress: bar }) });
        if (bar !== undefined) io.stderr('\n');
        io.stdout(opts.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : opts.format === 'markdown' ? replayMarkdown(report) : replayText(report));
        setExit(EXIT.ok);
      } finally {
        await db.destroy();
      }
    });
}

/** One ticket number or id per line (# comments, blank lines ignored), or a JSON array of them. */
export async function readTicketList(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TriageError('TRIAGE_REPLAY_TICKETS_FILE', [file, error instanceof Error ? error.message : String(error)], { cause: error });
  }
  if (text.trimStart().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new TriageError('TRIAGE_REPLAY_TICKETS_FILE', [file, `invalid JSON: ${error instanceof Error ? error.message : String(error)}`], { cause: error });
    }
    if (!Array.isArray(parsed) || !parsed.every((x): x is string => typeof x === 'string' && x.trim() !== '')) throw new TriageError('TRIAGE_REPLAY_TICKETS_FILE', [file, 'the JSON must be an array of ticket numbers or ids (strings)']);
    return parsed.map((x) => x.trim());
  }
  const list = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (list.length === 0) throw new TriageError('TRIAGE_REPLAY_TICKETS_FILE', [file, 'it lists no tickets']);
  return list;
}

function progressBar(io: CliIo): (done: number, total: number) => void {
  return (done, total) => {
    const share = total === 0 ? 1 : Math.min(1, done / total);
    const width = 30;
    const full = Math.round(share * width);
    io.stderr(`\r[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${done}/${total} tickets`);
  };
}
