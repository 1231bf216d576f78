import type { Command } from 'commander';
import { loadConfig } from '../../../engine/config/load-config.js';
import { isTriageError } from '../../../engine/errors/triage-error.js';
import { ApiKeyStore, type ApiKeyInfo } from '../../../engine/http/auth/api-key-store.js';
import { SCOPES } from '../../../engine/http/auth/principal.js';
import { createDatabase } from '../../../engine/store/create-database.js';
import { migrateToLatest } from '../../../engine/store/migrate-to-latest.js';
import { EXIT, type CliIo } from '../../cli-io.js';

interface DbOptions {
  config?: string;
}

/** Codes that mean "the command line was wrong" (exit 2), not "the operation failed" (exit 1). */
const USAGE_CODES: ReadonlySet<string> = new Set(['TRIAGE_AUTH_UNKNOWN_SCOPE', 'TRIAGE_AUTH_INVALID_KEY_NAME']);

/**
 * `triage keys create|list|revoke`: manage API keys on the database the
 * server uses (same config file, DATABASE_URL, TRIAGE_SQLITE_PATH), so it
 * works while the server runs. A revocation reaches a running server within
 * its key cache TTL (a few seconds).
 */
export function registerKeys(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const keys = program.command('keys').description('Create, list and revoke API keys (stored hashed; a key is shown once)');
  const configOption = ['--config <file>', 'configuration file (default: $TRIAGE_CONFIG or ./triage.config.yaml if present)'] as const;
  const actor = `cli:${io.env.USER ?? io.env.USERNAME ?? 'unknown'}`;

  keys
    .command('create')
    .description(`Create a key and print it once. Scopes: ${SCOPES.join(', ')} (admin implies all)`)
    .requiredOption('--name <name>', 'unique name, shown as the actor in the audit log (e.g. n8n-prod)')
    .requiredOption('--scopes <list>', 'comma-separated scopes, e.g. evaluate,tickets:read')
    .option('--json', 'print {id, name, scopes, key, createdAt} as JSON')
    .option(...configOption)
    .action(async (opts: DbOptions & { name: string; scopes: string; json?: boolean }) => {
      await reportingUsage(io, setExit, () =>
        withKeyStore(io, opts, async (store) => {
          const created = await store.create({ name: opts.name, scopes: opts.scopes.split(','), actor });
          if (opts.json === true) {
            io.stdout(`${JSON.stringify(created, null, 2)}\n`);
          } else {
            io.stdout(`id      ${created.id}\nname    ${created.name}\nscopes  ${created.scopes.join(',')}\nkey     ${created.key}\n`);
            io.stderr('The key is shown only this once: store it now (triage keeps only its hash).\n');
          }
          setExit(EXIT.ok);
        }),
      );
    });

  keys
    .command('list')
    .description('List active keys (never the keys themselves, only their first characters)')
    .option('--all', 'include revoked keys')
    .option('--json', 'print the keys as a JSON array')
    .option(...configOption)
    .action(async (opts: DbOptions & { all?: boolean; json?: boolean }) => {
      await withKeyStore(io, opts, async (store) => {
        const list = await store.list({ includeRevoked: opts.all === true });
        if (opts.json === true) io.stdout(`${JSON.stringify(list, null, 2)}\n`);
        else io.stdout(list.length === 0 ? `No ${opts.all === true ? '' : 'active '}API keys.\n` : table(list, opts.all === true));
        setExit(EXIT.ok);
      });
    });

  keys
    .command('revoke')
    .description('Revoke a key by id or name (a running server refuses it within seconds)')
    .argument('<id-or-name>', 'the key id or name, as `triage keys list` shows it')
    .option('--json', 'print the revoked key as JSON')
    .option(...configOption)
    .action(async (idOrName: string, opts: DbOptions & { json?: boolean }) => {
      await withKeyStore(io, opts, async (store) => {
        const revoked = await store.revoke(idOrName, actor);
        io.stdout(opts.json === true ? `${JSON.stringify(revoked, null, 2)}\n` : `Revoked API key "${revoked.name}" (${revoked.id}).\n`);
        setExit(EXIT.ok);
      });
    });
}

async function withKeyStore(io: CliIo, opts: DbOptions, work: (store: ApiKeyStore) => Promise<void>): Promise<void> {
  const config = await loadConfig({ file: opts.config, env: io.env });
  const db = await createDatabase({ url: config.database.url, sqlitePath: config.database.sqlitePath });
  try {
    // A fresh install may run `keys create` before the first `serve`.
    await migrateToLatest(db);
    await work(new ApiKeyStore(db));
  } finally {
    await db.destroy();
  }
}

/** Bad scopes or names are usage errors (exit 2); everything else goes to runCli's handling. */
async function reportingUsage(io: CliIo, setExit: (code: number) => void, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (e) {
    if (!isTriageError(e) || !USAGE_CODES.has(e.code)) throw e;
    io.stderr(`${e.code} ${e.message}\n  hint: ${e.hint}\n`);
    setExit(EXIT.usage);
  }
}

function table(list: readonly ApiKeyInfo[], withRevoked: boolean): string {
  const head = ['ID', 'NAME', 'SCOPES', 'PREFIX', 'CREATED', 'LAST USED', ...(withRevoked ? ['REVOKED'] : [])];
  const rows = list.map((k) => [k.id, k.name, k.scopes.join(','), k.prefix, k.createdAt, k.lastUsedAt ?? '-', ...(withRevoked ? [k.revokedAt ?? '-'] : [])]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`;
  return [head, ...rows].map(line).join('');
}
