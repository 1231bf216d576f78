import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { TriageError } from '../errors/triage-error.js';
import { packageVersion } from '../runtime/package-root.js';
import type { AppDeps } from './app-deps.js';
import { authHook } from './auth/auth-hook.js';
import { installErrorHandling } from './error-handler.js';
import { routeValidatorCompiler } from './route-validator-compiler.js';
import { registerChatRoutes } from './routes/channels/chat-routes.js';
import { registerFormRoutes } from './routes/channels/form-routes.js';
import { registerPhoneRoutes } from './routes/channels/phone-routes.js';
import { registerEvaluateRoutes } from './routes/evaluate-routes.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerRulesRoutes } from './routes/rules-routes.js';
import { registerRulesStatsRoutes } from './routes/rules-stats-routes.js';
import { registerTicketRoutes } from './routes/ticket-routes.js';
import { registerCustomerRoutes } from './routes/customer-routes.js';
import { registerJiraWebhookRoutes } from './routes/jira-webhook-routes.js';
import { registerOutboxRoutes } from './routes/outbox-routes.js';
import { registerCsatRoutes } from './routes/csat-routes.js';
import { registerReportRoutes } from './routes/report-routes.js';
import { registerTicketExplainRoutes } from './routes/ticket-explain-routes.js';
import { registerUiRoutes } from './routes/ui-routes.js';

export interface BuildAppOptions {
  /** pino options, or false for silence (tests). */
  logger?: boolean | Record<string, unknown>;
}

/** Headers and fields that must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-triage-signature"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-triage-signature"]',
  'headers.cookie',
  'key',
  '*.key',
  '*.password',
  '*.secret',
  '*.token',
  'channels.*.secret',
  'channels.forms.*.secret',
  'config.channels.*.secret',
  'config.channels.forms.*.secret',
];

/**
 * The composition of the HTTP API: one Fastify instance, one concern per
 * route module. Routes declare the scope they need (`config.scope`); the auth
 * hook enforces it. Bodies are validated by the JSON Schemas in schemas/,
 * which also produce /openapi.json.
 */
export async function buildApp(deps: AppDeps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const bodyLimit = deps.config.server.bodyLimit;
  const app = Fastify({
    // Redaction is not optional: caller options may change the level or stream, never drop it.
    logger:
      options.logger === undefined
        ? { level: deps.config.server.logLevel, redact: REDACTED_PATHS }
        : options.logger === false || options.logger === true
          ? options.logger && { level: deps.config.server.logLevel, redact: REDACTED_PATHS }
          : { ...options.logger, redact: REDACTED_PATHS },
    bodyLimit,
    return503OnClosing: true,
  });
  // Strict JSON bodies (no type coercion, unknown properties refused rather than dropped),
  // coercion only for query/params/headers, which are text on the wire.
  app.setValidatorCompiler(routeValidatorCompiler);
  app.decorateRequest('principal', undefined);
  app.decorateRequest('rawBody', undefined);

  // JSON only: a text/plain body would otherwise reach validation as a string and fail with a vaguer error.
  app.removeContentTypeParser('text/plain');
  // Keep the raw body: webhook signatures are computed over the exact bytes.
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    request.rawBody = text;
    if (text.trim() === '') {
      done(new TriageError('TRIAGE_HTTP_INVALID_JSON', ['the body is empty']), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(new TriageError('TRIAGE_HTTP_INVALID_JSON', [e instanceof Error ? e.message : String(e)]), undefined);
    }
  });

  installErrorHandling(app, bodyLimit);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'triage API', version: packageVersion(), description: 'Rules engine and connector library for service desks. Errors are { code, message, hint, details }; codes in docs/errors.md.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'API key (`triage keys create`); X-Api-Key header also accepted.' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // preValidation: a caller without a valid key learns nothing about the body schema (401 before 400).
  app.addHook('preValidation', authHook({ keys: deps.keys, channelSecret: (channel) => channelSecret(deps, channel) }));
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  registerHealthRoutes(app, deps);
  registerEvaluateRoutes(app, deps);
  registerRulesRoutes(app, deps);
  registerRulesStatsRoutes(app, deps);
  registerFormRoutes(app, deps);
  registerPhoneRoutes(app, deps);
  registerChatRoutes(app, deps);
  registerTicketRoutes(app, deps);
  registerCustomerRoutes(app, deps);
  registerJiraWebhookRoutes(app, deps);
  registerOutboxRoutes(app, deps);
  registerCsatRoutes(app, deps);
  registerReportRoutes(app, deps);
  registerTicketExplainRoutes(app, deps);
  registerUiRoutes(app);
  return app;
}

function channelSecret(deps: AppDeps, channel: string): string | undefined {
  const ch = deps.config.channels;
  if (channel === 'phone') return ch.phone?.secret;
  if (channel === 'chat') return ch.chat?.secret;
  if (channel === 'jira') return ch.jira?.secret;
  if (channel.startsWith('form:')) return ch.forms?.[channel.slice(5)]?.secret;
  return undefined;
}
