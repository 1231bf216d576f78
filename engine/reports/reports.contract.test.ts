/**
 * Every report over the real store, on SQLite and PostgreSQL, against a
 * fixture of tickets made through the ticket service on a virtual clock
 * (test/helpers/report-fixture.ts) with known answers.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_FROM, REPORT_NOW, REPORT_TO, seedReportTickets, type FixtureTicket } from '../../test/helpers/report-fixture.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import { parseReportParams, type RawReportParams } from './report-params.js';
import type { ReportResult } from './report-result.js';
import { runReport } from './run-report.js';

describe.each<StoreKind>(['sqlite', 'postgres'])('reports (%s)', (kind) => {
  let harness: StoreHarness;
  let db: Knex;
  let n: Record<FixtureTicket, string>;

  beforeAll(async () => {
    harness = createStoreHarness(kind);
    db = await harness.open();
    n = await seedReportTickets(db);
  });
  afterAll(async () => {
    await harness.close();
  });

  const report = (name: string, raw: RawReportParams = {}): Promise<ReportResult> => runReport(db, parseReportParams(name, { from: REPORT_FROM, to: REPORT_TO, ...raw }, REPORT_NOW), REPORT_NOW);

  it('frt: mean, median, P90, P95 in minutes by linear interpolation; automatic acknowledgements are no response', async () => {
    const r = await report('frt', { tickets: true });
    expect(r).toMatchObject({ report: 'frt', from: REPORT_FROM, to: REPORT_TO, groupBy: null, generatedAt: REPORT_NOW.toISOString(), rows: [] });
    expect(r.columns).toEqual(['group', 'tickets', 'responded', 'mean', 'median', 'p90', 'p95']);
    expect(r.total).toEqual({ tickets: 5, responded: 4, mean: 25, median: 25, p90: 37, p95: 38.5, ticketIds: [n.A, n.B, n.C, n.D].sort(), ticketCount: 4 });
  });

  it('frt by category: a group per value, unset last; without tickets no ids', async () => {
    const r = await report('frt', { groupBy: 'category' });
    expect(r.rows).toEqual([
      { group: 'complaint', tickets: 1, responded: 1, mean: 40, median: 40, p90: 40, p95: 40 },
      { group: 'inquiry', tickets: 2, responded: 1, mean: 30, median: 30, p90: 30, p95: 30 },
      { group: 'invoice', tickets: 2, responded: 2, mean: 15, median: 15, p90: 19, p95: 19.5 },
    ]);
  });

  it('ttr: created → solved of the tickets created in the range', async () => {
    const r = await report('ttr', { groupBy: 'team', tickets: true });
    expect(r.total).toMatchObject({ tickets: 5, solved: 2, mean: 90, median: 90, p90: 114, p95: 117 });
    expect(r.rows.map((row) => [row.group, row.solved, row.ticketIds])).toEqual([
      ['finance', 2, [n.A, n.B].sort()],
      ['quality', 0, []],
      [null, 0, []],
    ]);
  });

  it('sla: on-time % per metric; met late and overdue count as breached', async () => {
    const r = await report('sla', { tickets: true });
    expect(r.columns).toEqual(['metric', 'timers', 'met', 'breached', 'running', 'onTimePct']);
    const rows = r.rows.map(({ metric, timers, met, breached, running, onTimePct, ticketIds }) => ({ metric, timers, met, breached, running, onTimePct, ticketIds }));
    expect(rows).toEqual([
      { metric: 'firstResponse', timers: 5, met: 3, breached: 2, running: 0, onTimePct: 60, ticketIds: [n.C, n.E].sort() },
      { metric: 'nextResponse', timers: 1, met: 1, breached: 0, running: 0, onTimePct: 100, ticketIds: [] },
      { metric: 'resolution', timers: 5, met: 2, breached: 0, running: 3, onTimePct: 100, ticketIds: [] },
    ]);
    expect(r.total).toMatchObject({ metric: null, timers: 11, met: 6, breached: 2, running: 3, onTimePct: 75 });

    const byPriority = await report('sla', { groupBy: 'priority' });
    expect(byPriority.rows.filter((row) => row.metric === 'firstResponse').map((row) => [row.group, row.met, row.breached])).toEqual([
      ['P1', 0, 1],
      ['P2', 3, 1],
    ]);
  });

  it('sla-breaches: by group with a weekday × hour heatmap in the requested zone', async () => {
    const utc = await report('sla-breaches', { groupBy: 'category', tickets: true });
    expect(utc.rows).toEqual([{ group: 'inquiry', breaches: 2, firstResponse: 2, nextResponse: 0, resolution: 0, ticketIds: [n.C, n.E].sort(), ticketCount: 2 }]);
    // C passed its target at 09:15 UTC, E at 10:00 UTC, on a Monday
    expect(utc.heatmap?.timeZone).toBe('UTC');
    expect(utc.heatmap?.cells[0]?.[9]).toBe(1);
    expect(utc.heatmap?.cells[0]?.[10]).toBe(1);
    expect(utc.heatmap?.cells.flat().reduce((s, v) => s + v, 0)).toBe(2);
    // One heatmap per group, in the order of the rows; without groupBy none.
    expect(utc.heatmap?.groups?.map((g) => g.group)).toEqual(['inquiry']);
    expect(utc.heatmap?.groups?.[0]?.cells).toEqual(utc.heatmap?.cells);
    const warsaw = await report('sla-breaches', { tz: 'Europe/Warsaw' });
    expect(warsaw.heatmap?.cells[0]?.[10]).toBe(1);
    expect(warsaw.heatmap?.cells[0]?.[11]).toBe(1);
    expect(warsaw.heatmap?.weekdays).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
    expect(warsaw.heatmap?.groups).toBeUndefined();
  });

  it('backlog: open tickets now, whatever the range, and their age', async () => {
    const r = await report('backlog', { groupBy: 'category', tickets: true });
    expect(r.total).toMatchObject({ backlog: 4, ageLt1h: 0, age1to4h: 3, age4to24h: 0, age1to3d: 1, age3to7d: 0, ageGt7d: 0, medianAgeHours: 3, oldestAgeHours: 51, ticketCount: 4 });
    expect(r.rows.map((row) => [row.group, row.backlog, row.ticketIds])).toEqual([
      ['complaint', 1, [n.D]],
      ['inquiry', 3, [n.C, n.E, n.F].sort()],
    ]);
    expect((r.total.new as number) + (r.total.open as number) + (r.total.pending as number)).toBe(4);
  });

  it('load: open now, created and solved in the range per agent', async () => {
    const r = await report('load', { groupBy: 'agent' });
    expect(r.rows).toEqual([
      { group: 'anna', openNow: 0, created: 1, solved: 1 },
      { group: null, openNow: 4, created: 4, solved: 1 },
    ]);
    expect(r.total).toEqual({ openNow: 4, created: 5, solved: 2 });
  });

  it('fcr: one public agent reply and no customer follow-up', async () => {
    const r = await report('fcr', { groupBy: 'team', tickets: true });
    expect(r.total).toEqual({ resolved: 2, fcr: 1, fcrPct: 50, ticketIds: [n.A], ticketCount: 1 });
  });

  it('csat: mean and the distribution of the answers given in the range', async () => {
    const r = await report('csat', { groupBy: 'team' });
    expect(r.rows).toEqual([{ group: 'finance', responses: 2, mean: 4, score1: 0, score2: 0, score3: 1, score4: 0, score5: 1 }]);
    const later = await report('csat', { from: '2026-03-03T00:00:00Z', to: '2026-03-04T00:00:00Z' });
    expect(later.total).toMatchObject({ responses: 0, mean: null });
  });

  it('unassigned: open tickets without an agent, with or without a team', async () => {
    const r = await report('unassigned', { tickets: true });
    expect(r.total).toEqual({ unassigned: 3, teamOnly: 1, oldestAgeHours: 51, ticketIds: [n.C, n.D, n.E, n.F].sort(), ticketCount: 4 });
  });

  it('corrections: corrections / changes the rule made, per rule and field, for the tickets created in the range', async () => {
    const r = await report('corrections', { tickets: true });
    expect(r.rows.map(({ rule, field, applied, corrected, ratePct }) => [rule, field, applied, corrected, ratePct])).toEqual([
      ['categorize-inquiry', 'category', 3, 1, 33.33],
      ['categorize-invoice', 'category', 2, 0, 0],
      ['categorize-invoice', 'team', 2, 0, 0],
      ['p1', 'priority', 1, 0, 0],
      ['p2', 'priority', 4, 0, 0],
    ]);
    expect(r.rows[0]).toMatchObject({ ticketIds: [n.D], ticketCount: 1 });
    expect(r.total).toMatchObject({ applied: 12, corrected: 1, ratePct: 8.33 });
  });

  it('an empty range gives zero counts and null figures, not errors', async () => {
    const r = await report('frt', { from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z', groupBy: 'team' });
    expect(r.rows).toEqual([]);
    expect(r.total).toEqual({ tickets: 0, responded: 0, mean: null, median: null, p90: null, p95: null });
  });

  it('migration 0011 adds the report indexes; the solved_at one covers solved tickets only', async () => {
    const definition =
      kind === 'sqlite'
        ? ((await db.raw("select sql from sqlite_master where type = 'index' and name in ('tickets_solved_at_reports', 'csat_responses_created_at') order by name")) as { sql: string }[]).map((r) => r.sql)
        : ((await db.raw("select indexdef as sql from pg_indexes where indexname in ('tickets_solved_at_reports', 'csat_responses_created_at') order by indexname")) as { rows: { sql: string }[] }).rows.map((r) => r.sql);
    expect(definition).toHaveLength(2);
    expect(definition[0]).toMatch(/csat_responses.*created_at/);
    expect(definition[1]).toMatch(/solved_at.*where.*solved_at.*is not null/i);
  });
});
