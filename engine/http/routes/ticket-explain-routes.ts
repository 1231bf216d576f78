import type { FastifyInstance } from 'fastify';
import decisionSchema from '../../../schemas/http/decision.schema.json' with { type: 'json' };
import errorSchema from '../../../schemas/http/error.schema.json' with { type: 'json' };
import explanationSchema from '../../../schemas/http/ticket-explanation-response.schema.json' with { type: 'json' };
import { explainTicket } from '../../governance/explain-ticket.js';
import type { AppDeps } from '../app-deps.js';
import { inlineSchemaRefs } from '../inline-schema-refs.js';
import { withoutSchemaMeta } from '../schema-for-route.js';

/**
 * GET /v1/tickets/{idOrNumber}/explain: why the rules decided what they did
 * for a stored ticket. Computed on demand (engine/governance/explain-ticket.ts)
 * rather than stored with every decision, so ticket creation pays nothing
 * for it.
 */
export function registerTicketExplainRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get<{ Params: { idOrNumber: string } }>(
    '/v1/tickets/:idOrNumber/explain',
    {
      config: { scope: 'tickets:read' },
      schema: {
        tags: ['tickets'],
        summary: "Explain a ticket's ticket.created decision",
        description:
          'Re-evaluates the ticket.created event with the active rule set and explain=true on the facts reconstructed from the stored ticket, ' +
          'its first message and its customer (as replay does). The CRM answer, order and SLA of that moment are not stored, so `differs` names ' +
          'the fields where the result departs from the stored decision. 404 TRIAGE_EXPLAIN_NO_DECISION when there is no stored decision to explain.',
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['idOrNumber'],
          properties: { idOrNumber: { type: 'string', minLength: 1, maxLength: 100, description: 'Ticket id or number (T-000042, case-insensitive).' } },
        },
        response: { 200: inlineSchemaRefs(explanationSchema, { 'decision.schema.json': decisionSchema }), '4xx': withoutSchemaMeta(errorSchema) },
        security: [{ apiKey: [] }],
      },
    },
    async (request) => explainTicket(deps.db, deps.rules.current(), request.params.idOrNumber),
  );
}
