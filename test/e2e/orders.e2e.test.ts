/**
 * Order facts through the composition root (engine/server/start-server.ts)
 * as `triage serve` wires them: `orders:` in triage.config.yaml naming a
 * shoper connection in connections.yaml, the loopback Shoper fake, tickets
 * created over the HTTP API and evaluated with the shipped rule set; and
 * POST /v1/evaluate with an `order` object, as n8n / Make / Zapier send it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrderJobStore } from '../../engine/orders/order-job-store.js';
import { packageRoot } from '../../engine/runtime/package-root.js';
import { startServer, type RunningServer } from '../../engine/server/start-server.js';
import { startShoperServer, type ShoperServer } from '../fakes/shoper-server.js';
import { expectCode } from '../helpers/expect-code.js';

const SECRET = `shoper-${randomBytes(8).toString('hex')}`;
const ADMIN_KEY = `trg_${randomBytes(32).toString('base64url')}`;

/** An order placed two months ago, so any complaint about it is outside the 14-day return window. */
function oldOrder(): Record<string, unknown> {
  const placed = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
  return { order_id: 12345, date: placed, status_id: 4, sum: '99.00', paid: '99.00', currency_name: 'PLN', email: 'jan.kowalski@example.pl', delivery_code: 'DPD0001', shipping_id: 1 };
}

describe('order facts in the server', () => {
  let shop: ShoperServer;
  let dir: string;
  const servers: RunningServer[] = [];

  async function start(orders: string): Promise<RunningServer> {
    const connections = join(dir, `connections-${servers.length}.yaml`);
    await writeFile(
      connections,
      [
        'connections:',
        '  shop:',
        '    connector: shoper',
        `    shopUrl: ${shop.url}`,
        '    clientId: triage',
        '    clientSecret: ${env:SHOPER_SECRET}',
        '    statusNames: { "4": "wysłane" }',
        '    trackingUrlTemplate: https://tracktrace.dpd.com.pl/parcelDetails?p1={{number}}',
        '    allowHosts: [127.0.0.1]',
        '  hook:',
        '    connector: webhook',
        `    url: ${shop.url}/hook`,
        '    allowHosts: [127.0.0.1]',
        '',
      ].join('\n'),
    );
    const config = join(dir, `triage-${servers.length}.yaml`);
    await writeFile(config, `rules:\n  watch: false\nconnectionsFile: ${connections}\n${orders}\n`);
    const server = await startServer({
      configFile: config,
      env: {
        TRIAGE_SQLITE_PATH: join(dir, `triage-${servers.length}.db`),
        TRIAGE_RULES: join(packageRoot(), 'rules', 'default'),
        TRIAGE_BOOTSTRAP_KEY: ADMIN_KEY,
        SHOPER_SECRET: SECRET,
      },
      listen: false,
      logger: false,
      notice: () => undefined,
    });
    servers.push(server);
    return server;
  }

  const createTicket = async (server: RunningServer, subject: string, text: string) => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/tickets',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      payload: { subject, message: { from: 'Jan <jan.kowalski@example.pl>', text } },
    });
    return { status: res.statusCode, body: res.json<{ ticket: { id: string; category: string; tags: string[] }; decision: { firedRules: string[] } }>() };
  };

  beforeAll(async () => {
    shop = await startShoperServer({ clientId: 'triage', clientSecret: SECRET, orders: [oldOrder()], products: [{ order_id: 12345, code: 'KUB-01', name: 'Kubek', quantity: '1' }] });
    dir = await mkdtemp(join(tmpdir(), 'triage-orders-'));
  });
  afterEach(async () => {
    shop.setFaults(undefined);
    for (const s of servers.splice(0)) await s.close();
  });
  afterAll(async () => {
    await shop.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('turns "zamówienie nr 12345" into the order fact, and the return-window rule fires', async () => {
    const server = await start('orders:\n  connection: shop\n  timeoutMs: 10000\n  pollSeconds: 3600');
    const { status, body } = await createTicket(server, 'Reklamacja', 'Dzień dobry, zamówienie nr 12345 przyszło uszkodzone.');
    expect(status).toBe(201);
    expect(body.ticket.category).toBe('complaint');
    expect(body.ticket.tags).toContain('out-of-return-window');
    expect(body.decision.firedRules).toContain('order-complaint-out-of-return-window');
    const orders = shop.requests.find((r) => r.path === '/webapi/rest/orders');
    expect(orders?.query.get('filters')).toBe('{"order_id":12345}');
  });

  it('creates the ticket while the shop is down, then applies the late answer through ticket.enriched', async () => {
    const server = await start('orders:\n  connection: shop\n  pollSeconds: 3600');
    shop.setFaults(() => ({ kind: 'status', status: 503 }));
    const { status, body } = await createTicket(server, 'Reklamacja zamówienia 12345', 'Kubek pęknięty.');
    expect(status).toBe(201);
    expect(body.ticket.tags).not.toContain('out-of-return-window');
    shop.setFaults(undefined);
    const jobs = new OrderJobStore(server.db);
    expect(await jobs.list()).toMatchObject([{ ticketId: body.ticket.id, state: 'pending', lastError: expect.stringMatching(/^TRIAGE_CONNECTOR_UNAVAILABLE/) as unknown }]);
    await server.db('order_jobs').update({ next_attempt_at: new Date(0).toISOString() });
    expect(await server.orders?.runDueJobs()).toMatchObject({ claimed: 1, enriched: 1 });
    const details = await server.app.inject({ method: 'GET', url: `/v1/tickets/${body.ticket.id}`, headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const ticket = details.json<{ ticket: { tags: string[] }; decisions: { event: string; decision: { firedRules: string[] } }[] }>();
    expect(ticket.ticket.tags).toContain('out-of-return-window');
    expect(ticket.decisions.map((d) => d.event)).toEqual(['ticket.created', 'ticket.enriched']);
  });

  it('accepts an order object on POST /v1/evaluate and computes ageDays from its date', async () => {
    const server = await start('');
    expect(server.orders).toBeUndefined();
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/evaluate',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      payload: { ticket: { subject: 'Reklamacja kubka', channel: 'email' }, order: { number: '12345', date: '2026-01-01T10:00:00Z' }, now: '2026-03-01T10:00:00Z' },
    });
    expect(res.statusCode).toBe(200);
    const decision = res.json<{ firedRules: string[]; tags: { added: string[] } }>();
    expect(decision.firedRules).toContain('order-complaint-out-of-return-window');
    expect(decision.tags.added).toContain('out-of-return-window');
  });

  it('refuses to start with a connection that looks up no orders, or an unsafe number pattern', async () => {
    await expectCode(start('orders:\n  connection: hook'), 'TRIAGE_ORDER_CONNECTION');
    await expectCode(start('orders:\n  connection: shop\n  patterns: ["zam ((\\\\d+\\\\s?)+)"]'), 'TRIAGE_ORDER_PATTERN_INVALID');
    await expectCode(start('orders:\n  connection: nope'), 'TRIAGE_CONNECTIONS_UNKNOWN');
  });
});
