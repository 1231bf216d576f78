import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { anchor, formatDate, formatNumber, formatRatio, readBenchResults, renderPerformanceReport, writePerformanceReport } from './write-report.js';

const MACHINE = { cpus: 2, model: 'AMD EPYC', ramGiB: 23.5, node: 'v20.20.2', kernel: 'Linux 6.1.0', loadAverage1m: 0.4 };

/** Results in the shapes the benchmarks write (full settings unless a test shortens them). */
function fixtures(): Record<string, unknown> {
  return {
    // The older shape: `date`, `node` and a machine without RAM and kernel.
    evaluate: {
      name: 'evaluate',
      date: '2026-11-29T20:15:28.355Z',
      node: 'v20.20.2',
      machine: { cpus: 2, model: 'AMD EPYC' },
      tickets: 10000,
      rules: 50,
      baseline: { ticketsPerSecond: 636, medianTicketsPerSecond: 633, runs: 3 },
      candidate: { ticketsPerSecond: 65527, medianTicketsPerSecond: 64581, runs: 7 },
      ratio: 103,
      medianRatio: 102,
      agreement: true,
    },
    http: {
      name: 'http',
      measuredAt: '2026-11-30T01:02:03.000Z',
      machine: MACHINE,
      durationSeconds: 10,
      connections: 20,
      rounds: 3,
      echo: { requestsPerSecond: 13708, latencyMs: { p50: 1, p99: 5 } },
      evaluate: { requestsPerSecond: 4283, latencyMs: { p50: 4, p99: 11 }, cpuMicrosPerRequest: 210 },
      ingest: { requestsPerSecond: 329, latencyMs: { p50: 56, p99: 124 }, acknowledgedButMissing: 0 },
      ingestNormalSync: { requestsPerSecond: 394, latencyMs: { p50: 50, p99: 114 } },
      ratios: { evaluateToEcho: 0.312, ingestToEcho: 0.02, ingestNormalSyncToEcho: 0.024, targets: { evaluateToEcho: 0.3, ingestToEcho: 0.1 }, cpuCostEchoOverTarget: { evaluate: 0.41, ingest: 0.031 } },
    },
    outbox: {
      measuredAt: '2026-11-30T01:02:03.000Z',
      machine: MACHINE,
      actionsPerRound: 2000,
      concurrency: 20,
      rounds: 3,
      axios: { actionsPerSecond: 3400 },
      connector: { actionsPerSecond: 3446 },
      outbox: { actionsPerSecond: 1729 },
      ratio: { outboxToAxios: 0.509 },
      checks: { everyKeyExactlyOnce: true },
    },
    'sla-sweep': {
      measuredAt: '2026-11-30T01:02:03.000Z',
      machine: MACHINE,
      due: 1000,
      small: { openTickets: 100000, timerRows: 202000, dueQueryMs: 0.87, sweepMs: 2542, decisionsPerSecond: 393 },
      large: { openTickets: 1000000, timerRows: 2002000, dueQueryMs: 0.82, sweepMs: 2590, decisionsPerSecond: 386 },
      ratios: { openTickets: 10, dueQuery: 0.94, sweep: 1.02 },
    },
    'imap-ingest': {
      measuredAt: '2026-11-30T01:02:03.000Z',
      machine: MACHINE,
      messages: 1000,
      baseline: { messagesPerSecond: 5370 },
      ingest: { messagesPerSecond: 287, target: 300 },
      ratioToBaseline: 0.053,
    },
    startup: {
      measuredAt: '2026-11-30T01:02:03.000Z',
      machine: MACHINE,
      runs: 7,
      rules: { shipped: 41, total: 500, files: 21 },
      startup: {
        hello: { medianMs: 240, minMs: 230, maxMs: 260, medianRssAtReadyMiB: 60.2 },
        shipped: { medianMs: 1900, minMs: 1800, maxMs: 2100 },
        rules500: { medianMs: 2800, minMs: 2700, maxMs: 2950 },
        rules500FirstStart: { medianMs: 2900, minMs: 2850, maxMs: 3000 },
      },
      idleRss: {
        runs: 3,
        settleMs: 2000,
        warmup: { evaluates: 1000, tickets: 200, helloEchoes: 1200 },
        hello: { afterStartMiB: 64.7, afterWarmupMiB: 68.7 },
        triage: { afterStartMiB: 174.8, afterWarmupMiB: 183.5 },
      },
      ratios: { rules500StartupToHello: 11.67, shippedStartupToHello: 7.92, rules500FirstStartToHello: 12.08, idleRssToHello: 2.7, warmRssToHello: 2.67 },
    },
    'scale-out': {
      measuredAt: '2026-11-30T01:02:03.000Z',
      machine: MACHINE,
      durationSeconds: 3,
      rounds: 1,
      loadGenerator: '2 autocannon processes',
      evaluate: {
        oneInstance: { requestsPerSecond: 4000, latencyMs: { p50: 9, p99: 20 }, cpuCores: { servers: 1, loadGenerators: 0.4, other: 0.1 }, serverCpuMicrosPerRequest: 250 },
        twoInstances: { requestsPerSecond: 5600, latencyMs: { p50: 6, p99: 15 }, cpuCores: { servers: 1.5, loadGenerators: 0.45, other: 0.05 }, serverCpuMicrosPerRequest: 268 },
        scale: 1.4,
        target: 1.5,
      },
      ingest: {
        oneInstance: { requestsPerSecond: 300, latencyMs: { p50: 120, p99: 300 }, cpuCores: { servers: 0.5, loadGenerators: 0.05, other: 0.9 } },
        twoInstances: { requestsPerSecond: 420, latencyMs: { p50: 90, p99: 250 }, cpuCores: { servers: 0.8, loadGenerators: 0.06, other: 1 } },
        scale: 1.4,
      },
    },
  };
}

