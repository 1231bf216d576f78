import type { Command } from 'commander';
import { loadConfig } from '../../../engine/config/load-config.js';
import { isTriageError, TriageError } from '../../../engine/errors/triage-error.js';
import { formatReport, REPORT_FORMATS, type ReportFormat } from '../../../engine/reports/format-report.js';
import { GROUP_BYS, parseReportParams, REPORT_NAMES, type ReportParams } from '../../../engine/reports/report-params.js';
import { defaultReportTimeZone } from '../../../engine/reports/report-time-zone.js';
import { runReport } from '../../../engine/reports/run-report.js';
import { createDatabase } from '../../../engine/store/create-database.js';
import { migrateToLatest } from '../../../engine/store/migrate-to-latest.js';
import { EXIT, type CliIo } from '../../cli-io.js';

interface ReportOptions {
  from?: string;
  to?: string;
  groupBy?: string;
  format: string;
  tickets?: boolean;
  tz?: string;
  config?: string;
}

/**
 * `triage report <name>`: one report (docs/reports.md) over the database the
 * server uses (same config file, DATABASE_URL, TRIAGE_SQLITE_PATH); it only
 * reads, so it runs next to a serving instance. Bad parameters exit 2 with
 * the same TRIAGE_REPORT_* codes the API answers with.
 */
export function registerReport(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('report')
    .description(`Print a report: ${REPORT_NAMES.join(', ')} (docs/reports.md)`)
    .argument('<name>', `one of ${REPORT_NAMES.join(', ')}`)
    .option('--from <iso>', 'start of the range, inclusive (default: 30 days before --to)')
    .option('--to <iso>', 'end of the range, exclusive (default: now)')
    .option('--group-by <field>', `one row per value of ${GROUP_BYS.join('|')} (agent = assignee)`)
    .option('--format <format>', `${REPORT_FORMATS.join('|')}`, 'table')
    .option('--tickets', 'list the ticket numbers behind every row (at most 100 per row, with the count)')
    .option('--tz <zone>', 'IANA time zone of the sla-breaches heatmap (default: the SLA policy business calendar zone, else UTC)')
    .option('--config <file>', 'configuration file (default: $TRIAGE_CONFIG or ./triage.config.yaml if present)')
    .action(async (name: string, opts: ReportOptions) => {
      if (!(REPORT_FORMATS as readonly string[]).includes(opts.format)) throw new TriageError('TRIAGE_CLI_USAGE', [`--format must be one of ${REPORT_FORMATS.join(', ')}, got "${opts.format}"`]);
      const format = opts.format as ReportFormat;
      const config = await loadConfig({ file: opts.config, env: io.env });
      const now = new Date();
      let params: ReportParams;
      try {
        params = parseReportParams(name, { from: opts.from, to: opts.to, groupBy: opts.groupBy, tz: opts.tz, tickets: opts.tickets }, now, await defaultReportTimeZone(config));
      } catch (e) {
        if (!isTriageError(e)) throw e;
        io.stderr(`${e.code} ${e.message}\n  hint: ${e.hint}\n`);
        setExit(EXIT.usage);
        return;
      }
      const db = await createDatabase({ url: config.database.url, sqlitePath: config.database.sqlitePath });
      try {
        await migrateToLatest(db);
        io.stdout(formatReport(await runReport(db, params, now), format));
        setExit(EXIT.ok);
      } finally {
        await db.destroy();
      }
    });
}
