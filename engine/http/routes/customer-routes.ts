import type { FastifyInstance } from 'fastify';
import customerDetailsResponseSchema from '../../../schemas/http/customer-details-response.schema.json' with { type: 'json' };
import customerQuerySchema from '../../../schemas/http/customer-query.schema.json' with { type: 'json' };
import customerSchema from '../../../schemas/http/customer.schema.json' with { type: 'json' };
import errorSchema from '../../../schemas/http/error.schema.json' with { type: 'json' };
import ticketSchema from '../../../schemas/http/ticket.schema.json' with { type: 'json' };
import type { CustomerQuery } from '../../../schemas/types/http/customer-query.js';
import { encodeTicketCursor } from '../../tickets/ticket-cursor.js';
import type { AppDeps } from '../app-deps.js';
import { inlineSchemaRefs } from '../inline-schema-refs.js';
import { withoutSchemaMeta } from '../schema-for-route.js';
import { cursorOf } from './ticket-routes.js';

/**
 * GET /v1/customers/:id — one customer across channels (R7): the identities
 * (e-mail, phone, domain) that resolve to it and its tickets from every
 * channel, newest first, paged like GET /v1/tickets.
 */
export function registerCustomerRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get<{ Params: { id: string }; Querystring: CustomerQuery }>(
    '/v1/customers/:id',
    {
      config: { scope: 'tickets:read' },
      schema: {
        tags: ['customers'],
        summary: 'Read a customer with identities and ticket history',
        description:
          'The customer id is on every ticket (customerId). tickets: the newest `limit` tickets across channels; ticketCount: all of them. ' +
          'More history: pass nextCursor as cursor (here, or to GET /v1/tickets?customer={id}).',
        params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } },
        querystring: withoutSchemaMeta(customerQuerySchema),
        response: {
          200: inlineSchemaRefs(customerDetailsResponseSchema, { 'customer.schema.json': customerSchema, 'ticket.schema.json': ticketSchema }),
          '4xx': withoutSchemaMeta(errorSchema),
        },
        security: [{ apiKey: [] }],
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = cursor === undefined ? undefined : cursorOf(cursor);
      const details = await deps.tickets.getCustomer(request.params.id, { limit: limit ?? 50, ...(after === undefined ? {} : { after }) });
      return { customer: details.customer, tickets: details.tickets, ticketCount: details.ticketCount, nextCursor: details.next === null ? null : encodeTicketCursor(details.next) };
    },
  );
}
