import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Scope } from '../../engine/http/auth/principal.js';
import { packageRoot } from '../../engine/runtime/package-root.js';
import { startServer, type RunningServer } from '../../engine/server/start-server.js';
import { ruleSetDecide } from '../../engine/tickets/rule-set-decide.js';
import { TicketService } from '../../engine/tickets/ticket-service.js';

export interface TestAppOptions {
  /** Extra environment (wins over the helper's defaults), e.g. secrets referenced by `configFile`. */
  env?: Record<string, string>;
  /**
   * A triage.config.yaml to use instead of the helper's own (which only turns
   * rule watching off). Set `rules.watch: false` in it unless the test is about
   * hot reload.
   */
  configFile?: string;
}

export interface TestAppDeps {
  config: RunningServer['config'];
  db: RunningServer['db'];
  rules: RunningServer['rules'];
  keys: RunningServer['keys'];
  metrics: RunningServer['metrics'];
  /** For seeding data; the same database and rule set the app uses. */
  tickets: TicketService;
}

export interface TestApp {
  /** The real app (all routes, auth, error handling); drive it with `app.inject`. */
  app: FastifyInstance;
  deps: TestAppDeps;
  /** The bootstrap key: scope `admin`, so it passes every scope check. */
  adminKey: string;
  /** A fresh key with exactly these scopes (for 403 tests). */
  keyWith(scopes: Scope[]): Promise<string>;
  /** Close the app and the database, delete the temp files. */
  close(): Promise<void>;
}

/**
 * The real server, composed by startServer exactly as `triage serve` does,
 * on a fresh temp SQLite file with the shipped rules, not listening, no log
 * output. Each call is independent; close it in afterEach/afterAll.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dir = await mkdtemp(join(tmpdir(), 'triage-app-'));
  let server: RunningServer | undefined;
  try {
    let configFile = options.configFile;
    if (configFile === undefined) {
      // Watching the shipped rule directory would leave fs watchers behind and
      // could reload mid-test; loadConfig has no env switch for it.
      configFile = join(dir, 'triage.config.yaml');
      await writeFile(configFile, 'rules:\n  watch: false\n');
    }
    const adminKey = `trg_${randomBytes(32).toString('base64url')}`;
    server = await startServer({
      configFile,
      env: {
        TRIAGE_SQLITE_PATH: join(dir, 'triage.db'),
        TRIAGE_RULES: join(packageRoot(), 'rules', 'default'),
        TRIAGE_BOOTSTRAP_KEY: adminKey,
        ...options.env,
      },
      listen: false,
      logger: false,
      notice: () => undefined,
    });
    const running = server;
    const tickets = new TicketService({ db: running.db, decide: ruleSetDecide(() => running.rules.current()) });
    let counter = 0;
    return {
      app: running.app,
      deps: { config: running.config, db: running.db, rules: running.rules, keys: running.keys, metrics: running.metrics, tickets },
      adminKey,
      async keyWith(scopes) {
        counter += 1;
        const created = await running.keys.create({ name: `test-${counter}-${scopes.join('-').replace(/:/g, '.') || 'none'}`, scopes, actor: 'test' });
        return created.key;
      },
      async close() {
        try {
          await running.close();
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await server?.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
