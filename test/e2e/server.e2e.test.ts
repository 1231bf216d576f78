/**
 * The real server process, as an operator runs it: `node dist/cli/bin.js serve`
 * (built by `npm test` before vitest starts) on a free port, a temp SQLite
 * file and a temp copy of rules/default, driven over HTTP with fetch. Covers
 * what app.inject cannot: start-up from the environment, the one-time admin
 * key, hot reload through the file watcher, and SIGTERM with requests in
 * flight.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../engine/store/create-database.js';
import { bin, root, runCli, sleep, startProcess, type ServerProcess } from '../helpers/server-process.js';

/** One HTTP request over a given agent (fetch cannot pin requests to connections opened beforehand). */
function httpJson(agent: Agent, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(url, { method, agent, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (s: string) => (text += s));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : (JSON.parse(text) as unknown) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}


/** Poll until `probe` returns a value (not undefined) or fail after `ms`. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 8_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The value of one Prometheus sample, 0 when the series does not exist yet. */
function metric(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.indexOf('}'));
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

const INVOICE = { ticket: { subject: 'Faktura VAT 12/2026 – prośba o korektę', channel: 'email', mailbox: 'office@example.pl' } };

const CONFIG = `# yaml-language-server: $schema=../schemas/config.schema.json
rules:
  watch: true
channels:
  forms:
    contact:
      title: Contact form
      categories: { complaint: complaint, question: inquiry }
      schema:
        type: object
        required: [email, type]
        properties:
          email: { type: string }
          type: { enum: [complaint, question] }
          message: { type: string }
  chat:
    secret: \${env:E2E_CHAT_SECRET}
`;

interface RulesStatus {
  version: string;
  files: unknown[];
  lastReload: { ok: boolean; version?: string; diagnostics: { file: string; line: number; column: number; code: string; message: string }[] } | null;
  reloads: { ok: number; failed: number };
}

describe('triage serve (the real process over HTTP)', () => {
  let dir: string;
  let rulesDir: string;
  let key: string;
  let server: ServerProcess;
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const r = await fetch(`${server.url}${path}`, { headers: auth() });
    return { status: r.status, body: (await r.json()) as T };
  };
  const post = async <T>(path: string, body: unknown, headers: Record<string, string> = auth()): Promise<{ status: number; body: T }> => {
    const r = await fetch(`${server.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as T };
  };
  const metricsText = async (): Promise<string> => (await fetch(`${server.url}/metrics`)).text();

  beforeAll(async () => {
    expect(existsSync(bin), `${bin} missing: run npm run build (npm test does)`).toBe(true);
    dir = await mkdtemp(join(tmpdir(), 'triage-serve-e2e-'));
    rulesDir = join(dir, 'rules');
    // A copy: the hot-reload tests edit it.
    await cp(join(root, 'rules', 'default'), rulesDir, { recursive: true });
    key = `trg_${randomBytes(32).toString('base64url')}`;
    // A config file with a form and a secret by reference, as an operator writes it; paths and the key come from the environment.
    const configFile = join(dir, 'triage.config.yaml');
    await writeFile(configFile, CONFIG);
    server = await startProcess({
      TRIAGE_CONFIG: configFile,
      TRIAGE_SQLITE_PATH: join(dir, 'triage.db'),
      TRIAGE_RULES: rulesDir,
      TRIAGE_BOOTSTRAP_KEY: key,
      E2E_CHAT_SECRET: randomBytes(16).toString('hex'),
    });
  });

  afterAll(async () => {
    await server?.stop('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is live and ready, and logs where it listens', async () => {
    const live = await fetch(`${server.url}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: { ok: true }, rules: { ok: true } } });
    expect(server.stderr()).toContain(`listening on ${server.url}`);
    expect(server.stderr()).not.toContain('admin API key'); // the bootstrap key exists: nothing to print
  });

  it('publishes an OpenAPI 3.1 document listing evaluate, tickets and channels', async () => {
    const r = await fetch(`${server.url}/openapi.json`);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\.1\./);
    const paths = Object.keys(doc.paths);
    expect(doc.paths['/v1/evaluate']).toHaveProperty('post');
    expect(doc.paths['/v1/tickets']).toMatchObject({ post: expect.anything(), get: expect.anything() });
    expect(paths.some((p) => /^\/v1\/tickets\/\{[^}]+\}$/.test(p) && doc.paths[p]?.get !== undefined && doc.paths[p]?.patch !== undefined)).toBe(true);
    // Forms are listed one route per configured form (the config file of beforeAll has `contact`).
    expect(paths).toEqual(expect.arrayContaining(['/v1/channels/phone', '/v1/channels/chat', '/v1/channels/forms/contact']));
    const docs = await fetch(`${server.url}/docs`, { redirect: 'follow' });
    expect(docs.status).toBe(200);
  });

  it('evaluates a ticket with an API key and refuses without one (401, coded)', async () => {
    const rules = await get<RulesStatus>('/v1/rules');
    const r = await post<{ changes: Record<string, unknown>; tags: { added: string[] }; ruleSetVersion: string; firedRules: string[] }>('/v1/evaluate', INVOICE);
    expect(r.status).toBe(200);
    expect(r.body.changes).toMatchObject({ category: 'invoice', team: 'finance', priority: 'P3' });
    expect(r.body.tags.added).toContain('finance');
    expect(r.body.firedRules).toContain('categorize-invoice');
    expect(r.body.ruleSetVersion).toBe(rules.body.version);

    const anonymous = await post<{ code: string }>('/v1/evaluate', INVOICE, { 'content-type': 'application/json' });
    expect(anonymous).toMatchObject({ status: 401, body: { code: 'TRIAGE_AUTH_MISSING_KEY' } });
    const wrong = await post<{ code: string }>('/v1/evaluate', INVOICE, { authorization: `Bearer trg_${'x'.repeat(43)}`, 'content-type': 'application/json' });
    expect(wrong).toMatchObject({ status: 401, body: { code: 'TRIAGE_AUTH_INVALID_KEY' } });
  });

  it('accepts a key made by `triage keys create` while it runs, within that key’s scopes', async () => {
    const created = await runCli(['keys', 'create', '--name', 'n8n-e2e', '--scopes', 'evaluate', '--json'], { TRIAGE_SQLITE_PATH: join(dir, 'triage.db') });
    expect(created.code, created.stderr).toBe(0);
    const { key: evaluateKey } = JSON.parse(created.stdout) as { key: string };
    const headers = { authorization: `Bearer ${evaluateKey}`, 'content-type': 'application/json' };
    expect((await post('/v1/evaluate', INVOICE, headers)).status).toBe(200);
    const forbidden = await post<{ code: string }>('/v1/tickets', { externalId: 'e2e-forbidden', subject: 'x' }, headers);
    expect(forbidden).toMatchObject({ status: 403, body: { code: 'TRIAGE_AUTH_FORBIDDEN' } });
  });

  it('gives the n8n example payload P1 (examples/n8n)', async () => {
    const payload = JSON.parse(await readFile(join(root, 'examples', 'n8n', 'sample-payload.json'), 'utf8')) as unknown;
    const r = await post<{ changes: Record<string, unknown>; actions: { type: string }[] }>('/v1/evaluate', payload);
    expect(r.status).toBe(200);
    expect(r.body.changes.priority).toBe('P1');
    expect(r.body.actions.map((a) => a.type)).toEqual(expect.arrayContaining(['jira.createIssue', 'slack.postMessage']));
    const invoice = JSON.parse(await readFile(join(root, 'examples', 'n8n', 'sample-payload-invoice.json'), 'utf8')) as unknown;
    expect((await post<{ changes: Record<string, unknown> }>('/v1/evaluate', invoice)).body.changes.priority).toBe('P3');
  });

  it('counts evaluations and rule hits in /metrics', async () => {
    const text = await metricsText();
    expect(metric(text, 'triage_evaluations_total', { source: 'api', event: 'ticket.created' })).toBeGreaterThanOrEqual(1);
    expect(metric(text, 'triage_rule_hits_total', { rule: 'categorize-invoice' })).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^triage_http_request_duration_seconds_bucket\{/m);
    // On SQLite the checkpointer's view of the write-ahead log, so an operator can alert on its growth.
    await expect.poll(async () => /^triage_sqlite_wal_frames \d+$/m.test(await metricsText()), { timeout: 10_000 }).toBe(true);
    expect(await metricsText()).toMatch(/^triage_sqlite_wal_restarts \d+$/m);
    // The real server writes new tickets on its SQLite writer thread.
    expect((await post('/v1/tickets', { externalId: 'e2e-metrics-writer', subject: 'Faktura 7/2026' })).status).toBe(201);
    const writer = await metricsText();
    expect(Number(/^triage_sqlite_writer_batches (\d+)$/m.exec(writer)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^triage_sqlite_writer_pieces (\d+)$/m.exec(writer)?.[1])).toBeGreaterThanOrEqual(1);
    expect(writer).toMatch(/^triage_sqlite_writer_restarts 0$/m);
  });

  it('hot reload: an edited rule file becomes a new version that evaluate uses', async () => {
    const before = (await get<RulesStatus>('/v1/rules')).body;
    const reloadsOk = metric(await metricsText(), 'triage_rule_reloads_total', { outcome: 'ok' });
    const file = join(rulesDir, 'categorize.yaml');
    const text = await readFile(file, 'utf8');
    const from = 'set: { category: invoice, priority: P3 }';
    expect(text.split(from)).toHaveLength(2);
    await writeFile(file, text.replace(from, 'set: { category: invoice, priority: P2 }'));

    const after = await eventually('a new rule-set version', async () => {
      const s = (await get<RulesStatus>('/v1/rules')).body;
      return s.version !== before.version ? s : undefined;
    });
    expect(after.lastReload).toMatchObject({ ok: true, version: after.version });
    const r = await post<{ changes: Record<string, unknown>; ruleSetVersion: string }>('/v1/evaluate', INVOICE);
    expect(r.body).toMatchObject({ ruleSetVersion: after.version, changes: { category: 'invoice', priority: 'P2' } });
    const text2 = await metricsText();
    expect(metric(text2, 'triage_rule_reloads_total', { outcome: 'ok' })).toBeGreaterThan(reloadsOk);
    expect(metric(text2, 'triage_rule_set_info', { version: after.version })).toBe(1);
  });

  it('hot reload: a broken rule file is reported with file:line:col and the previous version keeps serving', async () => {
    const before = (await get<RulesStatus>('/v1/rules')).body;
    const failedBefore = metric(await metricsText(), 'triage_rule_reloads_total', { outcome: 'failed' });
    const file = join(rulesDir, 'route.yaml');
    const lines = (await readFile(file, 'utf8')).split('\n');
    const at = lines.findIndex((l) => /operator: [a-zA-Z]+/.test(l));
    expect(at).toBeGreaterThanOrEqual(0);
    const line = lines[at] ?? '';
    const operator = /operator: ([a-zA-Z]+)/.exec(line)?.[1] ?? '';
    lines[at] = line.replace(`operator: ${operator}`, 'operator: containz');
    await writeFile(file, lines.join('\n'));

    const failed = await eventually('a failed reload', async () => {
      const s = (await get<RulesStatus>('/v1/rules')).body;
      return s.lastReload && !s.lastReload.ok ? s : undefined;
    });
    expect(failed.version).toBe(before.version);
    expect(failed.reloads.failed).toBe(before.reloads.failed + 1);
    const d = failed.lastReload?.diagnostics ?? [];
    expect(d.length).toBeGreaterThanOrEqual(1);
    expect(d[0]).toMatchObject({ code: 'TRIAGE_RULE_UNKNOWN_OPERATOR', line: at + 1 });
    expect(d[0]?.file).toMatch(/route\.yaml$/);
    expect(d[0]?.column).toBe(line.indexOf(`operator: ${operator}`) + 'operator: '.length + 1);
    // The log names the place too, for whoever reads logs instead of /v1/rules.
    await eventually('the reload error in the log', async () => (server.stdout().includes(`route.yaml:${at + 1}:`) ? true : undefined));

    // Still serving the previous version, and still ready.
    const r = await post<{ changes: Record<string, unknown>; ruleSetVersion: string }>('/v1/evaluate', INVOICE);
    expect(r.body).toMatchObject({ ruleSetVersion: before.version, changes: { priority: 'P2' } });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(metric(await metricsText(), 'triage_rule_reloads_total', { outcome: 'failed' })).toBe(failedBefore + 1);
  });

  it('graceful shutdown: SIGTERM with ticket creations in flight exits 0 and loses nothing acknowledged', async () => {
    const N = 50;
    const run = randomBytes(4).toString('hex');
    // Open the N connections first: a request still waiting in the accept queue when the server closes its
    // listening socket is reset before the server ever sees it, which says nothing about draining. On
    // connections the server already accepted, every request is parsed and under way at once.
    const agent = new Agent({ keepAlive: true, maxSockets: N });
    await Promise.all(Array.from({ length: N }, () => httpJson(agent, 'GET', `${server.url}/healthz`)));
    expect(Object.values(agent.freeSockets).flat()).toHaveLength(N);

    let signalledAt = Number.POSITIVE_INFINITY;
    let firstAnswer: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (firstAnswer = resolve));
    const requests = Array.from({ length: N }, async (_, i) => {
      const externalId = `e2e-${run}-${i}`;
      const body = { externalId, subject: `Faktura ${i}/2026`, channel: 'api', message: { from: `klient${i}@example.pl`, text: 'Proszę o korektę faktury.' } };
      const r = await httpJson(agent, 'POST', `${server.url}/v1/tickets`, body, { authorization: `Bearer ${key}` }).catch((e: unknown) => ({
        // Reset once the server stopped: never acknowledged, so nothing was promised.
        status: 0,
        body: e instanceof Error ? e.message : String(e),
      }));
      firstAnswer();
      return { externalId, ...r, afterSignal: Date.now() > signalledAt };
    });
    await answered;
    signalledAt = Date.now();
    server.child.kill('SIGTERM');
    const results = await Promise.all(requests);
    agent.destroy();
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toContain('SIGTERM received');

    const acknowledged = results.filter((r) => r.status >= 200 && r.status < 300);
    // Refusals during shutdown are 503 or a closed connection, never a 500.
    for (const r of results.filter((x) => !acknowledged.includes(x))) expect([0, 503], JSON.stringify(r)).toContain(r.status);
    // Requests under way when the signal came were finished, not dropped.
    expect(acknowledged.filter((r) => r.afterSignal).length, JSON.stringify(results.map((r) => [r.status, r.afterSignal]))).toBeGreaterThan(0);

    const db = await createDatabase({ sqlitePath: join(dir, 'triage.db') });
    try {
      const rows = (await db('tickets').where('external_id', 'like', `e2e-${run}-%`).select('id', 'external_id')) as { id: string; external_id: string }[];
      const stored = new Set(rows.map((r) => r.external_id));
      for (const r of acknowledged) expect(stored.has(r.externalId), `acknowledged ${r.externalId} is missing`).toBe(true);
      // Each stored ticket is whole: its first message committed with it (one transaction).
      const messages = (await db('messages').whereIn('ticket_id', rows.map((r) => r.id)).countDistinct({ n: 'ticket_id' })) as { n: number | string }[];
      expect(Number(messages[0]?.n)).toBe(rows.length);
    } finally {
      await db.destroy();
    }
  });
});

