import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TriageError, isTriageError } from '../errors/triage-error.js';
import { isConnectionLoss } from '../store/is-connection-loss.js';

/** Seconds a client is asked to wait before retrying during a database outage (PostgreSQL restarts take about this). */
const OUTAGE_RETRY_AFTER_SECONDS = 2;

/**
 * Every error leaves the API as `{ code, message, hint, details? }` with a
 * catalogue code. Unknown errors become TRIAGE_HTTP_INTERNAL with the request
 * id; their stack goes to the log, never to the client.
 */
export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError | TriageError, request: FastifyRequest, reply: FastifyReply) => {
    const e = toApiError(error, request, bodyLimit);
    if (e.code === 'TRIAGE_STORE_OUTAGE') {
      // Expected while the database restarts: one line, no stack; the client retries after Retry-After.
      request.log.warn({ code: e.code }, e.message);
      void reply.header('retry-after', String(OUTAGE_RETRY_AFTER_SECONDS));
    } else if (e.status >= 500) request.log.error({ err: error }, e.message);
    else request.log.info({ code: e.code }, e.message);
    void reply.status(e.status).send(e.toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    const e = new TriageError('TRIAGE_HTTP_NOT_FOUND', [request.method, request.url.split('?')[0]]);
    void reply.status(404).send(e.toJSON());
  });
}

/**
 * What the API answers for `error`: a TriageError as it is, Fastify's
 * validation and body errors by their codes, a lost database connection as
 * TRIAGE_STORE_OUTAGE, anything else as TRIAGE_HTTP_INTERNAL (no details).
 * Also for errors answered inside a 200 (the results of POST /v1/tickets/batch).
 */
export function toApiError(error: unknown, request: FastifyRequest, bodyLimit: number): TriageError {
  if (isTriageError(error)) return error;
  if (typeof error !== 'object' || error === null) return new TriageError('TRIAGE_HTTP_INTERNAL', [request.id]);
  const fe = error as FastifyError;
  if (fe.validation) {
    const details = fe.validation.map((v) => ({
      path: `${fe.validationContext ?? 'body'}${v.instancePath}`,
      message: v.message ?? 'is invalid',
      ...(v.keyword === 'additionalProperties' ? { property: (v.params as { additionalProperty?: string }).additionalProperty } : {}),
    }));
    const summary = details.map((d) => `${d.path} ${d.message}${'property' in d ? ` "${String(d.property)}"` : ''}`).join('; ');
    return new TriageError('TRIAGE_HTTP_VALIDATION', [summary], { details });
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new TriageError('TRIAGE_HTTP_BODY_TOO_LARGE', [bodyLimit]);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new TriageError('TRIAGE_HTTP_UNSUPPORTED_MEDIA_TYPE', [request.headers['content-type'] ?? '(none)']);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new TriageError('TRIAGE_HTTP_INVALID_JSON', ['the body is empty']);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new TriageError('TRIAGE_HTTP_INVALID_JSON', [fe.message]);
    default:
      break;
  }
  if (fe.statusCode !== undefined && fe.statusCode < 500 && fe.statusCode >= 400) {
    // Fastify's own 4xx (e.g. malformed URL): keep the status, give it our shape.
    return Object.assign(new TriageError('TRIAGE_HTTP_VALIDATION', [fe.message]), { status: fe.statusCode });
  }
  // The database is down or restarting: a coded 503 the client can retry, not a 500 that reads like a bug.
  if (isConnectionLoss(error)) return new TriageError('TRIAGE_STORE_OUTAGE', [firstLine(error)], { cause: error });
  return new TriageError('TRIAGE_HTTP_INTERNAL', [request.id]);
}

function firstLine(error: unknown): string {
  const line = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  // knex prefixes the SQL with its bindings ("insert into … - Connection terminated unexpectedly"): never send
  // those to the client, keep the driver's words after knex's separator.
  const separator = line.lastIndexOf(' - ');
  return (separator === -1 ? line : line.slice(separator + 3)).slice(0, 200);
}
