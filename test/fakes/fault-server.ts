import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The fault layer and HTTP plumbing every fake API server shares (webhook
 * receiver, Slack, Jira): a real server on 127.0.0.1 that reads each request
 * body, records the request, picks a fault for it and applies it. What a fake
 * answers when no fault stops a request, and the wording of its error bodies,
 * stay with the fake.
 *
 * A fault applies to one request. Faults queued with `enqueue` are used first,
 * in order; then the `faults` policy (if set) decides; otherwise the request
 * is accepted.
 */
export type ReceiverFault =
  /** Answer with this status (and optional body/headers) without accepting. */
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  /** 429 with a Retry-After header (seconds or an HTTP date), not accepted. */
  | { kind: 'rateLimit'; retryAfter?: string | number }
  /** Wait, then apply `then` (default: accept). Longer than the client's timeout = a timeout. */
  | { kind: 'delay'; ms: number; then?: ReceiverFault }
  /** Never answer; the socket is closed when the receiver closes. */
  | { kind: 'hang' }
  /** Cut the connection without answering and without accepting. */
  | { kind: 'reset' }
  /** Accept (count the delivery), then cut the connection before answering: the client sees a failure for a delivered request. */
  | { kind: 'acceptThenReset' };

/** Decides a fault for a request no queued fault covers; `n` is the 1-based arrival number. */
export type FaultPolicy<R> = (request: R, n: number) => ReceiverFault | undefined;

/** The fault layer writes the fault it applied into `outcome` (`status`, `rateLimit`, `hang`, `reset`, `acceptThenReset`). */
export interface FaultRecord {
  seq: number;
  outcome: string;
}

export interface FaultServerSpec<R extends FaultRecord> {
  faults?: FaultPolicy<R> | undefined;
  /** Content type of fault answers. */
  contentType: string;
  /** Body of a `status` fault that brings none. */
  statusBody(status: number): string;
  /** Body of a `rateLimit` fault. */
  rateLimitBody: string;
  /** The record of a request whose body has been read (kept in `requests`). */
  record(req: IncomingMessage, body: string, seq: number): R;
  /**
   * Do what accepting the request does (its effects count even when the
   * connection is cut next, as with `acceptThenReset`) and return how to answer it.
   */
  accept(rec: R): (res: ServerResponse) => void;
  /** Answers a request outside the faked API without the fault layer; true when it did. */
  refuse?(rec: R, req: IncomingMessage, res: ServerResponse): boolean;
  /** Also a `status` fault's status goes into the record. */
  onStatusFault?(rec: R, status: number): void;
  /** Runs after a request was handled and after a delay ran out: when outcomes may have changed. */
  onSettled?(): void;
}

export interface FaultServer<R> {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Every request received, in arrival order (faulted ones too). */
  readonly requests: R[];
  enqueue(...faults: ReceiverFault[]): void;
  setFaults(policy: FaultPolicy<R> | undefined): void;
  /** Forget requests and queued faults. */
  reset(): void;
  /** Stop listening, cut open connections, cancel pending delays. */
  close(): Promise<void>;
}

/** A JSON body, or undefined when it is empty or not JSON. */
export function parseJsonBody(raw: string): unknown {
  try {
    return raw === '' ? undefined : JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export async function startFaultServer<R extends FaultRecord>(spec: FaultServerSpec<R>): Promise<FaultServer<R>> {
  const requests: R[] = [];
  const queue: ReceiverFault[] = [];
  let policy = spec.faults;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const apply = (fault: ReceiverFault | undefined, rec: R, req: IncomingMessage, res: ServerResponse): void => {
    if (res.destroyed || req.socket.destroyed) return;
    // Widened so the fault layer can write its own outcomes into any fake's record.
    const tracked: FaultRecord = rec;
    if (fault === undefined || fault.kind === 'acceptThenReset') {
      const answer = spec.accept(rec);
      if (fault?.kind === 'acceptThenReset') {
        tracked.outcome = 'acceptThenReset';
        req.socket.resetAndDestroy();
        return;
      }
      answer(res);
    } else if (fault.kind === 'status') {
      tracked.outcome = 'status';
      spec.onStatusFault?.(rec, fault.status);
      res.writeHead(fault.status, { 'content-type': spec.contentType, ...fault.headers });
      res.end(fault.body ?? spec.statusBody(fault.status));
    } else if (fault.kind === 'rateLimit') {
      tracked.outcome = 'rateLimit';
      res.writeHead(429, { 'content-type': spec.contentType, ...(fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) }) });
      res.end(spec.rateLimitBody);
    } else if (fault.kind === 'delay') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        apply(fault.then, rec, req, res);
        spec.onSettled?.();
      }, fault.ms);
      timers.add(timer);
    } else if (fault.kind === 'hang') {
      tracked.outcome = 'hang';
    } else {
      tracked.outcome = 'reset';
      req.socket.resetAndDestroy();
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec = spec.record(req, Buffer.concat(chunks).toString('utf8'), requests.length + 1);
      requests.push(rec);
      if (spec.refuse?.(rec, req, res) === true) return;
      apply(queue.length > 0 ? queue.shift() : policy?.(rec, rec.seq), rec, req, res);
      spec.onSettled?.();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    enqueue: (...faults) => {
      queue.push(...faults);
    },
    setFaults: (p) => {
      policy = p;
    },
    reset: () => {
      requests.length = 0;
      queue.length = 0;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
