import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Marker in `LoadSpec.body` replaced by a fresh external id per request. */
export const EXTERNAL_ID_MARKER = '__EXTERNAL_ID__';

export interface LoadSpec {
  url: string;
  path: string;
  method: 'POST' | 'GET';
  headers?: Record<string, string>;
  /** JSON body; an `__EXTERNAL_ID__` marker makes every request unique (and its 2xx answers tracked). */
  body: string;
  durationSeconds: number;
  connections: number;
  /** Prefix of the generated external ids, unique per run. */
  idPrefix?: string;
  /**
   * A batch body (POST /v1/tickets/batch): every marker becomes the request's id, and the acknowledged ids
   * are `<id>-<index>` of the results whose status is 2xx, read from the answer.
   */
  batch?: boolean;
}

export interface LoadResult {
  /** Mean of the per-second samples (autocannon's Req/Sec average). */
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; average: number; max: number };
  /** Responses received. */
  requests: number;
  /** Requests written to the socket, including those cut off when the run stopped. */
  sent: number;
  ok2xx: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  /** External ids answered with 2xx (unique-body runs only). */
  acked?: string[] | undefined;
  /** CPU seconds (user + system) the load generator's process spent on the run: what the load itself took from the cores. */
  cpuSeconds?: number;
}

/** Run autocannon in a child process (see load-worker.ts for why) and wait for its result. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./load-worker.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.once('message', (m: { ok: true; result: LoadResult } | { ok: false; error: string }) => {
      settled = true;
      if (m.ok) resolve(m.result);
      else reject(new Error(`load generator failed: ${m.error}`));
    });
    child.once('error', (e) => {
      if (!settled) reject(e);
    });
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`load generator exited with code ${code} before reporting`));
    });
    child.send(spec);
  });
}
