import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { loadConfig, type ResolvedConfig } from '../config/load-config.js';
import { buildApp } from '../http/build-app.js';
import { ApiKeyStore } from '../http/auth/api-key-store.js';
import { createMetrics, type AppMetrics } from '../http/metrics.js';
import { RuleSetHolder } from '../rules-runtime/rule-set-holder.js';
import { createDatabase } from '../store/create-database.js';
import { migrateToLatest } from '../store/migrate-to-latest.js';
import { ruleSetDecide } from '../tickets/rule-set-decide.js';
import { TicketService } from '../tickets/ticket-service.js';

export interface RunningServer {
  app: FastifyInstance;
  config: ResolvedConfig;
  db: Knex;
  rules: RuleSetHolder;
  keys: ApiKeyStore;
  metrics: AppMetrics;
  tickets: TicketService;
  /** The address it listens on, e.g. http://127.0.0.1:3000 */
  url: string;
  /** Graceful: stop accepting, finish in-flight requests (and their transactions), then close the database. */
  close(): Promise<void>;
}

export interface StartServerOptions {
  configFile?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Where start-up notices go (the one-time admin key); defaults to stderr. */
  notice?: (line: string) => void;
  logger?: boolean | Record<string, unknown>;
  /** Do not listen (tests that use app.inject). */
  listen?: boolean;
}

/** The composition root: config → database → rule set → services → HTTP. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const notice = options.notice ?? ((line: string) => process.stderr.write(`${line}\n`));
  const config = await loadConfig({ file: options.configFile, env: options.env });
  const rules = await RuleSetHolder.open(config.rules.dir);
  const db = await createDatabase({ url: config.database.url, sqlitePath: config.database.sqlitePath });
  try {
    await migrateToLatest(db);
    const metrics = createMetrics({
      ticketsByStatus: async () => {
        const rows = (await db('tickets').select('status').count({ n: '*' }).groupBy('status')) as { status: string; n: number | string }[];
        return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
      },
    });
    metrics.ruleSetInfo.set({ version: rules.current().version }, 1);
    const tickets = new TicketService({
      db,
      decide: ruleSetDecide(() => rules.current()),
      afterDecision: ({ decision }) => {
        metrics.evaluations.inc({ event: decision.event, source: 'ticket' });
        for (const id of decision.firedRules) metrics.ruleHits.inc({ rule: id, event: decision.event });
      },
    });
    const keys = new ApiKeyStore(db);
    const bootstrap = options.env.TRIAGE_BOOTSTRAP_KEY;
    if (bootstrap !== undefined && bootstrap !== '') {
      await keys.ensureBootstrapKey(bootstrap);
    } else {
      const created = await keys.ensureInitialAdminKey();
      if (created) notice(`triage: created the first admin API key (shown once, store it now): ${created.key}`);
    }
    const app = await buildApp({ config, db, rules, tickets, keys, metrics }, options.logger === undefined ? {} : { logger: options.logger });

    rules.onReload((outcome) => {
      metrics.ruleReloads.inc({ outcome: outcome.ok ? 'ok' : 'failed' });
      if (outcome.ok) {
        metrics.ruleSetInfo.reset();
        metrics.ruleSetInfo.set({ version: outcome.version ?? 'unknown' }, 1);
        app.log.info({ version: outcome.version }, 'rule set reloaded');
      } else {
        app.log.error({ errors: outcome.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`) }, 'rule set reload failed; the previous version keeps serving');
      }
    });
    if (config.rules.watch) rules.watch();

    let url = '';
    if (options.listen !== false) url = await app.listen({ host: config.server.host, port: config.server.port });
    let closing: Promise<void> | undefined;
    return {
      app,
      config,
      db,
      rules,
      keys,
      metrics,
      tickets,
      url,
      close: () => {
        closing ??= (async () => {
          rules.close();
          await app.close();
          await db.destroy();
        })();
        return closing;
      },
    };
  } catch (e) {
    rules.close();
    await db.destroy();
    throw e;
  }
}
