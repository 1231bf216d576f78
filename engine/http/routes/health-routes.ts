import type { FastifyInstance } from 'fastify';
import { readMailboxHealth } from '../../mail/mailbox-health.js';
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
    // IMAP mailboxes are shown, not checked: an IMAP outage is not fixed by taking this instance out of the
    // load balancer, and the API, forms and other channels still work (docs/email.md).
    const mailboxes = deps.config.mail.mailboxes.length === 0 || !checks.database?.ok ? undefined : await readMailboxHealth(deps.db, deps.config.mail);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not-ready', checks, ...(mailboxes === undefined ? {} : { mailboxes }) });
  });
  app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics', hide: false } }, async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}
