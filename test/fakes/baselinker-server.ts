import type { IncomingHttpHeaders } from 'node:http';
import { startFaultServer, type FaultPolicy, type FaultServer, type ReceiverFault } from './fault-server.js';

/**
 * A real HTTP server on 127.0.0.1 speaking BaseLinker's single-endpoint API
 * (https://api.baselinker.com/): `POST /connector.php`, token in `X-BLToken`,
 * form fields `method` and `parameters` (JSON). Like BaseLinker it answers
 * HTTP 200 for its own errors, as `{ status: "ERROR", error_code, error_message }`:
 * a wrong token (ERROR_AUTH_TOKEN), more than `limitPerMinute` calls within a
 * minute of its clock (ERROR_RATE_LIMIT), an unknown method. Methods:
 * getOrders (by order_id), getOrderStatusList. HTTP-level faults (429, 5xx,
 * hangs, resets) come from the shared fault layer; `garbage` answers a
 * truncated JSON body.
 */
export interface BaseLinkerOrder {
  order_id: number;
  [field: string]: unknown;
}

export interface BaseLinkerRequest {
  seq: number;
  outcome: string;
  path: string;
  headers: IncomingHttpHeaders;
  method: string | undefined;
  parameters: Record<string, unknown> | undefined;
  contentType: string | undefined;
}

export interface BaseLinkerServer extends FaultServer<BaseLinkerRequest> {
  /** `<url>/connector.php` */
  endpoint: string;
  orders: BaseLinkerOrder[];
  /** Calls accepted per minute before ERROR_RATE_LIMIT (default unlimited). */
  limitPerMinute: number;
  /** The fake's clock for the rate limit (ms). */
  now: number;
  /** Answer the next calls with a body that is not JSON. */
  garbage: boolean;
}

export const BASELINKER_STATUSES = [
  { id: 1051, name: 'Nowe zamówienia', name_for_customer: 'Przyjęte', color: '#ff0000' },
  { id: 1052, name: 'Wysłane', name_for_customer: 'Wysłane', color: '#00ff00' },
];

export async function startBaseLinkerServer(options: { token: string; orders?: BaseLinkerOrder[]; faults?: FaultPolicy<BaseLinkerRequest> }): Promise<BaseLinkerServer> {
  const window: number[] = [];
  const state = { orders: options.orders ?? [], limitPerMinute: Number.POSITIVE_INFINITY, now: 0, garbage: false };
  const error = (code: string, message: string): string => JSON.stringify({ status: 'ERROR', error_code: code, error_message: message });
  const server = await startFaultServer<BaseLinkerRequest>({
    faults: options.faults,
    contentType: 'application/json',
    statusBody: (status) => `<html><body>${status}</body></html>`,
    rateLimitBody: '',
    record(req, body, seq) {
      const form = new URLSearchParams(body);
      let parameters: Record<string, unknown> | undefined;
      try {
        parameters = JSON.parse(form.get('parameters') ?? '') as Record<string, unknown>;
      } catch {
        parameters = undefined;
      }
      return { seq, outcome: 'accepted', path: req.url ?? '', headers: req.headers, method: form.get('method') ?? undefined, parameters, contentType: req.headers['content-type'] };
    },
    accept(rec) {
      return (res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        if (state.garbage) return res.end('{"status":"SUCCESS","orders":[{"order_id":');
        if (rec.path !== '/connector.php') return res.end(error('ERROR_UNKNOWN_METHOD', 'Not found'));
        if (rec.headers['x-bltoken'] !== options.token) return res.end(error('ERROR_AUTH_TOKEN', 'Invalid user token'));
        while (window.length > 0 && (window[0] ?? 0) <= state.now - 60_000) window.shift();
        if (window.length >= state.limitPerMinute) return res.end(error('ERROR_RATE_LIMIT', 'Query limit exceeded, try again in a minute'));
        if (Number.isFinite(state.limitPerMinute)) window.push(state.now);
        if (rec.parameters === undefined) return res.end(error('ERROR_PARAMETERS', 'parameters is not valid JSON'));
        if (rec.method === 'getOrderStatusList') return res.end(JSON.stringify({ status: 'SUCCESS', statuses: BASELINKER_STATUSES }));
        if (rec.method === 'getOrders') {
          const id = rec.parameters.order_id;
          const found = state.orders.filter((o) => id === undefined || o.order_id === id);
          return res.end(JSON.stringify({ status: 'SUCCESS', orders: found }));
        }
        return res.end(error('ERROR_UNKNOWN_METHOD', `Unknown method ${String(rec.method)}`));
      };
    },
  });
  // Accessors (not Object.assign, which would copy values): tests change the fake's state while it runs.
  return Object.defineProperties(server, Object.getOwnPropertyDescriptors({
    endpoint: `${server.url}/connector.php`,
    get orders() {
      return state.orders;
    },
    set orders(v: BaseLinkerOrder[]) {
      state.orders = v;
    },
    get limitPerMinute() {
      return state.limitPerMinute;
    },
    set limitPerMinute(v: number) {
      // A new limit starts a new count.
      window.length = 0;
      state.limitPerMinute = v;
    },
    get now() {
      return state.now;
    },
    set now(v: number) {
      state.now = v;
    },
    get garbage() {
      return state.garbage;
    },
    set garbage(v: boolean) {
      state.garbage = v;
    },
  })) as BaseLinkerServer;
}

export type { ReceiverFault };
