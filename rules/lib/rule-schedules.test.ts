import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../engine/errors/diagnostic.js';
import { compileRuleSet } from './load-rule-set.js';
import { previousTick } from './rule-schedules.js';

function compile(files: Record<string, string>): { errors: string[]; version?: string; schedules?: unknown } {
  const r = compileRuleSet(Object.entries(files).map(([path, text]) => ({ path, text })));
  return r.ok ? { errors: [], version: r.ruleSet.version, schedules: r.ruleSet.schedules } : { errors: r.diagnostics.map(formatDiagnostic) };
}

const LISTENER = 'rules:\n  - id: r1\n    on: [schedule.daily]\n    then:\n      - tag: a\n';

describe('schedules in rule files', () => {
  it('compiles a schedule with its selector; its rules may live in another file', () => {
    const r = compile({
      'a.yaml': 'schedules:\n  - name: daily\n    cron: "0 8 * * 1-5"\n    timezone: Europe/Warsaw\n    tickets: { status: [open, pending], category: [invoice], tags: [vip] }\n',
      'b.yaml': LISTENER,
    });
    expect(r.errors).toEqual([]);
    expect(r.schedules).toEqual([
      { name: 'daily', cron: '0 8 * * 1-5', timezone: 'Europe/Warsaw', tickets: { status: ['open', 'pending'], category: ['invoice'], tags: ['vip'] }, file: 'a.yaml', line: 2 },
    ]);
  });

  it('a followUp name also makes schedule.<name> a known event', () => {
    const r = compile({ 'a.yaml': 'rules:\n  - id: r0\n    on: [ticket.created]\n    then:\n      - followUp: { after: 1d, name: daily }\n  - id: r1\n    on: [schedule.daily]\n    then:\n      - tag: a\n' });
    expect(r.errors).toEqual([]);
  });

  it('reports a bad cron expression, an unknown zone, a duplicate name and an event nothing raises, with file:line:col', () => {
    const r = compile({
      'a.yaml':
        'schedules:\n  - name: daily\n    cron: "61 8 * * *"\n  - name: weekly\n    cron: "0 8 * * 1"\n    timezone: Europe/Warsw\n  - name: seconds\n    cron: "0 0 8 * * *"\n',
      'b.yaml': 'schedules:\n  - name: daily\n    cron: "0 9 * * *"\n' + LISTENER.replace('schedule.daily', 'schedule.dailly'),
    });
    expect(r.errors).toEqual([
      'a.yaml:3:11 TRIAGE_SCHEDULE_BAD_CRON schedule "daily": invalid cron expression "61 8 * * *": Constraint error, got value 61 expected range 0-59',
      'a.yaml:6:15 TRIAGE_SCHEDULE_BAD_TIMEZONE schedule "weekly": unknown time zone "Europe/Warsw"',
      'a.yaml:8:11 TRIAGE_SCHEDULE_BAD_CRON schedule "seconds": invalid cron expression "0 0 8 * * *": expected 5 fields (minute hour day-of-month month day-of-week), found 6',
      'b.yaml:2:11 TRIAGE_SCHEDULE_DUPLICATE schedule "daily" is defined twice (first at a.yaml:2:11)',
      'b.yaml:6:10 TRIAGE_SCHEDULE_UNKNOWN_EVENT nothing raises "schedule.dailly": no schedule named "dailly" and no followUp with that name (did you mean "daily"?)',
    ]);
  });

  it('the schema refuses unknown keys and selector values', () => {
    const r = compile({ 'a.yaml': 'schedules:\n  - name: daily\n    cron: "0 8 * * *"\n    tickets: { status: [waiting] }\n    every: 1d\n' });
    expect(r.errors.map((e) => e.split(' ').slice(0, 2).join(' '))).toEqual(['a.yaml:4:25 TRIAGE_RULE_SCHEMA', 'a.yaml:5:5 TRIAGE_RULE_SCHEMA']);
  });

  it('the rule-set version includes the schedules', () => {
    const base = { 'b.yaml': LISTENER };
    const a = compile({ ...base, 'a.yaml': 'schedules:\n  - name: daily\n    cron: "0 8 * * *"\n' });
    const b = compile({ ...base, 'a.yaml': 'schedules:\n  - name: daily\n    cron: "0 9 * * *"\n' });
    expect(a.version).toBeDefined();
    expect(a.version).not.toBe(b.version);
  });

  it('previousTick reads the cron fields in the zone, across DST, and counts a tick at now', () => {
    const daily = { cron: '0 8 * * *', timezone: 'Europe/Warsaw' };
    // Winter: 08:00 Warsaw = 07:00 UTC; summer (after 29 March 2026): 06:00 UTC.
    expect(previousTick(daily, new Date('2026-03-27T12:00:00Z')).toISOString()).toBe('2026-03-27T07:00:00.000Z');
    expect(previousTick(daily, new Date('2026-03-30T12:00:00Z')).toISOString()).toBe('2026-03-30T06:00:00.000Z');
    expect(previousTick(daily, new Date('2026-03-30T06:00:00Z')).toISOString()).toBe('2026-03-30T06:00:00.000Z');
    expect(previousTick(daily, new Date('2026-03-30T05:59:59Z')).toISOString()).toBe('2026-03-29T06:00:00.000Z');
  });
});
