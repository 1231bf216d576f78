import { resolve } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { levelTemplateLogger, setTemplateLogger } from '../../rules/lib/render-template.js';
import { loadConnections, type Connections } from '../../connectors/lib/connections.js';
import { loadConfig, type ResolvedConfig } from '../config/load-config.js';
import { createEnrichment } from '../enrichment/create-enrichment.js';
import { AutomationSweeper } from '../automations/automation-sweeper.js';
import { configureCsatLinks } from '../automations/csat-links.js';
import { resolveCsatSecret } from '../automations/csat-service.js';
import { createOrders } from '../orders/create-orders.js';
import type { OrderRetrier } from '../orders/order-retrier.js';
import type { EnrichmentRetrier } from '../enrichment/enrichment-retrier.js';
import { buildApp } from '../http/build-app.js';
import { buildHealthApp } from '../http/build-health-app.js';
import { ApiKeyStore } from '../http/auth/api-key-store.js';
import { createMetrics, type AppMetrics } from '../http/metrics.js';
import { configurePrivacy } from '../privacy/privacy-settings.js';
import { startRetentionJob, type RetentionJob } from '../privacy/retention-job.js';
import { RuleSetHolder } from '../rules-runtime/rule-set-holder.js';
import { createDatabase } from '../store/create-database.js';
import { beginImmediate } from '../store/begin-immediate.js';
import { migrateToLatest } from '../store/migrate-to-latest.js';
import { databaseDialect } from '../store/database-dialect.js';
import { startSqliteCheckpointer, type SqliteCheckpointer } from '../store/sqlite-checkpointer.js';
import { ruleSetDecide } from '../tickets/rule-set-decide.js';
import { TicketService } from '../tickets/ticket-service.js';
import { createOutbox, type Outbox } from '../outbox/create-outbox.js';
import { readMailboxHealth } from '../mail/mailbox-health.js';
import { startMailIngest, type MailIngestRunner } from '../mail/start-mail-ingest.js';
import { SlaSweeper } from '../scheduler/sla-sweeper.js';
import { ticketCustomerFacts } from '../scheduler/ticket-customer-facts.js';
import { computeDue, openTimeBetween } from '../sla/calendar/compute-due.js';
import { SlaClocks } from '../sla/clocks/sla-clocks.js';
import { loadSlaPolicy } from '../sla/policy/load-sla-policy.js';

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
  /** Background order lookup retries (docs/orders.md) when `orders:` is configured. */
  orders: OrderRetrier | undefined;
  /** The periodic retention job (privacy.retention.closedTicketDays set), else undefined. */
  retention: RetentionJob | undefined;
  /** Decided actions: rows written with each decision, dispatched by `outbox.worker` (docs/outbox.md). */
  outbox: Outbox;
  /** IMAP ingest of mail.mailboxes (docs/email.md) when mailboxes are configured and it runs in this process. */
  mail: MailIngestRunner | undefined;
  /** Follow-ups and cron schedules (docs/automations.md): `sweepOnce(now)` raises what is due. */
  automations: AutomationSweeper;
  /** SLA clocks and their sweeper (docs/sla.md) when an SLA policy is configured; `sweeper.sweepOnce(now)` raises what is due. */
  sla: { clocks: SlaClocks; sweeper: SlaSweeper } | undefined;
  /** What runs in this process: the API (roles) and each background job (roles, per-job switches, configuration). */
  jobs: { api: boolean; outboxWorker: boolean; automations: boolean; slaSweeper: boolean; mailIngest: boolean; lookupRetries: boolean; retention: boolean };
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
   * Run the outbox worker (and the automation sweeper) in this process. Default: env TRIAGE_OUTBOX_WORKER
   * (1/true, 0/false), else when the instance has the workers role (`roles:` / TRIAGE_ROLES) and listens,
   * so `app.inject` tests see rows stay pending unless they ask.
   */
  outboxWorker?: boolean;
  /** Read the IMAP mailboxes in this process. Default: env TRIAGE_MAIL_INGEST (1/true, 0/false), else with the workers role when listening. */
  mailIngest?: boolean;
  /** Run the SLA sweeper in this process. Default: env TRIAGE_SLA_SWEEPER (1/true, 0/false), else with the workers role when listening. */
  slaSweeper?: boolean;
  /** Injectable clock of the ticket service and the SLA sweeper (tests advance a virtual one). */
  now?: () => Date;
  /**
   * On SQLite, checkpoint the WAL from a worker thread instead of inside
   * commits (engine/store/sqlite-checkpointer.ts). Default: only when listening.
   */
  sqliteCheckpointer?: boolean;
  /**
   * On a SQLite file, new tickets' statements, COMMIT and fsync run on a
   * writer thread with its own connection (engine/tickets/writer-groups.ts).
   * Default: env TRIAGE_SQLITE_WRITER_THREAD (1/true, 0/false), else only
   * when listening.
   */
  sqliteWriterThread?: boolean;
}

