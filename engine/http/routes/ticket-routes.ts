import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import customerSchema from '../../../schemas/http/customer.schema.json' with { type: 'json' };
import decisionSchema from '../../../schemas/http/decision.schema.json' with { type: 'json' };
import errorSchema from '../../../schemas/http/error.schema.json' with { type: 'json' };
import ticketBatchRequestSchema from '../../../schemas/http/ticket-batch-request.schema.json' with { type: 'json' };
import ticketBatchResponseSchema from '../../../schemas/http/ticket-batch-response.schema.json' with { type: 'json' };
import ticketAuditEventSchema from '../../../schemas/http/ticket-audit-event.schema.json' with { type: 'json' };
import ticketChangeResponseSchema from '../../../schemas/http/ticket-change-response.schema.json' with { type: 'json' };
import ticketCorrectionSchema from '../../../schemas/http/ticket-correction.schema.json' with { type: 'json' };
import ticketCreateRequestSchema from '../../../schemas/http/ticket-create-request.schema.json' with { type: 'json' };
import ticketCreatedResponseSchema from '../../../schemas/http/ticket-created-response.schema.json' with { type: 'json' };
import ticketDecisionRecordSchema from '../../../schemas/http/ticket-decision-record.schema.json' with { type: 'json' };
import ticketDetailsResponseSchema from '../../../schemas/http/ticket-details-response.schema.json' with { type: 'json' };
import ticketListQuerySchema from '../../../schemas/http/ticket-list-query.schema.json' with { type: 'json' };
import ticketListResponseSchema from '../../../schemas/http/ticket-list-response.schema.json' with { type: 'json' };
import ticketMessageRequestSchema from '../../../schemas/http/ticket-message-request.schema.json' with { type: 'json' };
import ticketMessageResponseSchema from '../../../schemas/http/ticket-message-response.schema.json' with { type: 'json' };
import ticketMessageSchema from '../../../schemas/http/ticket-message.schema.json' with { type: 'json' };
import ticketUpdateRequestSchema from '../../../schemas/http/ticket-update-request.schema.json' with { type: 'json' };
import ticketSchema from '../../../schemas/http/ticket.schema.json' with { type: 'json' };
import type { TicketCreateRequest } from '../../../schemas/types/http/ticket-create-request.js';
import type { TicketListQuery } from '../../../schemas/types/http/ticket-list-query.js';
import type { TicketMessageRequest } from '../../../schemas/types/http/ticket-message-request.js';
import type { TicketUpdateRequest } from '../../../schemas/types/http/ticket-update-request.js';
import { TriageError } from '../../errors/triage-error.js';
import { loadTicketSlaStates } from '../../sla/clocks/load-ticket-sla-states.js';
import { decodeTicketCursor, encodeTicketCursor, type TicketCursor } from '../../tickets/ticket-cursor.js';
import type { Actor } from '../../tickets/audit-event.js';
import type { CreateTicketInput } from '../../tickets/ticket-input.js';
import type { AppDeps } from '../app-deps.js';
import { toApiError } from '../error-handler.js';
import { inlineSchemaRefs } from '../inline-schema-refs.js';
import { requestFingerprint } from '../request-fingerprint.js';
import { withoutSchemaMeta } from '../schema-for-route.js';
import { requestActor } from '../request-actor.js';

/** The files the response schemas reference by name. */
const SCHEMA_FILES = {
  'ticket.schema.json': ticketSchema,
  'ticket-message.schema.json': ticketMessageSchema,
  'ticket-audit-event.schema.json': ticketAuditEventSchema,
  'ticket-decision-record.schema.json': ticketDecisionRecordSchema,
  'ticket-correction.schema.json': ticketCorrectionSchema,
  'customer.schema.json': customerSchema,
  'decision.schema.json': decisionSchema,
  'error.schema.json': errorSchema,
};
const response = (schema: Record<string, unknown>): Record<string, unknown> => inlineSchemaRefs(schema, SCHEMA_FILES);

/** A batch item is a create body whose externalId the schema requires. */
type TicketBatchRequest = { tickets: Array<TicketCreateRequest & { externalId: string }> };

/** POST /v1/tickets and each ticket of POST /v1/tickets/batch: the body as createTicket takes it. */
function createInput(body: TicketCreateRequest, externalId: string, actor: Actor): CreateTicketInput {
  return {
    source: body.source ?? 'api',
    externalId,
    subject: body.subject,
    channel: body.channel ?? 'api',
    ...(body.createdAt === undefined ? {} : { createdAt: body.createdAt }),
    // The spread last (the schema refuses direction/kind in the body): on Node 20, properties added
    // after a spread are slow to add (docs/store.md, "Speed").
    ...(body.message === undefined ? {} : { message: { direction: 'inbound' as const, kind: 'public' as const, ...body.message } }),
    ...(body.customer === undefined ? {} : { customer: body.customer }),
    ...(body.tags === undefined ? {} : { tags: body.tags }),
    ...(body.fields === undefined ? {} : { fields: body.fields }),
    ...(body.data === undefined ? {} : { data: body.data }),
    actor,
    fingerprint: requestFingerprint(body),
  };
}
const ERRORS = { '4xx': withoutSchemaMeta(errorSchema) };

