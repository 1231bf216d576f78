import type { IncomingHttpHeaders } from 'node:http';
import { checkSignature } from '../../engine/http/auth/verify-signature.js';
import { seededRandom } from '../helpers/seeded-random.js';
import { parseJsonBody, startFaultServer, type FaultPolicy, type ReceiverFault } from './fault-server.js';

export type { ReceiverFault } from './fault-server.js';

/**
 * A real HTTP server on 127.0.0.1 standing in for any webhook receiver, with
 * programmable faults. It is generic on purpose: the webhook connector tests,
 * the outbox exactly-once test and the bench all drive it.
 *
 * Faults (test/fakes/fault-server.ts) apply as in every fake; a request no
 * fault stops is accepted with the default response.
 *
 * "Delivered" means the receiver accepted the request (answered 2xx, or
 * processed it before the connection was cut): that is what an exactly-once
 * test counts per Idempotency-Key. Every request, faulted or not, is also kept
 * in `requests` so tests can count attempts.
 */
export interface ReceivedRequest {
  /** 1-based arrival order. */
  seq: number;
  method: string;
  /** Path and query, e.g. `/hooks/orders?x=1`. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The raw body as sent. */
  body: string;
  /** The parsed body when it is JSON, else undefined. */
  json: unknown;
  idempotencyKey: string | undefined;
  /** With a `secret`: whether X-Triage-Signature over `<timestamp>.<body>` verified; undefined without one. */
  signatureValid: boolean | undefined;
  /** What happened: `accepted`, the fault kind applied, or `pending` while a delay runs. */
  outcome: 'pending' | 'accepted' | 'status' | 'rateLimit' | 'hang' | 'reset' | 'acceptThenReset';
  /** For accepted requests: another delivery with the same Idempotency-Key was accepted before. */
  duplicate: boolean;
}

export interface WebhookReceiverOptions {
  /** Verify X-Triage-Signature with this secret and record the result per request. */
  secret?: string;
  /** Status and body of an accepted request (default 200 `{"ok":true}`). */
  accept?: { status?: number; body?: string; headers?: Record<string, string> };
  /** Decides a fault for requests no queued fault covers; `n` is the 1-based arrival number. */
  faults?: FaultPolicy<ReceivedRequest>;
  /** Clock for signature checks, in unix seconds. */
  nowSeconds?: () => number;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Every request received, in arrival order (faulted ones too). */
  readonly requests: readonly ReceivedRequest[];
  /** Requests the receiver accepted (2xx or acceptThenReset), duplicates included. */
  deliveries(): ReceivedRequest[];
  /** How many times a request with this Idempotency-Key was accepted. */
  deliveryCount(idempotencyKey: string): number;
  /** Accepted deliveries per Idempotency-Key (requests without one are left out). */
  deliveriesByKey(): Map<string, number>;
  /** Apply these faults to the next requests, in order. */
  enqueue(...faults: ReceiverFault[]): void;
  /** Replace the fault policy (undefined: accept everything not queued). */
  setFaults(policy: WebhookReceiverOptions['faults']): void;
  /** Resolves once `count` requests have arrived (faulted ones included). */
  waitForRequests(count: number): Promise<void>;
  /** Resolves once `count` deliveries have been accepted. */
  waitForDeliveries(count: number): Promise<void>;
  /** Forget requests, deliveries and queued faults. */
  reset(): void;
  /** Stop listening, cut open connections, cancel pending delays. */
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  const accepted = new Map<string, number>();
  let waiters: { check: () => boolean; resolve: () => void }[] = [];
  const notify = (): void => {
    waiters = waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve();
      return false;
    });
  };
  const waitUntil = (check: () => boolean): Promise<void> =>
    new Promise((resolve) => {
      if (check()) resolve();
      else waiters.push({ check, resolve });
    });

  const markAccepted = (rec: ReceivedRequest): void => {
    if (rec.idempotencyKey !== undefined) {
      const before = accepted.get(rec.idempotencyKey) ?? 0;
      rec.duplicate = before > 0;
      accepted.set(rec.idempotencyKey, before + 1);
    }
  };

  const server = await startFaultServer<ReceivedRequest>({
    faults: options.faults,
    contentType: 'application/json',
    statusBody: (status) => JSON.stringify({ error: `fault ${status}` }),
    rateLimitBody: '{"error":"rate limited"}',
    record: (req, body, seq) => {
      const header = (name: string): string | undefined => {
        const v = req.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      return {
        seq,
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body,
        json: parseJsonBody(body),
        idempotencyKey: header('idempotency-key'),
        signatureValid:
          options.secret === undefined
            ? undefined
            : checkSignature(options.secret, { signature: header('x-triage-signature'), timestamp: header('x-triage-timestamp') }, body, options.nowSeconds?.() ?? Math.floor(Date.now() / 1000)) === undefined,
        outcome: 'pending',
        duplicate: false,
      };
    },
    accept: (rec) => {
      markAccepted(rec);
      return (res) => {
        rec.outcome = 'accepted';
        const a = options.accept ?? {};
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers });
        res.end(a.body ?? '{"ok":true}');
      };
    },
    onSettled: notify,
  });
  const requests = server.requests;
  const acceptedCount = (): number => requests.filter((r) => r.outcome === 'accepted' || r.outcome === 'acceptThenReset').length;

  return {
    url: server.url,
    port: server.port,
    requests,
    deliveries: () => requests.filter((r) => r.outcome === 'accepted' || r.outcome === 'acceptThenReset'),
    deliveryCount: (key) => accepted.get(key) ?? 0,
    deliveriesByKey: () => new Map(accepted),
    enqueue: server.enqueue,
    setFaults: server.setFaults,
    waitForRequests: (count) => waitUntil(() => requests.length >= count),
    waitForDeliveries: (count) => waitUntil(() => acceptedCount() >= count),
    reset: () => {
      server.reset();
      accepted.clear();
    },
    close: server.close,
  };
}

/**
 * A fault policy that fails about `rate` of the requests with faults drawn
 * from `faults`, from a seeded generator: the same seed gives the same
 * sequence, so a failing exactly-once run can be replayed.
 */
export function seededFaults(rate: number, seed: number, faults: readonly ReceiverFault[]): NonNullable<WebhookReceiverOptions['faults']> {
  const next = seededRandom(seed);
  return () => {
    if (next() >= rate || faults.length === 0) return undefined;
    return faults[Math.floor(next() * faults.length)];
  };
}
