import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.js';

/** GET /v1/rules — the active rule-set version, its files and rules, and the last reload's errors. */
export function registerRulesRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get(
    '/v1/rules',
    {
      config: { scope: 'tickets:read' },
      schema: {
        tags: ['rules'],
        summary: 'The active rule set and the outcome of the last hot reload',
        security: [{ apiKey: [] }],
      },
    },
    async () => {
      const s = deps.rules.status();
      return {
        dir: s.dir,
        version: s.active.version,
        loadedAt: s.loadedAt,
        settings: s.active.settings,
        files: s.active.files,
        rules: s.active.rules.map((r) => ({ id: r.id, description: r.description, file: r.file, line: r.line, priority: r.priority, events: r.events, enabled: r.enabled, confidence: r.confidence ?? null })),
        lastReload: s.lastReload ?? null,
        reloads: s.reloads,
      };
    },
  );
}
