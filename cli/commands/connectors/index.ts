import type { Command } from 'commander';
import { loadConnections } from '../../../connectors/lib/connections.js';
import type { ConnectorDefinition } from '../../../connectors/lib/connector.js';
import { connectorRegistry } from '../../../connectors/lib/registry.js';
import { describeCredentials, type CredentialField } from '../../../connectors/lib/sensitive-fields.js';
import { loadConfig } from '../../../engine/config/load-config.js';
import { EXIT, type CliIo } from '../../cli-io.js';

/**
 * `triage connectors list|test`: what connectors this build has (and the
 * settings each needs in connections.yaml), and whether a configured
 * connection works. Output never contains secrets: list shows which settings
 * are sensitive, not values; test prints the connector's own secret-free
 * detail.
 */
export function registerConnectors(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const connectors = program.command('connectors').description('List connectors and test connections from connections.yaml (docs/connectors.md)');

  connectors
    .command('list')
    .description('List the connectors: kind, operations (rule actions) and the settings a connection needs (* required)')
    .option('--json', 'print the connectors as JSON')
    .action((opts: { json?: boolean }) => {
      const all = [...connectorRegistry.values()];
      io.stdout(opts.json === true ? `${JSON.stringify(all.map(describeConnector), null, 2)}\n` : all.map(formatConnector).join('\n'));
      setExit(EXIT.ok);
    });

  connectors
    .command('test')
    .description('Check connections (credentials, reachability, SSRF policy) without side effects; exit 1 if one fails')
    .argument('[name]', 'connection name in connections.yaml (default: all of them)')
    .option('--connections <file>', 'connections file (default: connectionsFile from the config, $TRIAGE_CONNECTIONS or ./connections.yaml)')
    .option('--config <file>', 'configuration file (default: $TRIAGE_CONFIG or ./triage.config.yaml if present)')
    .option('--json', 'print the results as JSON')
    .action(async (name: string | undefined, opts: { connections?: string; config?: string; json?: boolean }) => {
      const file = opts.connections ?? (await loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: io.env })).connectionsFile;
      const connections = await loadConnections({ file, env: io.env });
      try {
        const names = name !== undefined ? [connections.get(name).name] : connections.list().map((c) => c.name);
        const results: { connection: string; connector: string; ok: boolean; detail: string }[] = [];
        for (const n of names) {
          const connector = connections.get(n).connector.name;
          const r = await connections.instance(n).test();
          results.push({ connection: n, connector, ok: r.ok, detail: r.detail });
        }
        if (opts.json === true) io.stdout(`${JSON.stringify(results, null, 2)}\n`);
        else if (results.length === 0) io.stdout(`No connections${file === undefined ? ' (no connections file configured)' : ` in ${file}`}.\n`);
        else for (const r of results) io.stdout(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.connection} (${r.connector}): ${r.detail}\n`);
        setExit(results.every((r) => r.ok) ? EXIT.ok : EXIT.failed);
      } finally {
        await connections.close();
      }
    });
}

interface ConnectorDescription {
  name: string;
  kind: string;
  summary: string;
  operations: { name: string; action: string; summary: string; idempotency: string; params: Record<string, unknown> }[];
  settings: CredentialField[];
}

function describeConnector(c: ConnectorDefinition): ConnectorDescription {
  return {
    name: c.name,
    kind: c.kind,
    summary: c.summary,
    operations: c.operations.map((op) => ({ name: op.name, action: `${c.name}.${op.name}`, summary: op.summary, idempotency: op.idempotency, params: op.params })),
    settings: describeCredentials(c.credentials),
  };
}

function formatConnector(c: ConnectorDefinition): string {
  const d = describeConnector(c);
  const lines = [`${d.name} (${d.kind}): ${d.summary}`];
  for (const op of d.operations) lines.push(`  action    ${op.action} — ${op.summary} [idempotency: ${op.idempotency === 'key' ? 'key — a repeated call is deduplicated' : 'none — a repeated call may duplicate'}]`);
  for (const s of d.settings) {
    const marks = [s.type, s.sensitive === true ? 'sensitive: ${env:NAME} only' : s.sensitive === 'values' ? 'values sensitive: ${env:NAME} only' : undefined, s.default === undefined ? undefined : `default ${JSON.stringify(s.default)}`].filter((m) => m !== undefined);
    lines.push(`  setting   ${s.name}${s.required ? '*' : ''} (${marks.join(', ')})${s.description === undefined ? '' : ` — ${s.description}`}`);
  }
  return `${lines.join('\n')}\n`;
}
