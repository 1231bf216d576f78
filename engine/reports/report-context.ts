import type { Knex } from 'knex';
import type { ReportParams } from './report-params.js';
import type { ReportResult } from './report-result.js';

/** What every report gets: the database, checked parameters and the clock's now. */
export interface ReportContext {
  db: Knex;
  params: ReportParams;
  now: Date;
}

/** What a report computes; runReport adds name, range, groupBy and generatedAt. */
export type ReportBody = Pick<ReportResult, 'columns' | 'rows' | 'total'> & Partial<Pick<ReportResult, 'heatmap'>>;
