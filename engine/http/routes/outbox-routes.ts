import type { FastifyInstance, FastifyRequest } from 'fastify';
import errorSchema from '../../../schemas/http/error.schema.json' with { type: 'json' };
import outboxAttemptSchema from '../../../schemas/http/outbox-attempt.schema.json' with { type: 'json' };
import outboxDetailsResponseSchema from '../../../schemas/http/outbox-details-response.schema.json' with { type: 'json' };
import outboxEntrySchema from '../../../schemas/http/outbox-entry.schema.json' with { type: 'json' };
import outboxListQuerySchema from '../../../schemas/http/outbox-list-query.schema.json' with { type: 'json' };
import outboxListResponseSchema from '../../../schemas/http/outbox-list-response.schema.json' with { type: 'json' };
import { TriageError } from '../../errors/triage-error.js';
import type { OutboxStatus } from '../../outbox/outbox-entry.js';
import { OutboxStore } from '../../outbox/outbox-store.js';
import { outboxEntryView } from '../../outbox/outbox-view.js';
import { toIsoUtc } from '../../store/iso-time.js';
import { encodeTicketCursor } from '../../tickets/ticket-cursor.js';
import type { AppDeps } from '../app-deps.js';
import { inlineSchemaRefs } from '../inline-schema-refs.js';
import { withoutSchemaMeta } from '../schema-for-route.js';
import { cursorOf } from './ticket-routes.js';

const SCHEMA_FILES = { 'outbox-entry.schema.json': outboxEntrySchema, 'outbox-attempt.schema.json': outboxAttemptSchema };
const response = (schema: Record<string, unknown>): Record<string, unknown> => inlineSchemaRefs(schema, SCHEMA_FILES);
const ERRORS = { '4xx': withoutSchemaMeta(errorSchema) };
const ID_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 100, description: 'Outbox row id (GET /v1/outbox).' } },
} as const;

interface OutboxListQuery {
  status?: OutboxStatus;
  ticket?: string;
  limit?: number;
  cursor?: string;
}

/**
 * The outbox for operators (admin scope): list rows by status, read one with
 * its attempt log, send a dead row again, or drop a row (kept, never
 * deleted). Retries and drops are audited with the API key's name. Params in
 * responses have secret-looking keys masked.
 */
export function registerOutboxRoutes(app: FastifyInstance, deps: AppDeps): void {
  const store = new OutboxStore(deps.db);
  const actor = (request: FastifyRequest): string => `api:${request.principal?.name ?? 'unknown'}`;
  const now = (): string => toIsoUtc(new Date()) ?? new Date().toISOString();

  app.get<{ Querystring: OutboxListQuery }>(
    '/v1/outbox',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['outbox'],
        summary: 'List outbox rows',
        description:
          'Actions rules decided (Slack, Jira, webhooks, notes, replies…) and where their delivery stands, newest first. ' +
          'Filter by status (pending, in_flight, done, dead, dropped) or ticket; page with nextCursor. counts: all rows per status.',
        querystring: withoutSchemaMeta(outboxListQuerySchema),
        response: { 200: response(outboxListResponseSchema), ...ERRORS },
        security: [{ apiKey: [] }],
      },
    },
    async (request) => {
      const { status, ticket, limit, cursor } = request.query;
      const after = cursor === undefined ? undefined : cursorOf(cursor);
      const page = await store.list({
        limit: limit ?? 50,
        ...(status === undefined ? {} : { status }),
        ...(ticket === undefined ? {} : { ticketId: ticket }),
        ...(after === undefined ? {} : { after }),
      });
      return {
        entries: page.entries.map(outboxEntryView),
        nextCursor: page.next === null ? null : encodeTicketCursor(page.next),
        counts: await store.countByStatus(),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/outbox/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['outbox'],
        summary: 'Read an outbox row with its attempts',
        description: 'Every delivery attempt (outcome, error code, HTTP status, Retry-After) and every retry or drop by an operator.',
        params: ID_PARAMS,
        response: { 200: response(outboxDetailsResponseSchema), ...ERRORS },
        security: [{ apiKey: [] }],
      },
    },
    async (request) => {
      const entry = await store.get(request.params.id);
      if (entry === undefined) throw new TriageError('TRIAGE_OUTBOX_NOT_FOUND', [request.params.id]);
      const attempts = await store.attempts(entry.id);
      const events = await store.events(entry.id);
      return {
        entry: outboxEntryView(entry),
        attempts: attempts.map(({ outboxId: _o, ...a }) => a),
        events: events.map((e) => ({ action: e.action, actor: e.actor, fromStatus: e.fromStatus, at: e.at })),
      };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/outbox/:id/retry',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['outbox'],
        summary: 'Send a dead or dropped row again',
        description: 'The row becomes pending, due now, with a fresh budget of attempts. 409 TRIAGE_OUTBOX_ILLEGAL_STATE for pending, in-flight and done rows.',
        params: ID_PARAMS,
        response: { 200: response(outboxEntrySchema), ...ERRORS },
        security: [{ apiKey: [] }],
      },
    },
    async (request) => outboxEntryView(await store.retry(request.params.id, actor(request), now())),
  );

  app.post<{ Params: { id: string } }>(
    '/v1/outbox/:id/drop',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['outbox'],
        summary: 'Give up on a pending or dead row',
        description: 'The row becomes dropped: kept for the record, never sent (unless retried). 409 TRIAGE_OUTBOX_ILLEGAL_STATE for in-flight, done and dropped rows.',
        params: ID_PARAMS,
        response: { 200: response(outboxEntrySchema), ...ERRORS },
        security: [{ apiKey: [] }],
      },
    },
    async (request) => outboxEntryView(await store.drop(request.params.id, actor(request), now())),
  );
}
