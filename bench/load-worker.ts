/**
 * The load generator of the HTTP bench, run in a child process: autocannon in
 * the same thread as the server under test would steal the event loop it is
 * measuring (and flatter slow routes, since the client's share of each
 * request is the same for all of them). A process rather than a worker thread
 * because autocannon only aggregates its results on the main thread.
 * Started by run-load.ts with the spec as an IPC message; not a CLI.
 */
import autocannon from 'autocannon';
import { EXTERNAL_ID_MARKER, type LoadResult, type LoadSpec } from './run-load.js';

interface ClientContext {
  /** External id of the request in flight on this connection (pipelining is 1, so responses come back in order). */
  inFlight?: string;
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const acked: string[] = [];
  let seq = 0;
  const unique = spec.body.includes(EXTERNAL_ID_MARKER);
  const request: autocannon.Request = unique
    ? {
        method: spec.method,
        path: spec.path,
        setupRequest: (req, context) => {
          const id = `${spec.idPrefix ?? 'bench'}-${seq++}`;
          (context as ClientContext).inFlight = id;
          return { ...req, body: spec.body.replaceAll(EXTERNAL_ID_MARKER, id) };
        },
        onResponse: (status, body, context) => {
          const id = (context as ClientContext).inFlight;
          if (status < 200 || status >= 300 || id === undefined) return;
          if (spec.batch !== true) {
            acked.push(id);
            return;
          }
          // A batch answers 200 with a result per ticket: only the 2xx results are acknowledged tickets.
          const results = (JSON.parse(body) as { results?: Array<{ externalId: string; status: number }> }).results ?? [];
          for (const r of results) if (r.status >= 200 && r.status < 300) acked.push(r.externalId);
        },
      }
    : { method: spec.method, path: spec.path, body: spec.body };

  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    pipelining: 1,
    duration: spec.durationSeconds,
    timeout: 30,
    headers: { 'content-type': 'application/json', ...spec.headers },
    requests: [request],
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, average: Math.round(result.latency.average * 100) / 100, max: result.latency.max },
    requests: result.requests.total,
    sent: result.requests.sent,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0])),
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: result.duration,
    acked: unique ? acked : undefined,
    cpuSeconds: cpuSecondsSince(cpuBefore),
  };
}

function cpuSecondsSince(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return Math.round((used.user + used.system) / 1e3) / 1e3;
}

process.once('message', (spec: LoadSpec) => {
  const reply = (m: unknown): void => {
    process.send?.(m, () => process.disconnect());
  };
  run(spec).then(
    (r) => reply({ ok: true, result: r }),
    (e: unknown) => reply({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});
