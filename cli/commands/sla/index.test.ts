import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../index.js';
import { bufferIo } from '../../test-io.js';

const BUSINESS = 'rules/default/sla/calendars/business.yaml';

async function due(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo();
  const code = await runCli(['sla', 'due', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('triage sla due', () => {
  it.each([
    { name: 'inside business hours', args: ['--from', '2026-12-01T08:00:00Z', '--target', '30m'], due: '2026-12-01T08:30:00.000Z' },
    { name: '1 business day (8h) from Friday 15:00 Warsaw', args: ['--from', '2026-11-27T14:00:00Z', '--target', '8h'], due: '2026-11-30T14:00:00.000Z' },
    { name: 'exactly at closing time', args: ['--from', '2026-12-01T14:00:00Z', '--target', '60m'], due: '2026-12-01T15:00:00.000Z' },
    { name: 'target 0', args: ['--from', '2026-11-28T10:00:00Z', '--target', '0m'], due: '2026-11-28T10:00:00.000Z' },
    { name: 'an offset in --from', args: ['--from', '2026-12-01T09:00:00+01:00', '--target', '1h'], due: '2026-12-01T09:00:00.000Z' },
    { name: 'no offset: local time of the calendar', args: ['--from', '2026-12-01T09:00:00', '--target', '1h'], due: '2026-12-01T09:00:00.000Z' },
    {
      name: 'repeated pauses',
      args: ['--from', '2026-11-30T14:00:00Z', '--target', '2h', '--pause', '2026-11-30T14:30:00Z/2026-12-01T09:00:00Z', '--pause', '2026-12-01T09:30:00Z/2026-12-01T10:00:00Z'],
      due: '2026-12-01T11:00:00.000Z',
    },
    { name: 'a pause written start/duration', args: ['--from', '2026-12-01T08:00:00Z', '--target', '1h', '--pause', '2026-12-01T08:30:00Z/PT1H'], due: '2026-12-01T10:00:00.000Z' },
  ])('$name', async ({ args, due: expected }) => {
    const r = await due(['--calendar', BUSINESS, ...args]);
    expect(r).toEqual({ code: 0, out: `{"due":"${expected}"}\n`, err: '' });
  });

  it('reads a JSON calendar, 24/7 and in a half-hour zone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-sla-cli-'));
    await writeFile(join(dir, 'always.json'), '{ "timezone": "UTC", "alwaysOpen": true }');
    await writeFile(join(dir, 'kolkata.yaml'), 'timezone: Asia/Kolkata\nhours:\n  mon: ["09:00-17:00"]\n');
    expect((await due(['--calendar', join(dir, 'always.json'), '--from', '2026-12-05T22:00:00Z', '--target', '4h'])).out).toBe('{"due":"2026-12-06T02:00:00.000Z"}\n');
    expect((await due(['--calendar', join(dir, 'kolkata.yaml'), '--from', '2026-11-30T03:00:00Z', '--target', '1h'])).out).toBe('{"due":"2026-11-30T04:30:00.000Z"}\n');
  });

  it.each([
    { name: 'a bad duration', args: ['--calendar', BUSINESS, '--from', '2026-12-01T08:00:00Z', '--target', '2d'], code: 'TRIAGE_SLA_BAD_DURATION' },
    { name: 'business days (policies only)', args: ['--calendar', BUSINESS, '--from', '2026-12-01T08:00:00Z', '--target', '1bd'], code: 'TRIAGE_SLA_BAD_DURATION' },
    { name: 'a bad --from', args: ['--calendar', BUSINESS, '--from', 'yesterday', '--target', '1h'], code: 'TRIAGE_SLA_BAD_INSTANT' },
    { name: 'a pause ending before it starts', args: ['--calendar', BUSINESS, '--from', '2026-12-01T08:00:00Z', '--target', '1h', '--pause', '2026-12-02T00:00:00Z/2026-12-01T00:00:00Z'], code: 'TRIAGE_SLA_BAD_INSTANT' },
    { name: 'a pause without "/"', args: ['--calendar', BUSINESS, '--from', '2026-12-01T08:00:00Z', '--target', '1h', '--pause', '2026-12-01T08:00:00Z'], code: 'TRIAGE_SLA_BAD_INSTANT' },
    { name: 'a missing calendar file', args: ['--calendar', 'no/such/calendar.yaml', '--from', '2026-12-01T08:00:00Z', '--target', '1h'], code: 'TRIAGE_SLA_CALENDAR_INVALID' },
  ])('refuses $name with a coded error and exit 2', async ({ args, code }) => {
    const r = await due(args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(new RegExp(`^${code} .+\\n  hint: .+\\n$`));
  });

  it('refuses an invalid calendar file naming file:line:col', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-sla-cli-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'timezone: Europe/Warsaw\nhours:\n  mon: ["16:00-08:00"]\n');
    const r = await due(['--calendar', file, '--from', '2026-12-01T08:00:00Z', '--target', '1h']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`TRIAGE_SLA_CALENDAR_INVALID Calendar ${file} is invalid: ${file}:3:9 hours.mon.0 "16:00-08:00" ends before it starts`);
  });

  it('exits 2 with usage when a required option is missing', async () => {
    const r = await due(['--calendar', BUSINESS, '--target', '1h']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("required option '--from <iso>' not specified");
  });

  it('has --help', async () => {
    const r = await due(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: triage sla due/);
  });
});

