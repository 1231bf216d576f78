import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeDue } from '../calendar/compute-due.js';
import { loadSlaPolicy } from './load-sla-policy.js';
import type { SlaTarget } from './sla-policy.js';

const MIN = 60_000;
const H = 60 * MIN;
const summary = (targets: SlaTarget[]): string[] => targets.map((t) => `${t.metric} ${t.targetMs / MIN}m ${t.calendar.name}`);

async function policyDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'triage-sla-policy-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

describe('loadSlaPolicy: the shipped policy (PRODUCT.md)', () => {
  const shipped = loadSlaPolicy('rules/default/sla/policy.yaml');

  it('has the example targets per priority', async () => {
    const policy = await shipped;
    expect(policy.thresholds).toEqual([50, 75, 80, 100]);
    expect(policy.businessDayMs).toBe(8 * H);
    expect(summary(policy.targetsFor({ priority: 'P1' }))).toEqual(['firstResponse 15m 24x7', 'nextResponse 15m 24x7', 'resolution 240m 24x7']);
    expect(summary(policy.targetsFor({ priority: 'P2' }))).toEqual(['firstResponse 60m business', 'nextResponse 60m business', 'resolution 480m business']);
    expect(summary(policy.targetsFor({ priority: 'P3' }))).toEqual(['firstResponse 240m business', 'nextResponse 240m business', 'resolution 1440m business']);
    expect(summary(policy.targetsFor({ priority: 'P4' }))).toEqual(['firstResponse 480m business', 'nextResponse 480m business', 'resolution 3360m business']);
    expect(summary(policy.targetsFor({ priority: null }))).toEqual(summary(policy.targetsFor({ priority: 'P3' })));
    expect(policy.targetsFor({ priority: 'P1' })[0]?.calendar.alwaysOpen).toBe(true);
  });

  it('1 business day from Friday 15:00 (Warsaw) is due Monday 15:00', async () => {
    const [firstResponse] = (await shipped).targetsFor({ priority: 'P4' });
    expect(firstResponse?.text).toBe('1bd');
    const due = computeDue(firstResponse!.calendar, new Date('2026-11-27T14:00:00Z'), firstResponse!.targetMs);
    expect(due.toISOString()).toBe('2026-11-30T14:00:00.000Z');
  });

  it('P3 resolution, 3 business days from Tuesday 10 Nov 10:00, skips the 11 November holiday', async () => {
    const resolution = (await shipped).targetsFor({ priority: 'P3' }).find((t) => t.metric === 'resolution');
    const due = computeDue(resolution!.calendar, new Date('2026-11-10T09:00:00Z'), resolution!.targetMs);
    // Tue 6 h, Thu 8 h, Fri 8 h, Mon 2 h → Monday 16 Nov 10:00 CET.
    expect(due.toISOString()).toBe('2026-11-16T09:00:00.000Z');
  });
});

