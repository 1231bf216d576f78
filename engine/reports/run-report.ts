import type { Knex } from 'knex';
import { correctionsReport } from './corrections-report.js';
import { csatReport } from './csat-report.js';
import { frtReport, ttrReport } from './duration-reports.js';
import { fcrReport } from './fcr-report.js';
import type { ReportBody, ReportContext } from './report-context.js';
import type { ReportName, ReportParams } from './report-params.js';
import type { ReportResult } from './report-result.js';
import { slaBreachesReport, slaReport } from './sla-reports.js';
import { backlogReport, loadReport, unassignedReport } from './workload-reports.js';

const REPORTS: Record<ReportName, (ctx: ReportContext) => Promise<ReportBody>> = {
  frt: frtReport,
  ttr: ttrReport,
  sla: slaReport,
  'sla-breaches': slaBreachesReport,
  backlog: backlogReport,
  load: loadReport,
  fcr: fcrReport,
  csat: csatReport,
  unassigned: unassignedReport,
  corrections: correctionsReport,
};

/**
 * Runs one report (docs/reports.md) over the store: reads only, so it can run
 * next to a serving instance. `now` is the instant "open now" and "overdue"
 * are judged at (injectable for tests).
 */
export async function runReport(db: Knex, params: ReportParams, now: Date = new Date()): Promise<ReportResult> {
  const body = await REPORTS[params.name]({ db, params, now });
  return { report: params.name, from: params.from, to: params.to, groupBy: params.groupBy, generatedAt: now.toISOString(), ...body };
}