describe('triage serve without TRIAGE_BOOTSTRAP_KEY', () => {
  let dir: string;
  let proc: ServerProcess | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-serve-first-'));
  });
  afterAll(async () => {
    await proc?.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a working admin key once on the first start, and never again', async () => {
    const env = { TRIAGE_SQLITE_PATH: join(dir, 'triage.db'), TRIAGE_RULES: join(root, 'rules', 'default') };
    proc = await startProcess(env);
    const match = /admin API key[^\n]*?(trg_[A-Za-z0-9_-]+)/.exec(proc.stderr());
    expect(match, proc.stderr()).not.toBeNull();
    const printed = match?.[1] ?? '';
    const call = (p: ServerProcess, k: string): Promise<Response> =>
      fetch(`${p.url}/v1/evaluate`, { method: 'POST', headers: { authorization: `Bearer ${k}`, 'content-type': 'application/json' }, body: JSON.stringify(INVOICE) });
    expect((await call(proc, printed)).status).toBe(200);
    expect(await proc.stop()).toBe(0);

    proc = await startProcess(env);
    expect(proc.stderr()).not.toContain('admin API key');
    expect(proc.stderr()).not.toContain(printed);
    expect((await call(proc, printed)).status).toBe(200);
    expect(await proc.stop()).toBe(0);
    proc = undefined;
  }, 180_000);
});
