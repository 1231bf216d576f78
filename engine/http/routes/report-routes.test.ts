import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import reportResponseSchema from '../../../schemas/http/report-response.schema.json' with { type: 'json' };
import reportRowSchema from '../../../schemas/http/report-row.schema.json' with { type: 'json' };
import { REPORT_FROM, REPORT_TO, seedReportTickets, type FixtureTicket } from '../../../test/helpers/report-fixture.js';
import { createTestApp } from '../../../test/helpers/test-app.js';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

describe('reports API', () => {
  let t: TestApp;
  let n: Record<FixtureTicket, string>;
  let readKey: string;
  let writeOnlyKey: string;
  const range = `from=${encodeURIComponent(REPORT_FROM)}&to=${encodeURIComponent(REPORT_TO)}`;
  const get = (url: string, key?: string) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key ?? readKey}` } });

  beforeAll(async () => {
    t = await createTestApp();
    n = await seedReportTickets(t.deps.db);
    readKey = await t.keyWith(['tickets:read']);
    writeOnlyKey = await t.keyWith(['tickets:write']);
  });
  afterAll(() => t.close());

  it('answers with a schema-valid report, grouped, with the tickets behind every row', async () => {
    const res = await get(`/v1/reports/frt?${range}&groupBy=category&tickets=true`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const ajv = new Ajv({ strict: false });
    ajv.addSchema(reportRowSchema, 'report-row.schema.json');
    expect(ajv.validate(reportResponseSchema, body), JSON.stringify(ajv.errors)).toBe(true);
    expect(body).toMatchObject({ report: 'frt', from: REPORT_FROM, to: REPORT_TO, groupBy: 'category' });
    expect(body.total).toEqual({ tickets: 5, responded: 4, mean: 25, median: 25, p90: 37, p95: 38.5, ticketIds: [n.A, n.B, n.C, n.D].sort(), ticketCount: 4 });
    expect(body.rows.map((r: { group: string; ticketIds: string[] }) => [r.group, r.ticketIds])).toEqual([
      ['complaint', [n.D]],
      ['inquiry', [n.C]],
      ['invoice', [n.A, n.B].sort()],
    ]);
  });

  it('the heatmap is in the SLA policy business calendar zone unless tz says otherwise', async () => {
    const byDefault = (await get(`/v1/reports/sla-breaches?${range}`)).json();
    expect(byDefault.heatmap.timeZone).toBe('Europe/Warsaw');
    expect(byDefault.heatmap.cells[0][10]).toBe(1); // C passed its first-response target at 09:15 UTC = 10:15 in Warsaw
    const utc = (await get(`/v1/reports/sla-breaches?${range}&tz=UTC`)).json();
    expect(utc.heatmap.timeZone).toBe('UTC');
    expect(utc.heatmap.cells[0][9]).toBe(1);
  });

  it('needs the tickets:read scope', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/reports/frt' })).statusCode).toBe(401);
    const forbidden = await get('/v1/reports/frt', writeOnlyKey);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().code).toBe('TRIAGE_AUTH_FORBIDDEN');
  });

  it('an unknown report is a coded 404', async () => {
    const res = await get('/v1/reports/happiness');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'TRIAGE_REPORT_UNKNOWN', message: 'No report named "happiness"' });
  });

  it('bad parameters are coded 400s', async () => {
    const cases: Array<[string, string]> = [
      ['from=yesterday', 'TRIAGE_REPORT_BAD_PARAM'],
      ['from=2026-03-02T10:00:00', 'TRIAGE_REPORT_BAD_PARAM'],
      ['from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', 'TRIAGE_REPORT_BAD_RANGE'],
      ['from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'TRIAGE_REPORT_BAD_RANGE'],
      ['tz=Mars/Olympus', 'TRIAGE_REPORT_BAD_PARAM'],
      ['groupBy=weather', 'TRIAGE_HTTP_VALIDATION'],
      ['tickets=maybe', 'TRIAGE_HTTP_VALIDATION'],
    ];
    for (const [query, code] of cases) {
      const res = await get(`/v1/reports/frt?${query}`);
      expect([query, res.statusCode, res.json().code]).toEqual([query, 400, code]);
    }
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/v1/reports/{name}'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['from', 'groupBy', 'name', 'tickets', 'to', 'tz']);
  });
});
