import Fastify, { type FastifyInstance } from 'fastify';
import { TriageError } from '../errors/triage-error.js';
import type { AppDeps } from './app-deps.js';
import { REDACTED_PATHS, type BuildAppOptions } from './build-app.js';
import { installErrorHandling } from './error-handler.js';
import { registerHealthRoutes } from './routes/health-routes.js';

/**
 * The HTTP side of a workers-only instance (roles: workers,
 * docs/deployment.md): /healthz, /readyz and /metrics on PORT, so
 * orchestrators can probe it and Prometheus can scrape its outbox, SLA and
 * mailbox figures, but no API. A request for /v1/… gets a coded 404 that
 * names the role instead of a bare "not found".
 */
export async function buildHealthApp(deps: AppDeps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const { logLevel, bodyLimit } = deps.config.server;
  const app = Fastify({
    logger:
      options.logger === undefined
        ? { level: logLevel, redact: REDACTED_PATHS }
        : options.logger === false || options.logger === true
          ? options.logger && { level: logLevel, redact: REDACTED_PATHS }
          : { ...options.logger, redact: REDACTED_PATHS },
    bodyLimit,
    return503OnClosing: true,
  });
  installErrorHandling(app, bodyLimit);
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpDuration.observe({ method: request.method, route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  registerHealthRoutes(app, deps);
  app.all('/v1/*', { schema: { hide: true } }, async (request) => {
    throw new TriageError('TRIAGE_ROLE_API_DISABLED', [request.method, request.url.split('?')[0] ?? request.url]);
  });
  return app;
}
