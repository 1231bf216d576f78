import { describe, expect, it } from 'vitest';
import { formatReport } from './format-report.js';
import type { ReportResult } from './report-result.js';

const RESULT: ReportResult = {
  report: 'sla',
  from: '2026-03-01T00:00:00.000Z',
  to: '2026-04-01T00:00:00.000Z',
  groupBy: 'team',
  generatedAt: '2026-04-01T00:00:00.000Z',
  columns: ['metric', 'group', 'timers', 'onTimePct'],
  rows: [
    { metric: 'firstResponse', group: 'Sales, "EMEA"', timers: 2, onTimePct: 50 },
    { metric: 'firstResponse', group: null, timers: 1, onTimePct: null },
  ],
  total: { metric: null, timers: 3, onTimePct: 50 },
};

describe('formatReport', () => {
  it('table: numbers right-aligned, unset group "(none)", unset figure "-", the total last with its key column blank', () => {
    expect(formatReport(RESULT, 'table').split('\n')).toEqual([
      'sla  2026-03-01T00:00:00.000Z … 2026-04-01T00:00:00.000Z  by team',
      'METRIC         GROUP          TIMERS  ONTIMEPCT',
      'firstResponse  Sales, "EMEA"       2         50',
      'firstResponse  (none)              1          -',
      'total                              3         50',
      '',
    ]);
  });

  it('csv: RFC 4180 quoting, empty fields for unset values, CRLF', () => {
    expect(formatReport(RESULT, 'csv')).toBe('metric,group,timers,onTimePct\r\nfirstResponse,"Sales, ""EMEA""",2,50\r\nfirstResponse,,1,\r\ntotal,,3,50\r\n');
  });

  it('json: the result as it is', () => {
    expect(JSON.parse(formatReport(RESULT, 'json'))).toEqual(RESULT);
  });
});
