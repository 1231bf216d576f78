import type { FastifyInstance } from 'fastify';
import errorSchema from '../../../schemas/http/error.schema.json' with { type: 'json' };
import correctionsResponseSchema from '../../../schemas/http/rules-corrections-response.schema.json' with { type: 'json' };
import deadResponseSchema from '../../../schemas/http/rules-dead-response.schema.json' with { type: 'json' };
import governanceQuerySchema from '../../../schemas/http/rules-governance-query.schema.json' with { type: 'json' };
import statsResponseSchema from '../../../schemas/http/rules-stats-response.schema.json' with { type: 'json' };
import { correctionStats } from '../../governance/correction-stats.js';
import { deadRules } from '../../governance/dead-rules.js';
import { ruleStats } from '../../governance/rule-stats.js';
import { sinceWindow } from '../../governance/since-window.js';
import type { AppDeps } from '../app-deps.js';
import { withoutSchemaMeta } from '../schema-for-route.js';

const ERRORS = { '4xx': withoutSchemaMeta(errorSchema) };

/**
 * Rule governance over the stored decisions (docs/governance.md): hit
 * statistics, dead rules, corrections. Scope tickets:read like GET /v1/rules:
 * aggregates of what the rules did, with ticket numbers but no ticket
 * content. Reads only.
 */
export function registerRulesStatsRoutes(app: FastifyInstance, deps: AppDeps): void {
  const route = (path: string, summary: string, description: string, response: Record<string, unknown>, report: (since: string) => Promise<unknown>): void => {
    app.get<{ Querystring: { since?: string } }>(
      path,
      {
        config: { scope: 'tickets:read' },
        schema: { tags: ['rules'], summary, description, querystring: withoutSchemaMeta(governanceQuerySchema), response: { 200: withoutSchemaMeta(response), ...ERRORS }, security: [{ apiKey: [] }] },
      },
      async (request) => report(sinceWindow(request.query.since ?? '30d')),
    );
  };
  route(
    '/v1/rules/stats',
    'Rule hit statistics',
    'Per rule id and rule-set version over the window: decisions evaluated (of the events the rule listens to), fired, and its actions succeeded / failed / pending / dropped in the outbox.',
    statsResponseSchema,
    (since) => ruleStats(deps.db, deps.rules.status().active, since),
  );
  route(
    '/v1/rules/dead',
    'Dead and shadowed rules',
    'Rules of the active set that never fired over the window, none of whose events happened, that an earlier stop rule kept from running, or whose set was always overridden by a later rule.',
    deadResponseSchema,
    (since) => deadRules(deps.db, deps.rules.status().active, since),
  );
  route(
    '/v1/rules/corrections',
    'Corrections of rule decisions',
    'The share of rule decisions agents changed by hand over the window, per rule and field, with the most common corrections and example ticket numbers.',
    correctionsResponseSchema,
    (since) => correctionStats(deps.db, since),
  );
}
