/**
 * Roles (docs/deployment.md): an api instance serves every route and runs no
 * background job; a workers instance runs them and serves only /healthz,
 * /readyz and /metrics. On PostgreSQL both run side by side on one database
 * and the workers instance delivers the action the api instance decided; on
 * SQLite they take turns on one file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/fakes/webhook-receiver.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/postgres.js';
import type { StoreKind } from '../../test/helpers/store-harness.js';
import { startServer, type RunningServer } from './start-server.js';

const RULES = `rules:
  - id: notify-every-ticket
    on: [ticket.created]
    when:
      all:
        - { fact: ticket, path: subject, operator: exists, value: true }
    then:
      - webhook.post: { connection: hooks, path: /tickets, body: { number: "{{ticket.number}}" } }
`;

describe.each<StoreKind>(['sqlite', 'postgres'])('roles (%s)', (kind) => {
  let dir: string;
  let receiver: WebhookReceiver;
  let pg: TestDatabase | undefined;
  let env: Record<string, string>;
  const key = `trg_${randomBytes(32).toString('base64url')}`;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-roles-'));
    receiver = await startWebhookReceiver();
    await mkdir(join(dir, 'rules'));
    await writeFile(join(dir, 'rules', 'notify.yaml'), RULES);
    await writeFile(join(dir, 'connections.yaml'), `connections:\n  hooks:\n    connector: webhook\n    url: ${receiver.url}\n    allowHosts: ["127.0.0.1"]\n`);
    await writeFile(join(dir, 'triage.config.yaml'), `rules:\n  dir: ${join(dir, 'rules')}\n  watch: false\nconnectionsFile: ${join(dir, 'connections.yaml')}\n`);
    if (kind === 'postgres') pg = await createTestDatabase();
    env = { HOST: '127.0.0.1', PORT: '0', TRIAGE_BOOTSTRAP_KEY: key, ...(pg === undefined ? { TRIAGE_SQLITE_PATH: join(dir, 'triage.db') } : { DATABASE_URL: pg.url }) };
  });
  afterAll(async () => {
    for (const s of servers.splice(0)) await s.close();
    await receiver?.close();
    await pg?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(roles: string): Promise<RunningServer> {
    const server = await startServer({ configFile: join(dir, 'triage.config.yaml'), env: { ...env, TRIAGE_ROLES: roles }, logger: false, notice: () => undefined });
    servers.push(server);
    return server;
  }

  async function stop(server: RunningServer): Promise<void> {
    servers.splice(servers.indexOf(server), 1);
    await server.close();
  }

  const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

  it('runs the API on api instances and the background jobs on workers instances', async () => {
    const api = await start('api');
    expect(api.jobs).toEqual({ api: true, outboxWorker: false, automations: false, slaSweeper: false, mailIngest: false, lookupRetries: false, retention: false });
    const created = await fetch(`${api.url}/v1/tickets`, { method: 'POST', headers: auth, body: JSON.stringify({ subject: 'Order 12 arrived damaged', externalId: `roles-${kind}` }) });
    expect(created.status).toBe(201);
    const { ticket } = (await created.json()) as { ticket: { id: string; number: string } };
    expect((await fetch(`${api.url}/v1/evaluate`, { method: 'POST', headers: auth, body: JSON.stringify({ ticket: { subject: 'x' } }) })).status).toBe(200);
    // No worker here: the decided action waits in the outbox.
    expect(await api.outbox.store.countByStatus()).toMatchObject({ pending: 1, done: 0 });
    // SQLite: one process at a time on the file; PostgreSQL: side by side.
    if (kind === 'sqlite') await stop(api);

    const workers = await start('workers');
    expect(workers.jobs).toMatchObject({ api: false, outboxWorker: true, automations: true });
    await receiver.waitForDeliveries(1);
    const [delivery] = receiver.deliveries();
    expect(delivery?.body).toContain(ticket.number);
    // The attempt is recorded just after the receiver answered.
    while ((await workers.outbox.store.countByStatus()).done < 1) await new Promise((resolve) => setTimeout(resolve, 20));
    const attempts = await workers.outbox.store.attempts((await workers.outbox.store.list({ ticketId: ticket.id })).entries[0]?.id ?? '');
    expect(attempts.map((a) => a.workerId)).toEqual([workers.outbox.worker.workerId]);

    // The workers instance answers probes and scrapes, nothing else.
    expect((await fetch(`${workers.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${workers.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { status: string }).status).toBe('ready');
    const metrics = await fetch(`${workers.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('triage_outbox_rows');
    const refused = await fetch(`${workers.url}/v1/tickets/${ticket.number}`, { headers: auth });
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { code: string }).code).toBe('TRIAGE_ROLE_API_DISABLED');
    expect((await fetch(`${workers.url}/openapi.json`)).status).toBe(404);
  });
});
