import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/fakes/webhook-receiver.js';
import { runCli } from '../../index.js';
import { bufferIo } from '../../test-io.js';

const SECRET = 'cli-test-secret-42';

describe('triage connectors', () => {
  let receiver: WebhookReceiver;
  let dir: string;
  let file: string;
  beforeAll(async () => {
    receiver = await startWebhookReceiver({ secret: SECRET });
    dir = await mkdtemp(join(tmpdir(), 'triage-connectors-cli-'));
    file = join(dir, 'connections.yaml');
    await writeFile(
      file,
      [
        'connections:',
        '  good:',
        '    connector: webhook',
        `    url: ${receiver.url}/ok`,
        '    secret: ${env:HOOK_SECRET}',
        '    allowHosts: [127.0.0.1]',
        '  guarded:',
        '    connector: webhook',
        `    url: ${receiver.url}/blocked`,
        '    secret: ${env:HOOK_SECRET}',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await receiver.close();
  });

  const run = async (argv: string[], env: Record<string, string> = { HOOK_SECRET: SECRET }): Promise<{ code: number; out: string; err: string }> => {
    const io = bufferIo('', env);
    const code = await runCli(['connectors', ...argv], io);
    return { code, out: io.out(), err: io.err() };
  };

  it('list prints each connector with its actions and settings, marking required and sensitive ones', async () => {
    const { code, out } = await run(['list']);
    expect(code).toBe(0);
    expect(out).toContain('webhook (action): POST a signed JSON payload');
    expect(out).toContain('  action    webhook.post — POST a signed JSON payload to a webhook connection. [idempotency: key — a repeated call is deduplicated]');
    expect(out).toContain('  setting   url* (string) — ');
    expect(out).toContain('  setting   secret (string, sensitive: ${env:NAME} only) — ');
    expect(out).toContain('  setting   secretHeaders (object, values sensitive: ${env:NAME} only) — ');
    expect(out).toContain('  setting   timeoutMs (integer, default 10000) — ');
    expect(out).toMatch(/^slack \(action\): /m);
    expect(out).toContain('  action    slack.postMessage — Post a message to a Slack channel. [idempotency: none — a repeated call may duplicate]');
  });

  it('list --json gives the same as data', async () => {
    const { code, out } = await run(['list', '--json']);
    expect(code).toBe(0);
    const list = JSON.parse(out) as { name: string; kind: string; operations: { action: string; idempotency: string }[]; settings: { name: string; sensitive: unknown; required: boolean }[] }[];
    const webhook = list.find((c) => c.name === 'webhook');
    expect(webhook).toMatchObject({ kind: 'action', operations: [{ action: 'webhook.post', idempotency: 'key' }] });
    expect(webhook?.settings).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'url', required: true, sensitive: false }), expect.objectContaining({ name: 'secret', required: false, sensitive: true })]),
    );
  });

  it('test NAME checks one connection with a signed ping and exits 0', async () => {
    const { code, out } = await run(['test', 'good', '--connections', file]);
    expect(code).toBe(0);
    expect(out).toBe(`ok    good (webhook): signed ping (POST ${receiver.url}) answered 200\n`);
    expect(receiver.requests.at(-1)).toMatchObject({ url: '/ok', signatureValid: true });
  });

  it('test NAME exits 1 with the reason and hint when the connection fails, never printing the secret', async () => {
    const before = receiver.requests.length;
    const { code, out } = await run(['test', 'guarded', '--connections', file]);
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL {2}guarded \(webhook\): TRIAGE_CONNECTOR_BLOCKED_TARGET Refused to call POST http:\/\/127\.0\.0\.1:\d+: 127\.0\.0\.1 is a loopback address\n {2}hint: .*allowHosts/);
    expect(out).not.toContain(SECRET);
    expect(receiver.requests.length).toBe(before);
  });

  it('test without a name checks every connection (file from $TRIAGE_CONNECTIONS), --json', async () => {
    const { code, out } = await run(['test', '--json'], { HOOK_SECRET: SECRET, TRIAGE_CONNECTIONS: file });
    expect(code).toBe(1);
    expect(JSON.parse(out)).toEqual([
      { connection: 'good', connector: 'webhook', ok: true, detail: expect.any(String) },
      { connection: 'guarded', connector: 'webhook', ok: false, detail: expect.stringContaining('TRIAGE_CONNECTOR_BLOCKED_TARGET') },
    ]);
  });

  it('reports an unknown connection and an unset secret as coded errors (exit 1)', async () => {
    const unknown = await run(['test', 'god', '--connections', file]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^TRIAGE_CONNECTIONS_UNKNOWN No connection named "god" \(did you mean "good"\?\)\n {2}hint: /);
    const unset = await run(['test', 'good', '--connections', file], {});
    expect(unset.code).toBe(1);
    expect(unset.err).toContain(`${file}:5:13 TRIAGE_CONNECTIONS_MISSING_ENV connection "good": secret references the unset environment variable HOOK_SECRET`);
  });

  it('says so when there are no connections', async () => {
    const empty = join(dir, 'empty.yaml');
    await writeFile(empty, 'connections: {}\n');
    const config = join(dir, 'triage.config.yaml');
    await writeFile(config, `connectionsFile: ${empty}\nrules: { watch: false }\n`);
    const { code, out } = await run(['test', '--config', config]);
    expect(code).toBe(0);
    expect(out).toBe(`No connections in ${empty}.\n`);
  });
});