/** The markdown table row whose first cell is `first`, split into its cells. */
function row(markdown: string, first: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${first} |`));
  if (line === undefined) throw new Error(`no row starting with "${first}" in:\n${markdown}`);
  return line
    .slice(2, -2)
    .split(' | ')
    .map((c) => c.trim());
}

/** The text of one `## title` section. */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`no section ${title}`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

describe('renderPerformanceReport', () => {
  const page = renderPerformanceReport(fixtures(), { generatedAt: '2026-11-30T02:00:00.000Z' });

  it('writes a row per figure with the ratio to its in-run baseline and the target verdict', () => {
    const evaluate = section(page, 'Rule evaluation');
    expect(row(evaluate, 'json-rules-engine (baseline)')).toEqual(['json-rules-engine (baseline)', '633', '636', '1', '', '']);
    expect(row(evaluate, 'compiled conditions')).toEqual(['compiled conditions', '64,581', '65,527', '102×', '≥ 50×', 'met']);

    const http = section(page, 'HTTP API: evaluate and ticket ingest (SQLite)');
    expect(row(http, '`POST /echo` (plain Fastify, baseline)')).toEqual(['`POST /echo` (plain Fastify, baseline)', '13,708', '1 / 5 ms', '—', '1', '', '']);
    expect(row(http, '`POST /v1/evaluate`')).toEqual(['`POST /v1/evaluate`', '4,283', '4 / 11 ms', '210', '0.312×', '≥ 0.3×', 'met']);
    expect(row(http, '`POST /v1/tickets` (SQLite, durable)')).toEqual(['`POST /v1/tickets` (SQLite, durable)', '329', '56 / 124 ms', '—', '0.020×', '≥ 0.1×', '**not met**']);

    expect(http).toContain('in server CPU per request (echo\'s over the route\'s; steadier than req/s when other processes share the cores): evaluate 0.410×, ingest 0.031×.');

    expect(row(section(page, 'Outbox dispatch'), 'outbox worker (claim, execute, record, mark done)')).toEqual([
      'outbox worker (claim, execute, record, mark done)',
      '1,729',
      '0.509×',
      'none set',
      'no target',
    ]);
    const sla = section(page, 'SLA sweep');
    expect(row(sla, '1,000,000')).toEqual(['1,000,000', '2,002,000', '0.82 ms', '2,590 ms', '386']);
    expect(row(sla, '× (10× tickets)')).toEqual(['× (10× tickets)', '', '0.940×', '1.02×', 'target ≤ 1.5×: met']);
    expect(row(section(page, 'IMAP ingest'), 'mail ingest to committed tickets')).toEqual(['mail ingest to committed tickets', '287', '0.053×', '≥ 300/s', '**not met**']);

    const startup = section(page, 'Start-up time with 500 rules');
    expect(row(startup, 'bare Fastify (baseline)')).toEqual(['bare Fastify (baseline)', '240 ms', '230 ms – 260 ms', '1', '60.2 MiB']);
    expect(row(startup, 'triage serve, 500 rules, existing database')).toEqual(['triage serve, 500 rules, existing database', '2,800 ms', '2,700 ms – 2,950 ms', '11.7×', '—']);
    const rss = section(page, 'Idle memory (RSS)');
    expect(row(rss, 'triage serve, shipped rules')).toEqual(['triage serve, shipped rules', '174.8 MiB', '183.5 MiB']);
    expect(row(rss, '× bare Fastify')).toEqual(['× bare Fastify', '2.70×', '2.67×']);

    const scale = section(page, 'Scale-out on PostgreSQL: 1 vs 2 instances');
    expect(row(scale, '`POST /v1/evaluate`')).toEqual(['`POST /v1/evaluate`', '1', '4,000', '9 / 20 ms', '1.00 / 0.40 / 0.10', '250', '1', '', '']);
    const twoEvaluate = scale.split('\n').filter((l) => l.startsWith('| `POST /v1/evaluate` |'))[1];
    expect(twoEvaluate).toBe('| `POST /v1/evaluate` | 2 | 5,600 | 6 / 15 ms | 1.50 / 0.45 / 0.05 | 268 | 1.40× | ≥ 1.5× | **not met** |');
  });

  it('judges the HTTP targets on the unrounded medians: 0.0998 is not met although it prints as 0.100', () => {
    const results = fixtures();
    const http = results.http as { ratios: Record<string, unknown> };
    http.ratios = { ...http.ratios, ingestToEcho: 0.1, unrounded: { evaluateToEcho: 0.3121, ingestToEcho: 0.09979 }, met: { evaluate: true, ingest: false } };
    const edge = renderPerformanceReport(results, { generatedAt: '2026-11-30T02:00:00.000Z' });
    const section_ = section(edge, 'HTTP API: evaluate and ticket ingest (SQLite)');
    expect(row(section_, '`POST /v1/tickets` (SQLite, durable)').slice(4)).toEqual(['0.0998×', '≥ 0.1×', '**not met**']);
    expect(row(section_, '`POST /v1/evaluate`').slice(4)).toEqual(['0.312×', '≥ 0.3×', 'met']);
    expect(row(section(edge, 'Summary'), '[HTTP API: evaluate and ticket ingest (SQLite)](#http-api-evaluate-and-ticket-ingest-sqlite)').slice(1, 4)).toEqual([
      'evaluate 0.312× echo, ingest 0.0998× echo',
      '≥ 0.3×, ≥ 0.1×',
      '**not met**',
    ]);
  });

  it('summarises every benchmark with its headline, target, verdict, date and machine', () => {
    const summary = section(page, 'Summary');
    expect(row(summary, '[Rule evaluation](#rule-evaluation)')).toEqual(['[Rule evaluation](#rule-evaluation)', '102× json-rules-engine', '≥ 50×', 'met', '2026-11-29 20:15 UTC', 'A']);
    expect(row(summary, '[HTTP API: evaluate and ticket ingest (SQLite)](#http-api-evaluate-and-ticket-ingest-sqlite)').slice(1)).toEqual([
      'evaluate 0.312× echo, ingest 0.020× echo',
      '≥ 0.3×, ≥ 0.1×',
      '**not met**',
      '2026-11-30 01:02 UTC',
      'B',
    ]);
    expect(row(summary, '[Scale-out on PostgreSQL: 1 vs 2 instances](#scale-out-on-postgresql-1-vs-2-instances)')[1]).toBe('evaluate 1.40×, ingest 1.40× with 2 instances (*short run*)');
    expect(row(summary, 'Rule replay')).toEqual(['Rule replay', 'not run', '—', '—', '—', '—']);
    expect(section(page, 'Rule replay')).toContain('Not run: `bench/results/replay.json` is missing.');
  });

  it('describes each machine once and says what an older result did not record', () => {
    const machines = section(page, 'Machines');
    expect(row(machines, 'A')).toEqual(['A', '2 × AMD EPYC, RAM not recorded, kernel not recorded, node v20.20.2', '`evaluate.json`']);
    expect(row(machines, 'B')[1]).toBe('2 × AMD EPYC, 23.5 GiB RAM, Linux 6.1.0, node v20.20.2');
    expect(row(machines, 'B')[2]).toContain('`scale-out.json`');
    expect(page).toContain('Page written 2026-11-30 02:00 UTC.');
    expect(section(page, 'Outbox dispatch')).toContain('Measured 2026-11-30 01:02 UTC on machine B, load average 0.4 on 2 cores when it finished (`bench/results/outbox.json`).');
    expect(section(page, 'Rule evaluation')).toContain('Measured 2026-11-29 20:15 UTC on machine A (`bench/results/evaluate.json`).');
  });

  it('flags a result produced with less than the default settings as a short run, and only that one', () => {
    expect(section(page, 'Scale-out on PostgreSQL: 1 vs 2 instances')).toContain('*Short run* (placeholder until the full `npm run bench`): seconds per run 3 (default 10), rounds 1 (default 3).');
    expect(section(page, 'HTTP API: evaluate and ticket ingest (SQLite)')).not.toContain('Short run');
    expect(section(page, 'Start-up time with 500 rules')).not.toContain('Short run');
  });

  it('notes when the load generators share the cores with the servers', () => {
    expect(section(page, 'Scale-out on PostgreSQL: 1 vs 2 instances')).toContain('the load generators used 0.45 of the machine\'s 2 cores and the servers 1.50: on 2 cores the load generators compete with the second instance');
    expect(section(page, 'Scale-out on PostgreSQL: 1 vs 2 instances')).toContain('the most two can reach here is about 1.55×');
    // Ingest's "other" (PostgreSQL included) reached a full core: the note says so.
    expect(section(page, 'Scale-out on PostgreSQL: 1 vs 2 instances')).toContain('used up to 1.00 cores during a measurement');
  });
});

describe('writePerformanceReport', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('reads every json file of the results folder and writes the page', () => {
    dir = mkdtempSync(join(tmpdir(), 'write-report-'));
    const f = fixtures();
    writeFileSync(join(dir, 'evaluate.json'), JSON.stringify(f.evaluate));
    writeFileSync(join(dir, 'startup.json'), JSON.stringify(f.startup));
    writeFileSync(join(dir, 'notes.txt'), 'not a result');
    expect(Object.keys(readBenchResults(dir))).toEqual(['evaluate', 'startup']);
    const out = join(dir, 'performance.md');
    writePerformanceReport(dir, out);
    const page = readFileSync(out, 'utf8');
    expect(row(page, 'compiled conditions')[3]).toBe('102×');
    expect(row(page, 'triage serve, 500 rules, new database (migrations)')).toEqual(['triage serve, 500 rules, new database (migrations)', '2,900 ms', '2,850 ms – 3,000 ms', '12.1×', '—']);
    expect(page).toContain('Not run: `bench/results/http.json` is missing.');
  });
});

describe('formatting', () => {
  it('formats figures, ratios, dates and anchors', () => {
    expect(formatNumber(65527.4)).toBe('65,527');
    expect(formatNumber(12.34)).toBe('12.3');
    expect(formatNumber(0.876)).toBe('0.88');
    expect(formatNumber(undefined)).toBe('—');
    expect(formatRatio(102.6)).toBe('103×');
    expect(formatRatio(1.5)).toBe('1.50×');
    expect(formatRatio(0.0195)).toBe('0.020×');
    expect(formatDate('2026-11-29T20:15:28.355Z')).toBe('2026-11-29 20:15 UTC');
    expect(formatDate(undefined)).toBe('date not recorded');
    expect(anchor('HTTP API: evaluate and ticket ingest (SQLite)')).toBe('http-api-evaluate-and-ticket-ingest-sqlite');
  });
});
