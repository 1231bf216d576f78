/**
 * The dashboard in a real browser: Debian's chromium driven by
 * playwright-core against the real server (composed by startServer as
 * `triage serve` does, listening on a loopback port, outbox worker and SLA
 * sweeper running) on a temp SQLite file. Tickets are seeded through the
 * HTTP API: one P1 past its first-response target (breached), one at 80 %
 * of it (warning), one on time, an old breached one for the heatmap, an
 * agent's correction, and a webhook action to a loopback receiver that
 * refuses it (400: dead at once). The test walks the pages as a person
 * would and saves a screenshot of each to test-artifacts/ui/.
 *
 * Needs `npm run build` first (dist/ui), as `npm test` does.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../engine/runtime/package-root.js';
import { startServer, type RunningServer } from '../../engine/server/start-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(packageRoot(), 'test-artifacts', 'ui');
const ADMIN_KEY = 'trg_ui_e2e_admin_key_0123456789abcdefghijklmnop';
const MIN = 60_000;

const RULES = `rules:
  - id: outage-p1
    description: Outages are P1 for the ops team
    on: [ticket.created]
    priority: 60
    when:
      any:
        - { fact: ticket, path: subject, operator: containsAnyPhrase, value: [outage] }
    then:
      - set: { priority: P1, team: ops, category: incident }
  - id: notify-ops-hook
    description: Tell the ops tool when something is down
    on: [ticket.created]
    priority: 55
    when:
      all:
        - { fact: ticket, path: subject, operator: containsAnyWord, value: [down] }
    then:
      - webhook.post: { connection: ops-hook, path: incidents, body: { ticket: "{{ticket.number}}" } }
  - id: invoice-to-finance
    description: Invoices go to finance
    on: [ticket.created]
    priority: 50
    when:
      all:
        - { fact: ticket, path: subject, operator: containsAnyWord, value: [invoice, faktura] }
    then:
      - set: { category: invoice, team: finance, priority: P2 }
  - id: never-matches
    description: A rule nobody triggers, for the dead-rules list
    on: [ticket.created]
    priority: 10
    when:
      all:
        - { fact: ticket, path: subject, operator: containsAnyWord, value: [zzyzx] }
    then:
      - tag: zzyzx
`;

describe('the dashboard in a real browser', () => {
  let dir: string;
  let server: RunningServer;
  let receiver: WebhookReceiver;
  let context: BrowserContext;
  let page: Page;
  let readKey: string;
  const numbers: Record<string, string> = {};
  const foreign: string[] = [];
  const cspViolations: string[] = [];

  const api = async <T>(method: string, path: string, body?: unknown, key = ADMIN_KEY): Promise<T> => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const create = async (name: string, subject: string, agoMs: number, channel = 'email'): Promise<void> => {
    const r = await api<{ ticket: { number: string } }>('POST', '/v1/tickets', {
      externalId: `ui-${name}`,
      subject,
      channel,
      createdAt: new Date(Date.now() - agoMs).toISOString(),
      message: { from: `${name}@customer.example`, text: `${subject}. Please help.` },
    });
    numbers[name] = r.ticket.number;
  };
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const go = async (path: string) => {
    await page.goto(`${server.url}${path}`);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-ui-e2e-'));
    await mkdir(ARTIFACTS, { recursive: true });
    receiver = await startWebhookReceiver();
    // The first delivery is refused (400: dead at once); the retried one is rate limited, so it stays pending.
    receiver.enqueue({ kind: 'status', status: 400, body: '{"error":"unknown project"}' }, { kind: 'rateLimit', retryAfter: 3600 });
    await mkdir(join(dir, 'rules'));
    await writeFile(join(dir, 'rules', 'rules.yaml'), RULES);
    await writeFile(join(dir, 'connections.yaml'), `connections:\n  ops-hook:\n    connector: webhook\n    url: ${receiver.url}/hooks\n    allowHosts: ['127.0.0.1']\n`);
    await writeFile(
      join(dir, 'triage.config.yaml'),
      `rules:\n  watch: false\nconnectionsFile: ${join(dir, 'connections.yaml')}\nsla:\n  policy: ${join(packageRoot(), 'rules', 'default', 'sla', 'policy.yaml')}\n`,
    );
    server = await startServer({
      configFile: join(dir, 'triage.config.yaml'),
      env: { TRIAGE_SQLITE_PATH: join(dir, 'triage.db'), TRIAGE_RULES: join(dir, 'rules'), TRIAGE_BOOTSTRAP_KEY: ADMIN_KEY, HOST: '127.0.0.1', PORT: '0' },
      logger: false,
      notice: () => undefined,
    });
    readKey = (await server.keys.create({ name: 'ui-reader', scopes: ['tickets:read'], actor: 'test' })).key;

    // P1 (15 min first response, 24/7): 40 min old = breached; 12 min old = 80 %, a warning.
    await create('breached', 'Production outage - API is down', 40 * MIN);
    await create('warning', 'Checkout outage in EU', 12 * MIN);
    await create('ontime', 'Invoice 12/2026 has the wrong VAT number', 1 * MIN, 'form');
    await create('old', 'Outage of the reporting module', 3 * 24 * 60 * MIN, 'chat');
    // An agent overrides the category the invoice rule set: a correction.
    await api('PATCH', `/v1/tickets/${numbers.ontime}`, { category: 'billing' });

    const userDataDir = join(dir, 'chromium-profile');
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    // A missing element fails in seconds with Playwright's own message, well inside the test timeout.
    page.setDefaultTimeout(8_000);
    // Nothing may leave the server: every request the page makes is to its origin (checked at the end).
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith(`${server.url}/`) || url.startsWith('data:')) return route.continue();
      foreign.push(url);
      return route.abort();
    });
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to (load|execute|apply)/i.test(message.text())) cspViolations.push(message.text());
    });
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    await receiver?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('asks for a key, and says so clearly on 401 and 403', async () => {
    await go('/ui/');
    await page.getByTestId('key-form').waitFor();
    await page.getByTestId('api-key').fill('trg_not_a_real_key');
    await page.getByRole('button', { name: 'Use this key' }).click();
    const error = page.getByTestId('error');
    await error.waitFor();
    expect(await error.textContent()).toContain('The API key was not accepted');
    expect(await error.textContent()).toContain('401 TRIAGE_AUTH_INVALID_KEY');
    await shot('key-refused');

    await page.getByRole('button', { name: 'Enter another API key' }).click();
    await page.getByTestId('api-key').fill(readKey);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByTestId('queue').waitFor();
    // A read-only key may not see the outbox (scope admin).
    await page.getByTestId('nav-outbox').click();
    await error.waitFor();
    expect(await error.textContent()).toContain('This API key may not do that');
    expect(await error.textContent()).toContain('403 TRIAGE_AUTH_FORBIDDEN');
    expect(await page.evaluate(() => sessionStorage.getItem('triage.apiKey'))).toBe(readKey);
    await page.getByRole('button', { name: 'Enter another API key' }).click();
    await page.getByTestId('api-key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByTestId('dead-letters').or(page.getByTestId('no-dead')).waitFor();
  });

  it('shows the open tickets most urgent first with their SLA state and time left', async () => {
    await page.getByTestId('nav-queue').click();
    await page.getByTestId('queue').waitFor();
    const rows = await page.locator('[data-testid=queue] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ ticket: tr.getAttribute('data-ticket'), sla: tr.querySelector('[data-sla]')?.getAttribute('data-sla'), left: tr.lastElementChild?.textContent ?? '' })),
    );
    const state = (name: string) => rows.find((r) => r.ticket === numbers[name]);
    expect(state('breached')).toMatchObject({ sla: 'breached', left: expect.stringContaining('overdue') });
    expect(state('warning')).toMatchObject({ sla: 'warning', left: expect.stringContaining('left') });
    expect(state('ontime')?.sla).toBe('due');
    expect(state('old')?.sla).toBe('breached');
    // Breached first (the longest overdue on top), then the warning, then on time.
    expect(rows.map((r) => r.ticket)).toEqual([numbers.old, numbers.breached, numbers.warning, numbers.ontime]);
    expect(await page.getByTestId('queue-summary').textContent()).toContain('2 breached');
    await shot('queue');
  });

  it('opens a ticket with its messages, decisions, audit trail and the explanation of its decision', async () => {
    await page.locator(`[data-ticket="${numbers.breached}"] a`).click();
    await page.waitForURL(`**/ui/tickets/${numbers.breached}`);
    await page.getByTestId('trace').waitFor();
    expect(await page.getByTestId('messages').textContent()).toContain('Production outage - API is down. Please help.');
    expect(await page.getByTestId('decision').first().textContent()).toContain('priority → P1');
    const trace = await page.locator('[data-testid=trace] > li').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-rule'), li.getAttribute('data-outcome')]));
    expect(trace).toEqual([
      ['outage-p1', 'fired'],
      ['notify-ops-hook', 'fired'],
      ['invoice-to-finance', 'not-matched'],
      ['never-matches', 'not-matched'],
    ]);
    const explanation = await page.getByTestId('explanation').textContent();
    expect(explanation).toContain('ticket.subject');
    expect(explanation).toContain('containsAnyPhrase');
    expect(explanation).toContain('Production outage - API is down');
    expect(await page.getByTestId('audit').textContent()).toContain('rule:outage-p1');
    await shot('ticket');

    // A deep link straight to a ticket page (reload from the address bar) shows the agent's correction.
    await go(`/ui/tickets/${numbers.ontime}`);
    await page.getByTestId('corrections').waitFor();
    const corrections = await page.getByTestId('corrections').textContent();
    expect(corrections).toContain('invoice-to-finance');
    expect(corrections).toContain('billing');
    await shot('ticket-correction');
  });

  it('draws the SLA breach heatmap, for everything and for one team', async () => {
    await page.getByTestId('nav-heatmap').click();
    await page.getByTestId('heatmap').waitFor();
    const counts = async () => page.locator('[data-testid=heatmap] rect').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-count'))));
    const all = await counts();
    expect(all).toHaveLength(7 * 24);
    const report = await api<{ heatmap: { cells: number[][] } }>('GET', `/v1/reports/sla-breaches?from=${encodeURIComponent(new Date(Date.now() - 30 * 24 * 60 * MIN).toISOString())}`);
    expect(all).toEqual(report.heatmap.cells.flat());
    expect(all.reduce((s, v) => s + v, 0)).toBeGreaterThanOrEqual(2);
    await page.getByTestId('group-by').selectOption('team');
    // Only teams with breaches are offered: the P1s went to ops, the invoice to finance is on time.
    await page.getByTestId('group').locator('option', { hasText: 'ops' }).waitFor({ state: 'attached' });
    expect(await page.getByTestId('group').locator('option').allTextContents()).toEqual(['all', 'ops']);
    await page.getByTestId('group').selectOption('ops');
    await page.getByText(/breach(es)? for team ops/).waitFor();
    expect(await counts()).toEqual(all);
    await shot('heatmap');
  });

  it('shows rule hits as bars and the dead rules', async () => {
    await page.getByTestId('nav-rules').click();
    await page.getByTestId('rule-stats').waitFor();
    expect(await page.locator('[data-testid=bar-chart] rect').count()).toBe(4);
    const stats = await page.getByTestId('rule-stats').textContent();
    expect(stats).toContain('outage-p1');
    expect(await page.getByTestId('dead-rules').textContent()).toContain('never-matches');
    expect(await page.getByTestId('correction-stats').textContent()).toContain('invoice → billing (1)');
    await shot('rules');
  });

  it('retries a dead letter, which the API then shows pending again', async () => {
    const dead = await api<{ entries: { id: string; ruleId: string }[] }>('GET', '/v1/outbox?status=dead');
    expect(dead.entries.map((e) => e.ruleId)).toEqual(['notify-ops-hook']);
    const id = dead.entries[0]!.id;
    await page.getByTestId('nav-outbox').click();
    const row = page.locator(`[data-outbox="${id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('400');
    await shot('outbox');
    await row.getByRole('button', { name: 'Retry' }).click();
    await page.getByTestId('notice').waitFor();
    expect(await page.getByTestId('notice').textContent()).toContain('pending again');
    await page.getByTestId('no-dead').waitFor();
    await shot('outbox-retried');

    // The worker sends it again at once; the receiver rate-limits it, so the row waits, pending, for its next attempt.
    let entry: { status: string; attempts: number } | undefined;
    let events: { action: string; actor: string }[] = [];
    for (let i = 0; i < 200; i++) {
      const got = await api<{ entry: { status: string; attempts: number }; events: { action: string; actor: string }[] }>('GET', `/v1/outbox/${id}`);
      ({ entry, events } = got);
      if (entry.status === 'pending' && entry.attempts === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(entry).toMatchObject({ status: 'pending', attempts: 2 });
    expect(events.map((e) => e.action)).toContain('retry');
    expect(receiver.requests.map((r) => r.outcome)).toEqual(['status', 'rateLimit']);
  });

  it('ran every page under its CSP without a violation and without a request to another host', () => {
    expect(cspViolations).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
