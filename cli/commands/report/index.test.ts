import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCommand, seededCliSqlite } from '../../../test/helpers/cli-sqlite.js';
import { REPORT_FROM, REPORT_TO, seedReportTickets, type FixtureTicket } from '../../../test/helpers/report-fixture.js';
import type { TempSqliteFile } from '../../../test/helpers/sqlite.js';

describe('triage report', () => {
  let file: TempSqliteFile;
  let env: Record<string, string>;
  let n: Record<FixtureTicket, string>;

  beforeAll(async () => {
    ({ file, env } = await seededCliSqlite('anna', async (db) => {
      n = await seedReportTickets(db);
    }));
    // No SLA policy configured (none next to these rules): the heatmap defaults to UTC.
    env = { ...env, TRIAGE_RULES: 'no/such/rules' };
  });
  afterAll(async () => {
    await file.cleanup();
  });

  const run = (...argv: string[]): ReturnType<typeof runCliCommand> => runCliCommand(env, ['report', ...argv, '--from', REPORT_FROM, '--to', REPORT_TO]);

  it('prints a table by default: a heading, one row per group, then the total', async () => {
    const r = await run('frt', '--group-by', 'category');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      `frt  ${REPORT_FROM} … ${REPORT_TO}  by category`,
      'GROUP      TICKETS  RESPONDED  MEAN  MEDIAN  P90   P95',
      'complaint        1          1    40      40   40    40',
      'inquiry          2          1    30      30   30    30',
      'invoice          2          2    15      15   19  19.5',
      'total            5          4    25      25   37  38.5',
      '',
    ]);
  });

  it('--format json prints the report as the API answers it; --tickets adds the ticket numbers', async () => {
    const r = await run('ttr', '--format', 'json', '--tickets', '--group-by', 'agent');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out) as { report: string; groupBy: string; rows: unknown[]; total: unknown };
    expect(body).toMatchObject({ report: 'ttr', groupBy: 'agent', from: REPORT_FROM, to: REPORT_TO });
    expect(body.rows).toEqual([
      { group: 'anna', tickets: 1, solved: 1, mean: 60, median: 60, p90: 60, p95: 60, ticketIds: [n.A], ticketCount: 1 },
      { group: null, tickets: 4, solved: 1, mean: 120, median: 120, p90: 120, p95: 120, ticketIds: [n.B], ticketCount: 1 },
    ]);
    expect(body.total).toMatchObject({ solved: 2, mean: 90, p95: 117 });
  });

  it('--format csv prints a header, the rows and the total (RFC 4180 line ends, empty for unset)', async () => {
    const r = await run('corrections', '--format', 'csv', '--tickets');
    expect(r.code).toBe(0);
    expect(r.out.split('\r\n')).toEqual([
      'rule,field,applied,corrected,ratePct,ticketCount,ticketIds',
      `categorize-inquiry,category,3,1,33.33,1,${n.D}`,
      'categorize-invoice,category,2,0,0,0,',
      'categorize-invoice,team,2,0,0,0,',
      'p1,priority,1,0,0,0,',
      'p2,priority,4,0,0,0,',
      `total,,12,1,8.33,1,${n.D}`,
      '',
    ]);
  });

  it('sla-breaches prints the weekday × hour heatmap under the table', async () => {
    const r = await run('sla-breaches', '--tz', 'Europe/Warsaw');
    expect(r.code).toBe(0);
    expect(r.out).toContain('breaches by weekday × hour (Europe/Warsaw)');
    const monday = r.out.split('\n').find((line) => line.startsWith('mon '))?.trim().split(/\s+/);
    // C passed its first-response target at 10:15 Warsaw time, E at 11:00 (index 0 is the weekday)
    expect(monday?.slice(0, 13)).toEqual(['mon', '.', '.', '.', '.', '.', '.', '.', '.', '.', '.', '1', '1']);
    expect(monday).toHaveLength(25);
  });

  it('the heatmap zone defaults to the SLA policy business calendar zone, else UTC', async () => {
    const zone = async (extra: Record<string, string>): Promise<unknown> =>
      (JSON.parse((await runCliCommand({ ...env, ...extra }, ['report', 'sla-breaches', '--format', 'json', '--from', REPORT_FROM, '--to', REPORT_TO])).out) as { heatmap: { timeZone: string } }).heatmap.timeZone;
    expect(await zone({})).toBe('UTC');
    expect(await zone({ TRIAGE_SLA_POLICY: 'rules/default/sla/policy.yaml' })).toBe('Europe/Warsaw');
  });

  it('bad input exits 2 with a coded error and prints no report', async () => {
    const cases: Array<[string[], string]> = [
      [['happiness'], 'TRIAGE_REPORT_UNKNOWN'],
      [['frt', '--group-by', 'weather'], 'TRIAGE_REPORT_BAD_PARAM'],
      [['frt', '--tz', 'Mars/Olympus'], 'TRIAGE_REPORT_BAD_PARAM'],
      [['frt', '--format', 'xml'], 'TRIAGE_CLI_USAGE'],
    ];
    for (const [argv, code] of cases) {
      const r = await run(...argv);
      expect([argv, r.code, r.err.split(' ')[0], r.out]).toEqual([argv, 2, code, '']);
    }
    const range = await runCliCommand(env, ['report', 'frt', '--from', '2026-03-02T00:00:00Z', '--to', '2026-03-01T00:00:00Z']);
    expect([range.code, range.err.split(' ')[0]]).toEqual([2, 'TRIAGE_REPORT_BAD_RANGE']);
  });
});
