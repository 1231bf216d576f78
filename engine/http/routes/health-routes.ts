import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.js';

/**
 * /healthz: the process is up (liveness). /readyz: it can do its job — the
 * database answers and a rule set is loaded (readiness; load balancers use it).
 */
export function registerHealthRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['health'], summary: 'Readiness: database reachable, rule set loaded' } }, async (_request, reply) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    try {
      await deps.db.raw('select 1');
      checks.database = { ok: true };
    } catch (e) {
      checks.database = { ok: false, detail: e instanceof Error ? e.message.split('\n')[0] : 'unreachable' };
    }
    const rules = deps.rules.status();
    checks.rules = { ok: true, detail: `version ${rules.active.version}${rules.lastReload && !rules.lastReload.ok ? ' (last reload failed; previous version serving)' : ''}` };
    const ok = Object.values(checks).every((c) => c.ok);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not-ready', checks });
  });
  app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics', hide: false } }, async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}