const IDEMPOTENCY_HEADER = 'idempotency-key';
const TICKET_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['idOrNumber'],
  properties: { idOrNumber: { type: 'string', minLength: 1, maxLength: 100, description: 'Ticket id or number (T-000042, case-insensitive).' } },
} as const;

type TicketParams = { idOrNumber: string };

/**
 * The ticket API for integrators and agent tools: create (idempotent), list
 * with filters and cursor paging, read with the full trail, change fields
 * (recording corrections of rule decisions, R13) and add messages. Every
 * change is audited with the API key's name as the actor (R21).
 */
export function registerTicketRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post<{ Body: TicketCreateRequest; Headers: { [IDEMPOTENCY_HEADER]?: string } }>(
    '/v1/tickets',
    {
      config: { scope: 'tickets:write' },
      schema: {
        tags: ['tickets'],
        summary: 'Create a ticket',
        description:
          'Creates the ticket with its first message, resolves the customer (R7) and evaluates ticket.created rules; 201 with the ticket and the decision. ' +
          'Idempotent: with an Idempotency-Key header (it becomes the externalId) or an externalId, sending the same body again returns the stored ticket ' +
          'with 200 and Idempotent-Replayed: true; a different body under the same key is refused with 409 TRIAGE_TICKET_IDEMPOTENCY_CONFLICT.',
        headers: {
          type: 'object',
          properties: { [IDEMPOTENCY_HEADER]: { type: 'string', minLength: 1, maxLength: 255, description: 'A unique key per ticket, e.g. a UUID; retries reuse it.' } },
        },
        body: withoutSchemaMeta(ticketCreateRequestSchema),
        response: { 200: response(ticketCreatedResponseSchema), 201: response(ticketCreatedResponseSchema), ...ERRORS },
        security: [{ apiKey: [] }],
      },
    },
    async (request, reply) => {
      const body = request.body;
      const key = request.headers[IDEMPOTENCY_HEADER];
      if (key !== undefined && body.externalId !== undefined && body.externalId !== key) {
        throw validationError('headers/idempotency-key', 'differs from body/externalId; send one of them, or the same value in both');
      }
      // Without either, every call is a new ticket: nothing identifies a retry.
      const result = await deps.tickets.createTicket(createInput(body, body.externalId ?? key ?? randomUUID(), requestActor(request)));
      void reply.header('location', `/v1/tickets/${result.ticket.id}`);
      if (!result.created) void reply.header('idempotent-replayed', 'true');
      return reply.status(result.created ? 201 : 200).send({ ticket: result.ticket, decision: result.decision });
    },
  );

  app.post<{ Body: TicketBatchRequest }>(
    '/v1/tickets/batch',
    {
      config: { scope: 'tickets:write' },
      schema: {
        tags: ['tickets'],
        summary: 'Create up to 100 tickets',
        description:
          'Each ticket is created as by POST /v1/tickets (customer, rules, outbox, idempotent on source + externalId; externalId required here), ' +
          'and they share database commits. 200 with one result per ticket in the order sent: status 201 created, 200 already stored, or the ' +
          'error POST /v1/tickets would have answered, with its code. A failing ticket does not fail the others; sending the batch again after ' +
          'a lost answer creates nothing twice.',
        body: inlineSchemaRefs(ticketBatchRequestSchema, { 'ticket-create-request.schema.json': ticketCreateRequestSchema }),
        response: { 200: response(ticketBatchResponseSchema), ...ERRORS },
        security: [{ apiKey: [] }],
      },
    },
    async (request) => {
      const actor = requestActor(request);
      // All at once: the creates queue for the same group commits (docs/store.md), as concurrent requests would.
      const results = await Promise.all(
        request.body.tickets.map(async (body, index) => {
          try {
            const created = await deps.tickets.createTicket(createInput(body, body.externalId, actor));
            return { index, externalId: body.externalId, status: created.created ? 201 : 200, ticket: created.ticket, decision: created.decision };
          } catch (error) {
            const e = toApiError(error, request, deps.config.server.bodyLimit);
            if (e.status >= 500) request.log.error({ err: error, index }, e.message);
            return { index, externalId: body.externalId, status: e.status, error: e.toJSON() };
          }
        }),
      );
      const count = (status: (s: number) => boolean): number => results.filter((r) => status(r.status)).length;
      return { results, created: count((s) => s === 201), replayed: count((s) => s === 200), failed: count((s) => s >= 400) };
    },
  );

  app.get<{ Querystring: TicketListQuery }>(
    '/v1/tickets',
    {
      config: { scope: 'tickets:read' },
      schema: {
        tags: ['tickets'],
        summary: 'List tickets',
        description:
          'Newest first by arrival time, each with its SLA state now (sla). All filters must match. Paging: pass nextCursor as cursor until it is null; ' +
          'tickets created meanwhile never shift the pages not read yet.',
        querystring: withoutSchemaMeta(ticketListQuerySchema),
        response: { 200: response(ticketListResponseSchema), ...ERRORS },
        security: [{ apiKey: [] }],
      },
    },
    async (request) => {
      const q = request.query;
      const after = q.cursor === undefined ? undefined : cursorOf(q.cursor);
      const page = await deps.tickets.listTicketPage({
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.team === undefined ? {} : { team: q.team }),
        ...(q.priority === undefined ? {} : { priority: q.priority }),
        ...(q.category === undefined ? {} : { category: q.category }),
        ...(q.customer === undefined ? {} : { customerId: q.customer }),
        ...(q.tag === undefined ? {} : { tag: q.tag }),
        ...(q.createdFrom === undefined ? {} : { createdFrom: q.createdFrom }),
        ...(q.createdTo === undefined ? {} : { createdTo: q.createdTo }),
        ...(after === undefined ? {} : { after }),
        limit: q.limit ?? 50,
      });
      // SLA state per item (one read query per page), so a queue shows what is due without a call per ticket.
      const sla = await loadTicketSlaStates(deps.db, page.tickets.map((t) => t.id), new Date().toISOString());
      return { tickets: page.tickets.map((t) => ({ ...t, sla: sla.get(t.id) })), nextCursor: page.next === null ? null : encodeTicketCursor(page.next) };
    },
  );

  app.get<{ Params: TicketParams }>(
    '/v1/tickets/:idOrNumber',
    {
      config: { scope: 'tickets:read' },
      schema: {
        tags: ['tickets'],
        summary: 'Read a ticket with its messages, audit trail, decisions and corrections',
        params: TICKET_PARAMS,
        response: { 200: response(ticketDetailsResponseSchema), ...ERRORS },
        security: [{ apiKey: [] }],
      },
    },
    async (request) => {
      const details = await deps.tickets.getTicket(request.params.idOrNumber);
      const sla = await loadTicketSlaStates(deps.db, [details.ticket.id], new Date().toISOString());
      return { ...details, ticket: { ...details.ticket, sla: sla.get(details.ticket.id) } };
    },
  );

  app.patch<{ Params: TicketParams; Body: TicketUpdateRequest }>(
    '/v1/tickets/:idOrNumber',
    {
      config: { scope: 'tickets:write' },
      schema: {
        tags: ['tickets'],
        summary: 'Change a ticket (status, assignment, routing, tags)',
        description:
          'An agent change, audited with the API key as the actor. Status moves through the lifecycle (409 TRIAGE_TICKET_ILLEGAL_TRANSITION otherwise) ' +
          'and evaluates status.changed (and ticket.closed); other changes evaluate ticket.updated. Overriding a value a rule set records a correction ' +
          'linked to that rule and rule-set version (R13), returned here and on GET.',
        params: TICKET_PARAMS,
        body: withoutSchemaMeta(ticketUpdateRequestSchema),
        response: { 200: response(ticketChangeResponseSchema), ...ERRORS },
        security: [{ apiKey: [] }],
      },
    },
    async (request) => deps.tickets.updateFields(request.params.idOrNumber, request.body, requestActor(request)),
  );

  app.post<{ Params: TicketParams; Body: TicketMessageRequest }>(
    '/v1/tickets/:idOrNumber/messages',
    {
      config: { scope: 'tickets:write' },
      schema: {
        tags: ['tickets'],
        summary: 'Add a reply, an internal note or a customer message',
        description:
          'outbound public: an agent reply (the first one sets firstResponseAt); internal: a note, never sent to the customer; ' +
          'inbound: a customer message, which reopens a pending or solved ticket and evaluates message.received rules.',
        params: TICKET_PARAMS,
        body: withoutSchemaMeta(ticketMessageRequestSchema),
        response: { 201: response(ticketMessageResponseSchema), ...ERRORS },
        security: [{ apiKey: [] }],
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result = await deps.tickets.addMessage(
        request.params.idOrNumber,
        {
          kind: body.kind,
          direction: body.direction ?? 'outbound',
          text: body.text,
          ...(body.html === undefined ? {} : { html: body.html }),
          ...(body.from === undefined ? {} : { from: body.from }),
        },
        requestActor(request),
      );
      return reply.status(201).send({ ticket: result.ticket, message: result.message, decision: result.decision });
    },
  );
}

/** A bad cursor is a bad query parameter: the same coded error as a schema violation. */
export function cursorOf(value: string): TicketCursor {
  const cursor = decodeTicketCursor(value);
  if (cursor === undefined) throw validationError('querystring/cursor', 'is not a nextCursor returned by this API');
  return cursor;
}

function validationError(path: string, message: string): TriageError {
  return new TriageError('TRIAGE_HTTP_VALIDATION', [`${path} ${message}`], { details: [{ path, message }] });
}
