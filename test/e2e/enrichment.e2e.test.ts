/**
 * CRM enrichment through the composition root (engine/server/start-server.ts)
 * as `triage serve` wires it: triage.config.yaml `enrichment:` naming an
 * http-crm connection in connections.yaml, the loopback CRM fake, tickets
 * created over the HTTP API. The retry is driven by making the job due and
 * calling runDueJobs(); the background poller is set to an hour so it cannot
 * interfere.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EnrichmentJobStore } from '../../engine/enrichment/enrichment-job-store.js';
import { packageRoot } from '../../engine/runtime/package-root.js';
import { startServer, type RunningServer } from '../../engine/server/start-server.js';
import { startCrmServer, type CrmServer } from '../fakes/crm-server.js';
import { expectCode } from '../helpers/expect-code.js';

const TOKEN = `crm-${randomBytes(8).toString('hex')}`;

describe('CRM enrichment in the server', () => {
  let crm: CrmServer;
  let dir: string;
  const servers: RunningServer[] = [];

  async function start(enrichment: string, connectionsYaml?: string): Promise<RunningServer> {
    const connections = join(dir, `connections-${servers.length}.yaml`);
    await writeFile(
      connections,
      connectionsYaml ??
        [
          'connections:',
          '  crm:',
          '    connector: http-crm',
          `    baseUrl: ${crm.url}`,
          '    urlTemplate: /crm/v3/objects/companies/search?domain={{domain}}',
          '    token: ${env:CRM_TOKEN}',
          '    resultPath: results.0',
          '    allowHosts: [127.0.0.1]',
          '    mapping:',
          '      name: properties.name',
          '      segment: properties.segment',
          '      contract: { active: { path: properties.sla_active, type: boolean } }',
          '  hook:',
          '    connector: webhook',
          `    url: ${crm.url}/hook`,
          '    allowHosts: [127.0.0.1]',
          '',
        ].join('\n'),
    );
    const config = join(dir, `triage-${servers.length}.yaml`);
    await writeFile(config, `rules:\n  watch: false\nconnectionsFile: ${connections}\n${enrichment}\n`);
    const server = await startServer({
      configFile: config,
      env: {
        TRIAGE_SQLITE_PATH: join(dir, `triage-${servers.length}.db`),
        TRIAGE_RULES: join(packageRoot(), 'rules', 'default'),
        TRIAGE_BOOTSTRAP_KEY: ADMIN_KEY,
        CRM_TOKEN: TOKEN,
      },
      listen: false,
      logger: false,
      notice: () => undefined,
    });
    servers.push(server);
    return server;
  }

  const createTicket = async (server: RunningServer, from: string): Promise<{ status: number; body: { ticket: { id: string; priority: string; tags: string[] } } }> => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/tickets',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      payload: { subject: 'Faktura 7/2026', message: { from, text: 'W załączeniu faktura.' } },
    });
    return { status: res.statusCode, body: res.json() };
  };

  beforeAll(async () => {
    crm = await startCrmServer({ token: TOKEN, companies: [{ id: '1', domains: ['alfa.pl'], properties: { name: 'Alfa', segment: 'standard', sla_active: 'true' } }] });
    dir = await mkdtemp(join(tmpdir(), 'triage-enrichment-'));
  });
  afterEach(async () => {
    crm.release();
    await crm.setMode('ok');
    for (const s of servers.splice(0)) await s.close();
  });
  afterAll(async () => {
    await crm.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates tickets with the CRM facts applied (active SLA contract → P1)', async () => {
    const server = await start('enrichment:\n  connection: crm\n  timeoutMs: 10000\n  pollSeconds: 3600');
    const { status, body } = await createTicket(server, 'Anna <anna@alfa.pl>');
    expect(status).toBe(201);
    expect(body.ticket.priority).toBe('P1');
    expect(body.ticket.tags).toContain('sla-contract');
    expect(crm.requests.at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('creates the ticket while the CRM is slow, then applies the late answer through ticket.enriched', async () => {
    const server = await start('enrichment:\n  connection: crm\n  timeoutMs: 100\n  pollSeconds: 3600');
    await crm.setMode('slow');
    const { status, body } = await createTicket(server, 'anna@alfa.pl');
    expect(status).toBe(201);
    expect(body.ticket.priority).toBe('P3');

    crm.release();
    await crm.setMode('ok');
    const jobs = new EnrichmentJobStore(server.db);
    expect(await jobs.list()).toMatchObject([{ ticketId: body.ticket.id, state: 'pending' }]);
    await jobs.retry(body.ticket.id, new Date().toISOString());
    await server.enrichment?.runDueJobs();

    const details = await server.app.inject({ method: 'GET', url: `/v1/tickets/${body.ticket.id}`, headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const ticket = details.json<{ ticket: { priority: string }; decisions: { event: string; decision: { firedRules: string[] } }[] }>();
    expect(ticket.ticket.priority).toBe('P1');
    expect(ticket.decisions.map((d) => d.event)).toEqual(['ticket.created', 'ticket.enriched']);
    expect(ticket.decisions[1]?.decision.firedRules).toEqual(['priority-sla-contract']);
    expect(await jobs.list()).toEqual([]);
  });

  it('runs without enrichment when none is configured', async () => {
    const server = await start('');
    const before = crm.requests.length;
    const { body } = await createTicket(server, 'anna@alfa.pl');
    expect(body.ticket.priority).toBe('P3');
    expect(crm.requests.length).toBe(before);
    expect(server.enrichment).toBeUndefined();
  });

  it('refuses to start when the enrichment connection is missing or not a facts connector', async () => {
    await expectCode(start('enrichment:\n  connection: krm'), 'TRIAGE_CONNECTIONS_UNKNOWN');
    await expectCode(start('enrichment:\n  connection: hook'), 'TRIAGE_ENRICHMENT_CONNECTION');
    await expectCode(start('enrichment:\n  connection: crm\n  timeoutMs: 1'), 'TRIAGE_CONFIG_INVALID');
  });
});

const ADMIN_KEY = `trg_${randomBytes(32).toString('base64url')}`;
