import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../engine/config/load-config.js';
import type { Diagnostic } from '../../engine/errors/diagnostic.js';
import { isTriageError } from '../../engine/errors/triage-error.js';
import { packageRoot } from '../../engine/runtime/package-root.js';
import { expectCode } from '../../test/helpers/expect-code.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/fakes/webhook-receiver.js';
import type { ConnectorDefinition } from './connector.js';
import { loadConnections } from './connections.js';
import { createConnectorRegistry } from './registry.js';

let dir: string;
let n = 0;
async function fileWith(text: string, ext = 'yaml'): Promise<string> {
  const file = join(dir, `connections-${++n}.${ext}`);
  await writeFile(file, text);
  return file;
}

/** The diagnostics of a failed load, as `line:col CODE message` (file name dropped). */
async function problems(text: string, env: Record<string, string> = {}): Promise<string[]> {
  const file = await fileWith(text);
  try {
    await loadConnections({ file, env });
  } catch (e) {
    if (isTriageError(e) && e.code === 'TRIAGE_CONNECTIONS_INVALID') {
      expect(e.message).toContain(file);
      return (e.details as Diagnostic[]).map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`);
    }
    throw e;
  }
  throw new Error('expected the file to be invalid');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'triage-connections-'));
});

describe('loadConnections', () => {
  it('without a file has no connections and says so', async () => {
    const c = await loadConnections({ file: undefined, env: {} });
    expect(c.list()).toEqual([]);
    expect(c.has('x')).toBe(false);
    expect(() => c.get('x')).toThrow('No connection named "x" (no connections file is configured)');
  });

  it('resolves env references, fills defaults, coerces env strings, and masks sensitive values in list()', async () => {
    const file = await fileWith(
      [
        'connections:',
        '  orders-hook:',
        '    connector: webhook',
        '    url: https://hooks.example.com/${env:HOOK_PATH}',
        '    secret: ${env:HOOK_SECRET}',
        '    timeoutMs: ${env:HOOK_TIMEOUT}',
        '    headers: { X-Tenant: acme }',
        '    secretHeaders: { Authorization: "${env:HOOK_AUTH}" }',
        '',
      ].join('\n'),
    );
    const c = await loadConnections({ file, env: { HOOK_PATH: 'orders', HOOK_SECRET: 's3cret-value', HOOK_TIMEOUT: '2500', HOOK_AUTH: 'Bearer tok-123' } });
    expect(c.file).toBe(file);
    expect(c.get('orders-hook')).toMatchObject({
      name: 'orders-hook',
      connector: { name: 'webhook' },
      settings: { url: 'https://hooks.example.com/orders', secret: 's3cret-value', timeoutMs: 2500, allowPrivate: false, secretHeaders: { Authorization: 'Bearer tok-123' } },
      at: { file, line: 2, column: 3 },
    });
    expect(c.list()).toEqual([
      {
        name: 'orders-hook',
        connector: 'webhook',
        kind: 'action',
        settings: { url: 'https://hooks.example.com/orders', secret: '***', timeoutMs: 2500, allowPrivate: false, headers: { 'X-Tenant': 'acme' }, secretHeaders: { Authorization: '***' } },
      },
    ]);
    expect(JSON.stringify(c.list())).not.toMatch(/s3cret|tok-123/);
    expect(c.secrets().sort()).toEqual(['Bearer tok-123', 's3cret-value']);
  });

  it('refuses literal secrets and unset variables, naming file:line:col and the variable', async () => {
    expect(
      await problems(
        [
          'connections:',
          '  a:',
          '    connector: webhook',
          '    url: https://a.example',
          '    secret: hunter2',
          '    secretHeaders:',
          '      Authorization: Bearer abc',
          '  b:',
          '    connector: webhook',
          '    url: https://b.example',
          '    secret: ${env:B_SECRET}',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      '5:13 TRIAGE_CONNECTIONS_LITERAL_SECRET connection "a": secret is sensitive and must be a ${env:NAME} reference, not a literal value',
      '7:22 TRIAGE_CONNECTIONS_LITERAL_SECRET connection "a": secretHeaders.Authorization is sensitive and must be a ${env:NAME} reference, not a literal value',
      '11:13 TRIAGE_CONNECTIONS_MISSING_ENV connection "b": secret references the unset environment variable B_SECRET',
    ]);
  });

  it('checks the file shape and each connection against its connector settings', async () => {
    expect(await problems('connections:\n  Bad Name: { connector: webhook }\nextra: 1\n')).toEqual([
      '3:1 TRIAGE_CONNECTIONS_SCHEMA unknown setting "extra"',
      '2:3 TRIAGE_CONNECTIONS_SCHEMA name "Bad Name" must match pattern "^[a-z0-9][a-z0-9_-]{0,63}$"',
    ]);
    expect(
      await problems(
        [
          'connections:',
          '  a: { connector: webhok, url: "https://x" }',
          '  b: { connector: webhook }',
          '  c: { connector: webhook, url: "ftp://x", timeoutMs: 5 }',
          '  d: { connector: webhook, url: "https://x", urll: "https://y" }',
          '  e: { connector: webhook, url: "https://x", allowHosts: ["10.0.0.0/99"], headers: { Authorization: x } }',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      '2:19 TRIAGE_CONNECTIONS_UNKNOWN_CONNECTOR connection "a": unknown connector "webhok" (did you mean "webhook"?)',
      '3:6 TRIAGE_CONNECTIONS_SCHEMA connection "b" (webhook): must have required property \'url\'',
      '4:33 TRIAGE_CONNECTIONS_SCHEMA connection "c" (webhook): url must match pattern "^https?://"',
      '4:55 TRIAGE_CONNECTIONS_SCHEMA connection "c" (webhook): timeoutMs must be >= 100',
      '5:46 TRIAGE_CONNECTIONS_SCHEMA connection "d" (webhook): unknown setting "urll"',
      '6:3 TRIAGE_CONNECTIONS_SCHEMA connection "e" (webhook): allowHosts: "10.0.0.0/99" is neither a host name, an IP address nor a CIDR',
      '6:3 TRIAGE_CONNECTIONS_SCHEMA connection "e" (webhook): headers: "Authorization" cannot be set here (credentials go in secretHeaders, as ${env:NAME} references)',
    ]);
  });

  it('reports syntax errors and unreadable files with their own codes', async () => {
    expect(await problems('connections:\n  a: { connector: webhook\n')).toEqual([expect.stringMatching(/^\d+:\d+ TRIAGE_CONNECTIONS_SYNTAX invalid YAML/)]);
    await expectCode(loadConnections({ file: join(dir, 'missing.yaml'), env: {} }), 'TRIAGE_CONNECTIONS_READ');
  });

  it('picks the connection an action uses: named, named after the connector, or the only one', async () => {
    const file = await fileWith('connections:\n  webhook: { connector: webhook, url: "https://a.example" }\n  orders: { connector: webhook, url: "https://b.example" }\n');
    const c = await loadConnections({ file, env: {} });
    expect(c.connectionFor('webhook', 'orders').name).toBe('orders');
    expect(c.connectionFor('webhook').name).toBe('webhook');
    expect(() => c.connectionFor('webhook', 'order')).toThrow('No connection named "order" (did you mean "orders"?)');
    expect(() => c.connectionFor('slack', 'orders')).toThrow('Connection "orders" uses connector "webhook", not "slack"');
    expect(() => c.connectionFor('slack')).toThrow('No connection for connector "slack": none is defined');

    const two = await loadConnections({ file: await fileWith('connections:\n  a: { connector: webhook, url: "https://a.example" }\n  b: { connector: webhook, url: "https://b.example" }\n'), env: {} });
    expect(() => two.connectionFor('webhook')).toThrow('several are defined (a, b)');
    const one = await loadConnections({ file: await fileWith('{"connections": {"only": {"connector": "webhook", "url": "https://a.example"}}}', 'json'), env: {} });
    expect(one.connectionFor('webhook').name).toBe('only');
  });

  it('validates against the registry it is given and creates instances lazily, once, with a secret-free log context', async () => {
    const created: unknown[] = [];
    const logs: unknown[] = [];
    let closed = 0;
    const probe: ConnectorDefinition = {
      name: 'probe',
      kind: 'action',
      summary: 'test connector',
      credentials: { type: 'object', additionalProperties: false, properties: { token: { type: 'string', 'x-sensitive': true }, retries: { type: 'integer', default: 3 } } },
      operations: [],
      create: (settings, context) => {
        created.push(settings);
        context.log('info', 'created');
        return {
          test: () => Promise.resolve({ ok: true, detail: 'fine' }),
          close: () => {
            closed++;
            return Promise.resolve();
          },
        };
      },
    };
    const file = await fileWith('connections:\n  p: { connector: probe, token: "${env:PROBE_TOKEN}" }\n');
    const c = await loadConnections({ file, env: { PROBE_TOKEN: 'abc' }, registry: createConnectorRegistry([probe]), log: (level, message, data) => logs.push({ level, message, data }) });
    expect(created).toEqual([]);
    const first = c.instance('p');
    expect(c.instance('p')).toBe(first);
    expect(created).toEqual([{ token: 'abc', retries: 3 }]);
    expect(logs).toEqual([{ level: 'info', message: 'created', data: { connection: 'p', connector: 'probe' } }]);
    await expect(first.test()).resolves.toEqual({ ok: true, detail: 'fine' });
    await c.close();
    expect(closed).toBe(1);
  });
});

describe('a webhook connection end to end', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver({ secret: 'hook-secret' });
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('loads from connections.yaml and delivers a signed action to the loopback receiver (allow-listed)', async () => {
    const file = await fileWith(`connections:\n  hook:\n    connector: webhook\n    url: ${receiver.url}/in\n    secret: \${env:HOOK_SECRET}\n    allowHosts: [127.0.0.1]\n`);
    const c = await loadConnections({ file, env: { HOOK_SECRET: 'hook-secret' } });
    const result = await c.instance('hook').execute?.({ operation: 'post', params: { connection: 'hook', body: { a: 1 } }, idempotencyKey: 'k-1', ticket: { number: 'T-000001' }, signal: AbortSignal.timeout(5000) });
    expect(result?.detail).toBe(`200 from ${receiver.url}`);
    expect(receiver.requests[0]).toMatchObject({ url: '/in', idempotencyKey: 'k-1', signatureValid: true });
    await c.close();
  });
});

describe('loadConfig connectionsFile', () => {
  it('comes from TRIAGE_CONNECTIONS, else from the config file', async () => {
    const config = await fileWith('connectionsFile: ./conf/connections.yaml\nrules: { watch: false }\n');
    expect((await loadConfig({ file: config, env: {} })).connectionsFile).toBe('./conf/connections.yaml');
    expect((await loadConfig({ file: config, env: { TRIAGE_CONNECTIONS: '/etc/triage/connections.yaml' } })).connectionsFile).toBe('/etc/triage/connections.yaml');
  });
});

describe('examples/connections.yaml', () => {
  it('is valid, and lists without secrets', async () => {
    const env = { SLACK_BOT_TOKEN: 'xoxb-example', JIRA_API_TOKEN: 'jira-example', CRM_TOKEN: 'crm-example', ORDERS_HOOK_SECRET: 'orders-example', N8N_HOOK_AUTH: 'Bearer n8n-example', ERP_HOOK_SECRET: 'erp-example' };
    const c = await loadConnections({ file: join(packageRoot(), 'examples', 'connections.yaml'), env });
    expect(c.list().map((x) => `${x.name}:${x.connector}`)).toEqual(['slack:slack', 'jira:jira', 'orders-hook:webhook', 'n8n:webhook', 'crm:http-crm', 'erp-hook:webhook']);
    expect(c.connectionFor('slack').name).toBe('slack');
    const shown = JSON.stringify(c.list());
    for (const secret of Object.values(env)) expect(shown).not.toContain(secret);
  });
});
