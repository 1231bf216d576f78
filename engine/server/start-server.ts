import { resolve } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { levelTemplateLogger, setTemplateLogger } from '../../rules/lib/render-template.js';
import { loadConnections, type Connections } from '../../connectors/lib/connections.js';
import { loadConfig, type ResolvedConfig } from '../config/load-config.js';
import { createEnrichment } from '../enrichment/create-enrichment.js';
import type { EnrichmentRetrier } from '../enrichment/enrichment-retrier.js';
import { buildApp } from '../http/build-app.js';
import { ApiKeyStore } from '../http/auth/api-key-store.js';
import { createMetrics, type AppMetrics } from '../http/metrics.js';
import { configurePrivacy } from '../privacy/privacy-settings.js';
import { startRetentionJob, type RetentionJob } from '../privacy/retention-job.js';
import { RuleSetHolder } from '../rules-runtime/rule-set-holder.js';
import { createDatabase } from '../store/create-database.js';
import { migrateToLatest } from '../store/migrate-to-latest.js';
import { databaseDialect } from '../store/database-dialect.js';
import { startSqliteCheckpointer, type SqliteCheckpointer } from '../store/sqlite-checkpointer.js';
import { ruleSetDecide } from '../tickets/rule-set-decide.js';
import { TicketService } from '../tickets/ticket-service.js';
import { createOutbox, type Outbox } from '../outbox/create-outbox.js';

export interface RunningServer {
  app: FastifyInstance;
  config: ResolvedConfig;
  db: Knex;
  rules: RuleSetHolder;
  keys: ApiKeyStore;
  metrics: AppMetrics;
  tickets: TicketService;
  /** connections.yaml, loaded and checked at start (docs/connectors.md). */
  connections: Connections;
  /** Background CRM lookup retries (docs/enrichment.md) when `enrichment:` is configured. */
  enrichment: EnrichmentRetrier | undefined;
  /** The periodic retention job (privacy.retention.closedTicketDays set), else undefined. */
  retention: RetentionJob | undefined;
  /** Decided actions: rows written with each decision, dispatched by `outbox.worker` (docs/outbox.md). */
  outbox: Outbox;
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
  /**
   * Run the outbox worker in this process. Default: env TRIAGE_OUTBOX_WORKER (1/true, 0/false),
   * else only when listening, so `app.inject` tests see rows stay pending unless they ask.
   */
  outboxWorker?: boolean;
  /**
   * On SQLite, checkpoint the WAL from a worker thread instead of inside
   * commits (engine/store/sqlite-checkpointer.ts). Default: only when listening.
   */
  sqliteCheckpointer?: boolean;
}

/** The composition root: config → database → rule set → services → HTTP. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const notice = options.notice ?? ((line: string) => process.stderr.write(`${line}\n`));
  const config = await loadConfig({ file: options.configFile, env: options.env });
  // Process-wide: the outbox worker, the phone normalizer and the `mask` filter read it (docs/privacy.md).
  configurePrivacy(config.privacy);
  const rules = await RuleSetHolder.open(config.rules.dir);
  const db = await createDatabase({ url: config.database.url, sqlitePath: config.database.sqlitePath });
  let connections: Connections | undefined;
  let checkpointer: SqliteCheckpointer | undefined;
  try {
    await migrateToLatest(db);
    if (databaseDialect(db) === 'sqlite' && (options.sqliteCheckpointer ?? options.listen !== false)) {
      checkpointer = await startSqliteCheckpointer(db, resolve(config.database.sqlitePath), {
        onError: (error) => process.stderr.write(`triage: ${error.message}\n`),
      });
    }
    // Parts built before the app (which owns the logger) log through it once it exists.
    const sink: { logger?: FastifyBaseLogger } = {};
    const log = (level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>): void => sink.logger?.[level](data ?? {}, message);
    connections = await loadConnections({ file: config.connectionsFile, env: options.env, log });
    const enrichment =
      config.enrichment === undefined ? undefined : createEnrichment({ db, settings: config.enrichment, connection: connections.instance(config.enrichment.connection), log });
    // The note handler reaches the ticket service only from the worker, after both exist.
    const outbox = createOutbox({
      db,
      connections,
      tickets: { addMessage: (...args) => tickets.addMessage(...args), getTicket: (idOrNumber) => tickets.getTicketMessages(idOrNumber) },
      email: config.email,
      escalation: config.escalation,
      onAttempt: (entry, attempt) => metrics.outboxAttempts.inc({ action: entry.actionType, outcome: attempt.outcome }),
      onError: (error) => log('error', 'outbox worker round failed; it retries at the next poll', { error: error instanceof Error ? error.message : String(error) }),
    });
    const metrics = createMetrics({
      outboxByStatus: () => outbox.store.countByStatus(),
      ticketsByStatus: async () => {
        const rows = (await db('tickets').select('status').count({ n: '*' }).groupBy('status')) as { status: string; n: number | string }[];
        return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
      },
    });
    metrics.ruleSetInfo.set({ version: rules.current().version }, 1);
    const tickets = new TicketService({
      db,
      decide: ruleSetDecide(() => rules.current()),
      ...(enrichment === undefined ? {} : { customerFacts: enrichment.enricher.provide }),
      afterDecision: async (context) => {
        const { decision } = context;
        await outbox.afterDecision(context);
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
    sink.logger = app.log;

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

    // Missing template values and failed renders go to the server log (once per distinct problem at warn).
    setTemplateLogger(levelTemplateLogger(app.log));

    let url = '';
    if (options.listen !== false) url = await app.listen({ host: config.server.host, port: config.server.port });
    const { closedTicketDays, intervalMinutes } = config.privacy.retention;
    const retention = closedTicketDays === undefined ? undefined : startRetentionJob({ db, closedTicketDays, intervalMinutes, log: app.log });
    const enrichmentRetries = enrichment?.startRetries(tickets);
    if (runOutboxWorker(options)) outbox.worker.start();
    const openConnections = connections;
    let closing: Promise<void> | undefined;
    return {
      app,
      config,
      db,
      rules,
      keys,
      metrics,
      tickets,
      connections: openConnections,
      enrichment: enrichmentRetries,
      retention,
      outbox,
      url,
      close: () => {
        closing ??= (async () => {
          rules.close();
          await app.close();
          // In-flight deliveries finish and are recorded before connections and the database close.
          await outbox.worker.stop();
          await retention?.stop();
          await enrichmentRetries?.close();
          await openConnections.close();
          await checkpointer?.stop();
          await db.destroy();
        })();
        return closing;
      },
    };
  } catch (e) {
    rules.close();
    await connections?.close();
    await checkpointer?.stop();
    await db.destroy();
    throw e;
  }
}

function runOutboxWorker(options: StartServerOptions): boolean {
  if (options.outboxWorker !== undefined) return options.outboxWorker;
  const env = options.env.TRIAGE_OUTBOX_WORKER;
  if (env !== undefined && env !== '') return env !== '0' && env.toLowerCase() !== 'false';
  return options.listen !== false;
}