describe('loadSlaPolicy', () => {
  it('contract overrides replace only the metrics they name; calendars inline or by file', async () => {
    const dir = await policyDir({
      'cal/office.yaml': 'timezone: UTC\nhours:\n  mon: ["09:00-17:00"]\n  tue: ["09:00-17:00"]\n',
      'policy.yaml': [
        'businessDay: 7h',
        'thresholds: [25, 50, 100, 150]',
        'calendars:',
        '  office: cal/office.yaml',
        '  always: { timezone: UTC, alwaysOpen: true }',
        'targets:',
        '  P2: { calendar: office, firstResponse: 2h, resolution: 2bd }',
        '  P3: { firstResponse: { target: 1bd, calendar: office } }',
        'contracts:',
        '  premium:',
        '    P2: { firstResponse: 30m, resolution: { target: 4h, calendar: always } }',
        '    default: { calendar: always, firstResponse: 1h }',
        '  gold:',
        '    P2: { nextResponse: 45m }',
      ].join('\n'),
    });
    const policy = await loadSlaPolicy(join(dir, 'policy.yaml'));
    expect(policy.thresholds).toEqual([25, 50, 100, 150]);
    expect([...policy.calendars.keys()]).toEqual(['office', 'always']);
    expect(summary(policy.targetsFor({ priority: 'P2' }))).toEqual(['firstResponse 120m office', 'resolution 840m office']);
    expect(summary(policy.targetsFor({ priority: 'P2', contract: 'premium' }))).toEqual(['firstResponse 30m office', 'resolution 240m always']);
    // gold's P2 override names no calendar: it inherits P2's.
    expect(summary(policy.targetsFor({ priority: 'P2', contract: 'gold' }))).toEqual(['firstResponse 120m office', 'nextResponse 45m office', 'resolution 840m office']);
    expect(summary(policy.targetsFor({ priority: 'P3', contract: 'premium' }))).toEqual(['firstResponse 60m always']);
    expect(summary(policy.targetsFor({ priority: 'P3', contract: 'unknown-level' }))).toEqual(['firstResponse 420m office']);
    expect(summary(policy.targetsFor({ priority: 'P1' }))).toEqual([]);
    expect(summary(policy.targetsFor({ priority: null, contract: null }))).toEqual([]);
  });

  it('reports every problem with file:line:col in one TRIAGE_SLA_POLICY_INVALID', async () => {
    const dir = await policyDir({
      'bad-cal.yaml': 'timezone: Nowhere/City\nhours:\n  mon: ["09:00-17:00"]\n',
      'policy.yaml': [
        'thresholds: [50, 40]',
        'calendars:',
        '  broken: bad-cal.yaml',
        '  missing: no-such-file.yaml',
        '  inline: { timezone: UTC, hours: { mon: ["17:00-09:00"] } }',
        'targets:',
        '  P1: { firstResponse: 15m }',
        '  P2: { calendar: nope, firstResponse: 1h }',
        '  P3: { calendar: inline, resolution: 99999999h }',
      ].join('\n'),
    });
    const file = join(dir, 'policy.yaml');
    const error = await loadSlaPolicy(file).then(
      () => undefined,
      (e: unknown) => e as { code: string; details: string[] },
    );
    expect(error?.code).toBe('TRIAGE_SLA_POLICY_INVALID');
    expect(error?.details).toEqual([
      `${file}:1:18 thresholds.1 40 must be greater than 50 (ascending, no duplicates)`,
      expect.stringMatching(new RegExp(`^${file}:3:11 calendars.broken TRIAGE_SLA_CALENDAR_INVALID .*bad-cal.yaml:1:11 timezone "Nowhere/City" is not an IANA time zone`)),
      expect.stringMatching(new RegExp(`^${file}:4:12 calendars.missing TRIAGE_SLA_CALENDAR_INVALID .*cannot read it`)),
      expect.stringMatching(new RegExp(`^${file}:5:11 calendars.inline TRIAGE_SLA_CALENDAR_INVALID .*${file}:5:43 hours.mon.0 "17:00-09:00" ends before it starts`)),
      `${file}:7:24 targets.P1.firstResponse names no calendar: write { target: 15m, calendar: <name> } or give P1 a calendar`,
      `${file}:8:40 targets.P2.firstResponse unknown calendar "nope" (calendars: broken, missing, inline)`,
    ]);
  });

  it('reports a bad duration and schema errors', async () => {
    const dir = await policyDir({
      'policy.yaml': ['calendars:', '  a: { timezone: UTC, alwaysOpen: true }', 'targets:', '  P1: { calendar: a, resolution: 99999999h }', '  P2: { calendar: a, firstResponse: 2days }', '  urgent: { calendar: a }'].join('\n'),
    });
    const file = join(dir, 'policy.yaml');
    await expect(loadSlaPolicy(file)).rejects.toMatchObject({
      code: 'TRIAGE_SLA_POLICY_INVALID',
      details: [`${file}:6:3 targets.urgent key "urgent" must match pattern "^(P[1-9]|default)$"`, `${file}:5:37 targets.P2.firstResponse must match pattern "^\\d+(m|h|bd)$"`],
    });
    const dir2 = await policyDir({ 'policy.yaml': ['calendars:', '  a: { timezone: UTC, alwaysOpen: true }', 'targets:', '  P1: { calendar: a, resolution: 99999999h }'].join('\n') });
    await expect(loadSlaPolicy(join(dir2, 'policy.yaml'))).rejects.toMatchObject({
      message: expect.stringContaining('targets.P1.resolution TRIAGE_SLA_BAD_DURATION Invalid duration "99999999h": longer than 10 years of open time') as unknown,
    });
  });

  it('refuses an unreadable file and bad YAML with the code', async () => {
    await expect(loadSlaPolicy('no/such/policy.yaml')).rejects.toMatchObject({ code: 'TRIAGE_SLA_POLICY_INVALID', message: expect.stringContaining('cannot read it') as unknown });
    const dir = await policyDir({ 'policy.yaml': 'targets: [\n' });
    await expect(loadSlaPolicy(join(dir, 'policy.yaml'))).rejects.toMatchObject({ code: 'TRIAGE_SLA_POLICY_INVALID' });
  });
});