describe('triage sla check', () => {
  it('prints the shipped policy per priority', async () => {
    const io = bufferIo();
    expect(await runCli(['sla', 'check'], io)).toBe(0);
    expect(io.out().split('\n').slice(0, 2)).toEqual([
      'ok: rules/default/sla/policy.yaml: 2 calendars (24x7, business), thresholds 50/75/80/100 %, business day 480 min',
      'P1       firstResponse 15m (24x7)  nextResponse 15m (24x7)  resolution 4h (24x7)',
    ]);
    expect(io.out()).toContain('P4       firstResponse 1bd (business)  nextResponse 1bd (business)  resolution 7bd (business)\n');
  });

  it('lists contract overrides and gives JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-sla-cli-'));
    const file = join(dir, 'policy.yaml');
    await writeFile(file, 'calendars:\n  a: { timezone: UTC, alwaysOpen: true }\ntargets:\n  P1: { calendar: a, firstResponse: 15m }\ncontracts:\n  premium:\n    P1: { firstResponse: 5m }\n');
    const io = bufferIo();
    expect(await runCli(['sla', 'check', file, '--json'], io)).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({
      ok: true,
      thresholds: [50, 75, 80, 100],
      targets: [
        { priority: 'P1', contract: null, targets: [{ metric: 'firstResponse', target: '15m', targetMs: 900_000, calendar: 'a' }] },
        { priority: 'P1', contract: 'premium', targets: [{ metric: 'firstResponse', target: '5m', targetMs: 300_000, calendar: 'a' }] },
      ],
    });
  });

  it('prints one file:line:col line per problem and exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-sla-cli-'));
    const file = join(dir, 'policy.yaml');
    await writeFile(file, 'calendars:\n  a: { timezone: UTC, alwaysOpen: true }\ntargets:\n  P1: { calendar: b, firstResponse: 15m }\n  P2: { calendar: a, firstResponse: 2d }\n');
    const io = bufferIo('', { TRIAGE_SLA_POLICY: file });
    expect(await runCli(['sla', 'check'], io)).toBe(1);
    expect(io.out().trimEnd().split('\n')).toEqual([`${file}:5:37 targets.P2.firstResponse must match pattern "^\\d+(m|h|bd)$"`]);
    expect(io.err()).toBe('TRIAGE_SLA_POLICY_INVALID: 1 error(s)\n');
  });
});
