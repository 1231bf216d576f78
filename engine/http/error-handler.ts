import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TriageError, isTriageError } from '../errors/triage-error.js';

/**
 * Every error leaves the API as `{ code, message, hint, details? }` with a
 * catalogue code. Unknown errors become TRIAGE_HTTP_INTERNAL with the request
 * id; their stack goes to the log, never to the client.
 */
export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError | TriageError, request: FastifyRequest, reply: FastifyReply) => {
    const e = toTriageError(error, request, bodyLimit);
    if (e.status >= 500) request.log.error({ err: error }, e.message);
    else request.log.info({ code: e.code }, e.message);
    void reply.status(e.status).send(e.toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    const e = new TriageError('TRIAGE_HTTP_NOT_FOUND', [request.method, request.url.split('?')[0]]);
    void reply.status(404).send(e.toJSON());
  });
}

function toTriageError(error: FastifyError | TriageError, request: FastifyRequest, bodyLimit: number): TriageError {
  if (isTriageError(error)) return error;
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
  return new TriageError('TRIAGE_HTTP_INTERNAL', [request.id]);
}