/**
 * The composition root: config → database → rule set → services → HTTP.
 * `roles` (docs/deployment.md) decide what runs: the api role serves every
 * route, the workers role runs the background jobs; both are built over the
 * same services, so an instance with either role decides tickets the same way.
 */
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
    const writerThread = databaseDialect(db) === 'sqlite' && runSqliteWriterThread(options);
    // A second connection writes the file from now on: this one's transactions take the write lock at BEGIN.
    if (writerThread) beginImmediate(db);
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
    const orders = config.orders === undefined ? undefined : createOrders({ db, settings: config.orders, connection: connections.instance(config.orders.connection), log });
    // The note handler reaches the ticket service only from the worker, after both exist.
    const outbox = createOutbox({
      db,
      connections,
      tickets: { addMessage: (...args) => tickets.addMessage(...args), getTicket: (idOrNumber) => tickets.getTicketMessages(idOrNumber) },
      email: config.email,
      escalation: config.escalation,
      onAttempt: (entry, attempt) => metrics.outboxAttempts.inc({ action: entry.actionType, outcome: attempt.outcome }),
      onError: (error) => log('error', 'outbox worker round failed; it retries at the next poll', { error: error instanceof Error ? error.message : String(error) }),
      // How soon another instance takes over the rows a dead one had claimed (workers.leaseSeconds).
      // Outcomes share the ticket writes' commits on SQLite (tickets exists by the time the worker records one).
      worker: { leaseMs: config.workers.leaseMs, commits: () => tickets.commits },
    });
    const metrics = createMetrics({
      ...(checkpointer === undefined ? {} : { sqliteWal: () => ({ frames: checkpointer?.last?.log ?? 0, restarts: checkpointer?.restarts ?? 0 }) }),
      // Zero until the first create starts the thread.
      ...(writerThread ? { sqliteWriter: () => tickets.commits?.writerStats() ?? { batches: 0, pieces: 0, restarts: 0 } } : {}),
      outboxByStatus: () => outbox.store.countByStatus(),
      mailboxes: () => readMailboxHealth(db, config.mail),
      ticketsByStatus: async () => {
        const rows = (await db('tickets').select('status').count({ n: '*' }).groupBy('status')) as { status: string; n: number | string }[];
        return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
      },
    });
    metrics.ruleSetInfo.set({ version: rules.current().version }, 1);
    // SLA clocks (docs/sla.md): timer rows written with every ticket change, swept into sla.* events.
    const slaPolicy = config.sla.policyFile === undefined ? undefined : await loadSlaPolicy(config.sla.policyFile);
    const slaClocks =
      slaPolicy === undefined
        ? undefined
        : new SlaClocks({
            policy: () => slaPolicy,
            math: { computeDue, openTimeBetween },
            readsSla: (event) => rules.current().factsFor(event).has('sla'),
            onError: (error, timer) => log('error', 'SLA due time cannot be computed; the clock runs without alerts', { ...timer, error: error instanceof Error ? error.message : String(error) }),
          });
    const tickets = new TicketService({
      db,
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(slaClocks === undefined ? {} : { sla: slaClocks }),
      decide: ruleSetDecide(() => rules.current()),
      ...(enrichment === undefined ? {} : { customerFacts: enrichment.enricher.provide }),
      ...(orders === undefined ? {} : { orderFacts: orders.enricher.provide }),
      afterDecision: async (context) => {
        const { decision } = context;
        await outbox.afterDecision(context);
        const count = (): void => {
          metrics.evaluations.inc({ event: decision.event, source: 'ticket' });
          for (const id of decision.firedRules) metrics.ruleHits.inc({ rule: id, event: decision.event });
        };
        // A create is counted once it is stored: on the writer thread a piece may run again (a lost counter race).
        if (context.commit === undefined) count();
        else context.commit.settled((committed) => committed && count());
      },
      // Creates' statements, COMMIT and fsync on a thread of their own (SQLite file; docs/store.md).
      ...(writerThread ? { groupCommit: { writerThread: true } } : {}),
    });
    // Survey links are rendered inside decide(), so their key and base URL are process-wide (docs/automations.md).
    const csatSecret = await resolveCsatSecret(db, config.automations.csat.secret, new Date().toISOString());
    configureCsatLinks({ publicUrl: config.automations.publicUrl ?? `http://localhost:${config.server.port}`, secret: csatSecret, ttlMs: config.automations.csat.ttlMs });
    const automations = new AutomationSweeper({
      db,
      tickets,
      ruleSet: () => rules.current(),
      ...(options.now === undefined ? {} : { now: options.now }),
      intervalMs: config.automations.sweepIntervalMs,
      batchSize: config.automations.batchSize,
      catchUpMs: config.automations.catchUpMs,
      leaseMs: config.workers.leaseMs,
      log,
    });
    const slaSweeper =
      slaClocks === undefined
        ? undefined
        : new SlaSweeper({
            db,
            clocks: slaClocks,
            tickets,
            sweepSeconds: config.sla.sweepSeconds,
            leaseMs: config.workers.leaseMs,
            log,
            ...(options.now === undefined ? {} : { now: options.now }),
            ...(enrichment === undefined ? {} : { customerFacts: ticketCustomerFacts(db, enrichment.enricher.provide, options.now ?? (() => new Date())) }),
          });
    const keys = new ApiKeyStore(db);
    const bootstrap = options.env.TRIAGE_BOOTSTRAP_KEY;
    if (bootstrap !== undefined && bootstrap !== '') {
      await keys.ensureBootstrapKey(bootstrap);
    } else {
      const created = await keys.ensureInitialAdminKey();
      if (created) notice(`triage: created the first admin API key (shown once, store it now): ${created.key}`);
    }
    // A workers-only instance still answers /healthz, /readyz and /metrics (orchestrators probe it), nothing else.
    const appOptions = options.logger === undefined ? {} : { logger: options.logger };
    const app = config.roles.api ? await buildApp({ config, db, rules, tickets, keys, metrics }, appOptions) : await buildHealthApp({ config, db, rules, tickets, keys, metrics }, appOptions);
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
    // Background jobs belong to the workers role; each is safe on several instances at once (docs/deployment.md).
    const workers = config.roles.workers;
    const retention = closedTicketDays === undefined || !workers ? undefined : startRetentionJob({ db, closedTicketDays, intervalMinutes, log: app.log });
    const enrichmentRetries = workers ? enrichment?.startRetries(tickets, { leaseMs: config.workers.leaseMs }) : undefined;
    const orderRetries = workers ? orders?.startRetries(tickets, { leaseMs: config.workers.leaseMs }) : undefined;
    const outboxRuns = runOutboxWorker(options, workers);
    const slaRuns = slaSweeper !== undefined && runSlaSweeper(options, workers);
    if (outboxRuns) outbox.worker.start();
    if (slaRuns) slaSweeper.start();
    if (outboxRuns) automations.start();
    const mailIngest =
      config.mail.mailboxes.length > 0 && runMailIngest(options, workers)
        ? startMailIngest({
            db,
            tickets,
            settings: config.mail,
            ...(config.email.loopMarker === undefined ? {} : { loopMarker: config.email.loopMarker }),
            log: (level, message, data) => app.log[level](data ?? {}, message),
            onRound: (r) => {
              for (const [outcome, n] of [['created', r.created], ['appended', r.appended], ['duplicate', r.duplicates], ['failed', r.failed]] as const) {
                if (n > 0) metrics.mailMessages.inc({ mailbox: r.mailbox, outcome }, n);
              }
            },
          })
        : undefined;
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
      orders: orderRetries,
      retention,
      outbox,
      mail: mailIngest,
      automations,
      sla: slaClocks === undefined || slaSweeper === undefined ? undefined : { clocks: slaClocks, sweeper: slaSweeper },
      jobs: {
        api: config.roles.api,
        outboxWorker: outboxRuns,
        automations: outboxRuns,
        slaSweeper: slaRuns,
        mailIngest: mailIngest !== undefined,
        lookupRetries: enrichmentRetries !== undefined || orderRetries !== undefined,
        retention: retention !== undefined,
      },
      url,
      close: () => {
        closing ??= (async () => {
          rules.close();
          await automations.close();
          await app.close();
          // The round in progress commits its tickets and moves its messages before the database closes.
          await mailIngest?.stop();
          // A sweep in progress commits (or rolls back) its firings before the database closes.
          await slaSweeper?.stop();
          // In-flight deliveries finish and are recorded before connections and the database close.
          await outbox.worker.stop();
          await retention?.stop();
          await enrichmentRetries?.close();
          await orderRetries?.close();
          await openConnections.close();
          // Last writes through the group commit are done by now (HTTP, mail, sweepers, outbox stopped).
          await tickets.close();
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

// The per-job switches (option, then env) override the role; without them a job runs with the workers role when listening.
function runOutboxWorker(options: StartServerOptions, workersRole: boolean): boolean {
  if (options.outboxWorker !== undefined) return options.outboxWorker;
  const env = options.env.TRIAGE_OUTBOX_WORKER;
  if (env !== undefined && env !== '') return env !== '0' && env.toLowerCase() !== 'false';
  return workersRole && options.listen !== false;
}

function runMailIngest(options: StartServerOptions, workersRole: boolean): boolean {
  if (options.mailIngest !== undefined) return options.mailIngest;
  const env = options.env.TRIAGE_MAIL_INGEST;
  if (env !== undefined && env !== '') return env !== '0' && env.toLowerCase() !== 'false';
  return workersRole && options.listen !== false;
}

function runSlaSweeper(options: StartServerOptions, workersRole: boolean): boolean {
  if (options.slaSweeper !== undefined) return options.slaSweeper;
  const env = options.env.TRIAGE_SLA_SWEEPER;
  if (env !== undefined && env !== '') return env !== '0' && env.toLowerCase() !== 'false';
  return workersRole && options.listen !== false;
}

function runSqliteWriterThread(options: StartServerOptions): boolean {
  if (options.sqliteWriterThread !== undefined) return options.sqliteWriterThread;
  const env = options.env.TRIAGE_SQLITE_WRITER_THREAD;
  if (env !== undefined && env !== '') return env !== '0' && env.toLowerCase() !== 'false';
  return options.listen !== false;
}
