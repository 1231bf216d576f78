import type { FastifyInstance } from 'fastify';
import errorSchema from '../../../schemas/http/error.schema.json' with { type: 'json' };
import reportQuerySchema from '../../../schemas/http/report-query.schema.json' with { type: 'json' };
import reportResponseSchema from '../../../schemas/http/report-response.schema.json' with { type: 'json' };
import reportRowSchema from '../../../schemas/http/report-row.schema.json' with { type: 'json' };
import { parseReportParams, REPORT_NAMES } from '../../reports/report-params.js';
import { defaultReportTimeZone } from '../../reports/report-time-zone.js';
import { runReport } from '../../reports/run-report.js';
import type { AppDeps } from '../app-deps.js';
import { inlineSchemaRefs } from '../inline-schema-refs.js';
import { withoutSchemaMeta } from '../schema-for-route.js';

interface ReportQuery {
  from?: string;
  to?: string;
  groupBy?: string;
  tz?: string;
  tickets?: boolean;
}

/**
 * Reports (R19, docs/reports.md) for whoever may read tickets: read-only
 * queries over the store. The name is checked by the handler, not the
 * schema, so an unknown report is a 404 TRIAGE_REPORT_UNKNOWN rather than a
 * validation error.
 */
export function registerReportRoutes(app: FastifyInstance, deps: AppDeps): void {
  // The SLA policy file is read once, on the first report request.
  let timeZone: Promise<string> | undefined;
  app.get<{ Params: { name: string }; Querystring: ReportQuery }>(
    '/v1/reports/:name',
    {
      config: { scope: 'tickets:read' },
      schema: {
        tags: ['reports'],
        summary: 'Run a report',
        description:
          `Reports: ${REPORT_NAMES.join(', ')}. Range [from, to) (default: the last 30 days), groupBy a ticket field, ` +
          'tickets=true lists the ticket numbers behind every row. Figures and definitions: docs/reports.md. 404 TRIAGE_REPORT_UNKNOWN for another name, 400 TRIAGE_REPORT_BAD_PARAM / TRIAGE_REPORT_BAD_RANGE for bad parameters.',
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 40, description: `One of ${REPORT_NAMES.join(', ')}.` } },
        },
        querystring: withoutSchemaMeta(reportQuerySchema),
        response: { 200: inlineSchemaRefs(reportResponseSchema, { 'report-row.schema.json': reportRowSchema }), '4xx': withoutSchemaMeta(errorSchema) },
        security: [{ apiKey: [] }],
      },
    },
    async (request) => {
      const now = new Date();
      timeZone ??= defaultReportTimeZone(deps.config);
      const { from, to, groupBy, tz, tickets } = request.query;
      const params = parseReportParams(request.params.name, { from, to, groupBy, tz, tickets }, now, await timeZone);
      return runReport(deps.db, params, now);
    },
  );
}
