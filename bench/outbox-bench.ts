/**
 * Outbox benchmark: dispatch throughput (actions/s) of the outbox worker into a
 * local webhook receiver, against plain POSTs to the same receiver in the same
 * run, so the ratio travels across machines even though the absolute figures
 * do not.
 *
 *   axios      raw axios POSTs (keep-alive, CONCURRENCY in flight): the ceiling of the receiver and the loopback
 *   connector  the webhook connector's execute() directly (same transport, signing, SSRF guard), same concurrency
 *   outbox     OutboxWorker draining ACTIONS pending webhook.post rows on SQLite as shipped (batchSize = CONCURRENCY):
 *              claim under a lease, call the connector, record the attempt and mark done, per row
 *
 * The targets take turns for ROUNDS rounds; the ratio is taken per round and
 * the median reported, because the machine is shared and noisy. Correctness is
 * checked, not assumed: every row done, every key received exactly once, every
 * plain POST answered 2xx. Exit 1 if a check fails. Writes bench/results/outbox.json.
 *
 *   npm run bench   (builds, runs the other benches, then this)
 *   BENCH_OUTBOX_ACTIONS=2000 BENCH_OUTBOX_ROUNDS=3 BENCH_OUTBOX_CONCURRENCY=20 node dist/bench/outbox-bench.js
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import type { Knex } from 'knex';
import { loadConnections, type Connections } from '../connectors/lib/connections.js';
import { drainOutbox } from '../engine/outbox/drain-outbox.js';
import { OutboxStore } from '../engine/outbox/outbox-store.js';
import { OutboxWorker } from '../engine/outbox/outbox-worker.js';
import { writeOutboxRows } from '../engine/outbox/outbox-writer.js';
import { packageRoot } from '../engine/runtime/package-root.js';
import { createDatabase } from '../engine/store/create-database.js';
import { migrateToLatest } from '../engine/store/migrate-to-latest.js';
import type { Decide } from '../engine/tickets/decide.js';
import { TicketService } from '../engine/tickets/ticket-service.js';
import { describeMachine } from './describe-machine.js';

const ACTIONS = Number(process.env.BENCH_OUTBOX_ACTIONS ?? 2000);
const ROUNDS = Number(process.env.BENCH_OUTBOX_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_OUTBOX_CONCURRENCY ?? 20);
/** Actions per ticket: one decision writes this many rows. */
const PER_TICKET = 20;
const BODY = { kind: 'bench', text: 'Zgłoszenie T-000123: awaria krytyczna w magazynie' };

interface Receiver {
  url: string;
  byKey: Map<string, number>;
  posts: number;
  close(): Promise<void>;
}

