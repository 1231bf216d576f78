import type { Command } from 'commander';
import { describeRoles } from '../../../engine/config/role-settings.js';
import { startServer } from '../../../engine/server/start-server.js';
import type { CliIo } from '../../cli-io.js';

/**
 * `triage serve`: the HTTP API on the configured database (SQLite by default)
 * with the configured rule set (rules/default by default). Runs until SIGINT
 * or SIGTERM, then shuts down gracefully.
 */
export function registerServe(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('serve')
    .description('Start the HTTP API and the background workers (PORT, DATABASE_URL, TRIAGE_RULES, TRIAGE_CONFIG, TRIAGE_BOOTSTRAP_KEY, TRIAGE_ROLES)')
    .option('--config <file>', 'configuration file (default: $TRIAGE_CONFIG or ./triage.config.yaml if present)')
    .action(async (opts: { config?: string }) => {
      const server = await startServer({ configFile: opts.config, env: io.env, notice: (line) => io.stderr(`${line}\n`) });
      const database = server.config.database.url ? 'PostgreSQL' : `SQLite ${server.config.database.sqlitePath}`;
      io.stderr(`triage: listening on ${server.url} (rule set ${server.rules.current().version}, ${database}, roles ${describeRoles(server.config.roles)})\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string): void => {
          io.stderr(`triage: ${signal} received, finishing in-flight requests\n`);
          server.close().then(resolve, (e: unknown) => {
            io.stderr(`triage: shutdown error ${e instanceof Error ? e.message : String(e)}\n`);
            resolve();
          });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      setExit(0);
    });
}
