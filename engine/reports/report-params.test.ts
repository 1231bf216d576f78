import { describe, expect, it } from 'vitest';
import { expectCode } from '../../test/helpers/expect-code.js';
import { parseReportParams } from './report-params.js';

const NOW = new Date('2026-03-31T12:00:00.000Z');
const parse = (name: string, raw: Parameters<typeof parseReportParams>[1] = {}) => async () => parseReportParams(name, raw, NOW);

describe('parseReportParams', () => {
  it('defaults to the 30 days up to now, no grouping, UTC (or the given default zone), no ticket lists', () => {
    expect(parseReportParams('frt', {}, NOW)).toEqual({ name: 'frt', from: '2026-03-01T12:00:00.000Z', to: '2026-03-31T12:00:00.000Z', groupBy: null, timeZone: 'UTC', tickets: false });
    expect(parseReportParams('sla-breaches', { tickets: true }, NOW, 'Europe/Warsaw')).toMatchObject({ timeZone: 'Europe/Warsaw', tickets: true });
  });

  it('normalizes instants with a zone to UTC; from alone ends now, to alone starts 30 days earlier', () => {
    expect(parseReportParams('ttr', { from: '2026-03-30T10:00:00+02:00', groupBy: 'agent' }, NOW)).toMatchObject({ from: '2026-03-30T08:00:00.000Z', to: NOW.toISOString(), groupBy: 'agent' });
    expect(parseReportParams('ttr', { to: '2026-02-01T00:00:00Z' }, NOW)).toMatchObject({ from: '2026-01-02T00:00:00.000Z' });
  });

  it('refuses unknown names, bad instants, zones and groupings, and empty or too long ranges with coded errors', async () => {
    await expectCode(parse('happiness')(), 'TRIAGE_REPORT_UNKNOWN');
    await expectCode(parse('frt', { from: 'last week' })(), 'TRIAGE_REPORT_BAD_PARAM');
    await expectCode(parse('frt', { to: '2026-03-01T00:00:00' })(), 'TRIAGE_REPORT_BAD_PARAM');
    await expectCode(parse('frt', { groupBy: 'weather' })(), 'TRIAGE_REPORT_BAD_PARAM');
    await expectCode(parse('frt', { tz: 'Europe/Atlantis' })(), 'TRIAGE_REPORT_BAD_PARAM');
    await expectCode(parse('frt', { from: '2026-03-02T00:00:00Z', to: '2026-03-02T00:00:00Z' })(), 'TRIAGE_REPORT_BAD_RANGE');
    await expectCode(parse('frt', { from: '2025-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' })(), 'TRIAGE_REPORT_BAD_RANGE');
  });
});