/** A receiver that accepts everything and counts deliveries per Idempotency-Key (test/fakes is not part of the build). */
async function startReceiver(): Promise<Receiver> {
  const byKey = new Map<string, number>();
  const state = { posts: 0 };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.posts += 1;
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') byKey.set(key, (byKey.get(key) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    byKey,
    get posts() {
      return state.posts;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Run `n` jobs with `concurrency` in flight; returns elapsed seconds. */
async function pool(n: number, concurrency: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await job(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}

/** A decide that gives every ticket PER_TICKET webhook actions (the rules engine is measured in evaluate-bench). */
const webhookDecide: Decide = (input) => {
  const actions = Array.from({ length: PER_TICKET }, (_, index) => ({ type: 'webhook.post', params: { connection: 'bench', path: '/hook', body: BODY }, ruleId: 'bench-notify', index }));
  return { ruleSetVersion: 'sha256:bench', event: input.event, changes: {}, changeLog: [], suggested: {}, tags: { added: [], removed: [] }, tagLog: [], actions, firedRules: ['bench-notify'], confidence: null, review: false, reviewReasons: [] };
};

async function seed(db: Knex, round: number): Promise<void> {
  const tickets = new TicketService({ db, decide: webhookDecide, afterDecision: async (ctx) => void (await writeOutboxRows(ctx)) });
  for (let i = 0; i < Math.ceil(ACTIONS / PER_TICKET); i++) {
    await tickets.createTicket({ source: 'bench', externalId: `r${round}-t${i}`, subject: `Bench ticket ${i}`, channel: 'api' });
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const receiver = await startReceiver();
  const dir = await mkdtemp(join(tmpdir(), 'triage-outbox-bench-'));
  const failures: string[] = [];
  let connections: Connections | undefined;
  let db: Knex | undefined;
  try {
    await writeFile(join(dir, 'connections.yaml'), `connections:\n  bench:\n    connector: webhook\n    url: ${receiver.url}\n    allowHosts: ["127.0.0.1"]\n`);
    connections = await loadConnections({ file: join(dir, 'connections.yaml'), env: {} });
    const hook = connections.instance('bench');
    const execute = hook.execute?.bind(hook);
    if (execute === undefined) throw new Error('the webhook connector cannot execute');
    db = await createDatabase({ sqlitePath: join(dir, 'bench.db') });
    await migrateToLatest(db);
    const store = new OutboxStore(db);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const client = axios.create({ baseURL: receiver.url, httpAgent: agent, timeout: 10_000 });
    const ticket = { id: 'bench', number: 'T-000001', subject: 'Bench' };

    const rates = { axios: [] as number[], connector: [] as number[], outbox: [] as number[] };
    for (let round = 0; round <= ROUNDS; round++) {
      // Round 0 warms up the JIT, the sockets and SQLite's page cache; it is not reported.
      const warm = round === 0;
      let non2xx = 0;
      const axiosSeconds = await pool(ACTIONS, CONCURRENCY, async (i) => {
        const res = await client.post('/hook', { id: `axios-${round}-${i}`, event: 'ticket.created', rule: 'bench-notify', ticket, body: BODY }, { headers: { 'idempotency-key': `axios-${round}-${i}` }, validateStatus: () => true });
        if (res.status < 200 || res.status > 299) non2xx += 1;
      });
      if (non2xx > 0) failures.push(`round ${round}: ${non2xx} plain POSTs were not answered 2xx`);

      const connectorSeconds = await pool(ACTIONS, CONCURRENCY, async (i) => {
        await execute({ operation: 'post', params: { connection: 'bench', path: '/hook', body: BODY }, idempotencyKey: `connector-${round}-${i}`, ticket, event: 'ticket.created', rule: 'bench-notify', signal: AbortSignal.timeout(10_000) });
      });

      await seed(db, round);
      const worker = new OutboxWorker({ db, connections, workerId: `bench-${round}`, batchSize: CONCURRENCY });
      const started = performance.now();
      const drained = await drainOutbox({ workers: [worker], store });
      const outboxSeconds = (performance.now() - started) / 1000;
      if (drained.claimed !== Math.ceil(ACTIONS / PER_TICKET) * PER_TICKET) failures.push(`round ${round}: the worker claimed ${drained.claimed} rows`);

      if (!warm) {
        rates.axios.push(ACTIONS / axiosSeconds);
        rates.connector.push(ACTIONS / connectorSeconds);
        rates.outbox.push(drained.claimed / outboxSeconds);
      }
      process.stderr.write(
        `outbox-bench round ${round}${warm ? ' (warm-up)' : ''}: axios ${Math.round(ACTIONS / axiosSeconds)}/s, connector ${Math.round(ACTIONS / connectorSeconds)}/s, outbox ${Math.round(drained.claimed / outboxSeconds)}/s\n`,
      );
    }
    agent.destroy();

    const counts = await store.countByStatus();
    const rows = ((await db('outbox').select('idempotency_key')) as { idempotency_key: string }[]).map((r) => r.idempotency_key);
    if (counts.done !== rows.length) failures.push(`only ${counts.done} of ${rows.length} rows are done (${JSON.stringify(counts)})`);
    const wrong = rows.filter((k) => receiver.byKey.get(k) !== 1);
    if (wrong.length > 0) failures.push(`${wrong.length} outbox keys were not received exactly once (e.g. ${wrong[0]})`);
    const stray = [...receiver.byKey].filter(([k, n]) => n !== 1 || (!k.startsWith('axios-') && !k.startsWith('connector-') && !rows.includes(k)));
    if (stray.length > 0) failures.push(`${stray.length} keys were received more than once or are unknown`);

    const perRound = rates.outbox.map((o, i) => o / (rates.axios[i] ?? Number.NaN));
    const perRoundConnector = rates.outbox.map((o, i) => o / (rates.connector[i] ?? Number.NaN));
    const result = {
      name: 'outbox',
      date: new Date().toISOString(),
      node: process.version,
      measuredAt: new Date().toISOString(),
      machine: describeMachine(),
      actionsPerRound: ACTIONS,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      store: 'SQLite as shipped (createDatabase: WAL), one worker, batchSize = concurrency',
      axios: { what: `raw axios POSTs, keep-alive, ${CONCURRENCY} in flight`, actionsPerSecond: Math.round(median(rates.axios)), rounds: rates.axios.map(Math.round) },
      connector: { what: `webhook connector execute() (signing, SSRF guard, transport), ${CONCURRENCY} in flight`, actionsPerSecond: Math.round(median(rates.connector)), rounds: rates.connector.map(Math.round) },
      outbox: { what: 'OutboxWorker drain: claim with lease, execute, record attempt, mark done', actionsPerSecond: Math.round(median(rates.outbox)), rounds: rates.outbox.map(Math.round) },
      ratio: {
        outboxToAxios: Number(median(perRound).toFixed(3)),
        outboxToConnector: Number(median(perRoundConnector).toFixed(3)),
        perRound: perRound.map((r) => Number(r.toFixed(3))),
      },
      checks: { allDone: counts.done === rows.length, everyKeyExactlyOnce: wrong.length === 0 && stray.length === 0, failures },
    };
    const out = join(packageRoot(), 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'outbox.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify({ axios: result.axios.actionsPerSecond, connector: result.connector.actionsPerSecond, outbox: result.outbox.actionsPerSecond, ratio: result.ratio }, null, 2)}\n`);
  } finally {
    await connections?.close();
    await db?.destroy();
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    process.stderr.write(`outbox-bench checks failed:\n  ${failures.join('\n  ')}\n`);
    process.exitCode = 1;
  }
}

await main();
