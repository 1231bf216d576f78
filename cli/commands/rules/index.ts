import type { Command } from 'commander';
import type { Knex } from 'knex';
import { loadConfig } from '../../../engine/config/load-config.js';
import { TriageError } from '../../../engine/errors/triage-error.js';
import { correctionStats } from '../../../engine/governance/correction-stats.js';
import { deadRules } from '../../../engine/governance/dead-rules.js';
import { correctionsText, deadRulesText, ruleStatsText } from '../../../engine/governance/governance-text.js';
import { loadRulesOrThrow } from '../../../engine/governance/load-rules-or-throw.js';
import { openReadOnlyDatabase, requireTables } from '../../../engine/governance/open-read-only-database.js';
import { ruleStats } from '../../../engine/governance/rule-stats.js';
import { sinceWindow } from '../../../engine/governance/since-window.js';
import type { RuleSet } from '../../../rules/lib/rule-set.js';
import { EXIT, type CliIo } from '../../cli-io.js';

interface ReportOptions {
  since: string;
  format: string;
  rules?: string;
  config?: string;
}

/**
 * `triage rules stats|dead|corrections`: rule governance over the stored
 * decisions (docs/governance.md). The database is opened read-only, so the
 * reports are safe against production while the server runs.
 */
export function registerRules(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const rules = program.command('rules').description('Rule governance: hit statistics, dead rules, corrections (docs/governance.md)');
  const common = (cmd: Command): Command =>
    cmd
      .option('--since <window>', 'window: 30d, 12h, 2w, 90m or an ISO-8601 date-time', '30d')
      .option('--format <format>', 'table or json', 'table')
      .option('--rules <dir>', 'the active rule set (default: rules.dir of the configuration)')
      .option('--config <file>', 'configuration file (default: $TRIAGE_CONFIG or ./triage.config.yaml if present)');

  common(rules.command('stats').description('Per rule and rule-set version: decisions evaluated, fired, actions succeeded/failed')).action(async (opts: ReportOptions) => {
    await report(io, opts, async (db, ruleSet, since) => {
      const r = await ruleStats(db, ruleSet!, since);
      return opts.format === 'json' ? r : ruleStatsText(r);
    });
    setExit(EXIT.ok);
  });
  common(rules.command('dead').description('Rules of the active set that never fired, were never reached after a stop, or whose set is always overridden')).action(async (opts: ReportOptions) => {
    await report(io, opts, async (db, ruleSet, since) => {
      const r = await deadRules(db, ruleSet!, since);
      return opts.format === 'json' ? r : deadRulesText(r);
    });
    setExit(EXIT.ok);
  });
  common(rules.command('corrections').description('Share of rule decisions agents changed by hand, per rule and field, with example tickets')).action(async (opts: ReportOptions) => {
    await report(io, opts, async (db, _ruleSet, since) => {
      const r = await correctionStats(db, since);
      return opts.format === 'json' ? r : correctionsText(r);
    }, false);
    setExit(EXIT.ok);
  });
}

async function report(io: CliIo, opts: ReportOptions, make: (db: Knex, ruleSet: RuleSet | undefined, since: string) => Promise<unknown>, needsRules = true): Promise<void> {
  if (opts.format !== 'table' && opts.format !== 'json') throw new TriageError('TRIAGE_CLI_USAGE', [`--format must be table or json, got "${opts.format}"`]);
  const since = sinceWindow(opts.since);
  const config = await loadConfig({ file: opts.config, env: io.env });
  // corrections read only the stored rows: a broken rule folder must not hide them.
  const ruleSet = needsRules ? await loadRulesOrThrow(opts.rules ?? config.rules.dir) : undefined;
  const db = await openReadOnlyDatabase({ url: config.database.url, sqlitePath: config.database.sqlitePath });
  try {
    await requireTables(db, ['decisions', 'outbox', 'corrections']);
    const out = await make(db, ruleSet, since);
    io.stdout(typeof out === 'string' ? out : `${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await db.destroy();
  }
}
