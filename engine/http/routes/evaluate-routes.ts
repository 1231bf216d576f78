import type { FastifyInstance } from 'fastify';
import decisionSchema from '../../../schemas/http/decision.schema.json' with { type: 'json' };
import errorSchema from '../../../schemas/http/error.schema.json' with { type: 'json' };
import evaluateRequestSchema from '../../../schemas/http/evaluate-request.schema.json' with { type: 'json' };
import type { EvaluateRequest } from '../../../schemas/types/http/evaluate-request.js';
import { evaluate } from '../../../rules/lib/evaluate.js';
import type { AppDeps } from '../app-deps.js';
import { withoutSchemaMeta } from '../schema-for-route.js';
import { completeOrderFact } from '../../orders/order-fact.js';

/**
 * POST /v1/evaluate — the stateless decision step for n8n / Make / any HTTP
 * client: facts in, decision out, nothing stored.
 */
export function registerEvaluateRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post<{ Body: EvaluateRequest; Querystring: { explain?: boolean } }>(
    '/v1/evaluate',
    {
      config: { scope: 'evaluate' },
      schema: {
        tags: ['evaluate'],
        summary: 'Evaluate the rules for one ticket event (stateless)',
        description: 'Returns the decision: field changes, tags, actions, confidence/review and the rule-set version. With ?explain=true also the trace of every rule and condition.',
        querystring: { type: 'object', additionalProperties: false, properties: { explain: { type: 'boolean', default: false } } },
        body: withoutSchemaMeta(evaluateRequestSchema),
        response: { 200: withoutSchemaMeta(decisionSchema), '4xx': withoutSchemaMeta(errorSchema) },
        security: [{ apiKey: [] }],
      },
      // The decision is built to the response schema (evaluate-routes.test.ts checks it against the schema), so
      // V8's native JSON.stringify writes it: as fast as the schema's compiled serializer in isolation and cheaper
      // on a busy server, where this route's serializer was a tenth of a request's CPU time.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request) => {
      const ruleSet = deps.rules.current();
      const body = request.body;
      const decision = await evaluate(
        ruleSet,
        {
          event: body.event ?? 'ticket.created',
          ticket: body.ticket,
          message: body.message,
          customer: body.customer,
          sla: body.sla,
          order: completeOrderFact(body.order, body.now),
          ...(body.now === undefined ? {} : { now: body.now }),
        },
        { explain: request.query.explain === true },
      );
      deps.metrics.evaluations.inc({ event: decision.event, source: 'api' });
      for (const id of decision.firedRules) deps.metrics.ruleHits.inc({ rule: id, event: decision.event });
      return decision;
    },
  );
}
