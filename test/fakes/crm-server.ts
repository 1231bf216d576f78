import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A real HTTP CRM on 127.0.0.1 speaking a HubSpot-like shape, for the
 * enrichment tests (R8):
 *
 *   GET /crm/v3/objects/companies/search?domain=acme.pl   (or email=, phone=)
 *     → 200 { "results": [ { "id": "…", "properties": { … } } ] }   (empty list when unknown)
 *   GET /crm/v3/objects/companies/by-domain/acme.pl
 *     → 200 { "id": "…", "properties": { … } }, 404 when unknown
 *
 * With a `token`, requests without `Authorization: Bearer <token>` get 401.
 *
 * Modes (switch any time with setMode):
 *   ok       answer as above
 *   slow     hold every request until release() (or close): longer than any client timeout
 *   down     stop listening: clients get ECONNREFUSED; another mode listens again on the same port
 *   garbage  200 with Content-Type application/json and a truncated, unparsable body
 *   error    500 with a JSON error body
 */
/**
 * The field mapping from docs/enrichment.md for the HubSpot-like company record
 * this fake serves; the http-crm and mapping tests share it.
 */
export const HUBSPOT_LIKE_MAPPING = {
  name: 'properties.name',
  segment: 'properties.segment',
  vip: { path: 'properties.vip', type: 'boolean' },
  arrShare: { path: 'properties.arr_share', type: 'number' },
  accountManager: 'properties.owner.name',
  contract: { active: { path: 'properties.sla_active', type: 'boolean' }, level: 'properties.sla_level' },
  products: { path: 'properties.products', type: 'list' },
};

export type CrmMode = 'ok' | 'slow' | 'down' | 'garbage' | 'error';

export interface CrmCompany {
  id: string;
  domains?: string[];
  emails?: string[];
  phones?: string[];
  /** As the CRM returns them: strings, like HubSpot properties. */
  properties: Record<string, unknown>;
}

export interface CrmRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The mode the request met. */
  mode: CrmMode;
}

export interface CrmServer {
  /** `http://127.0.0.1:<port>`; stays the same across `down`. */
  url: string;
  readonly mode: CrmMode;
  /** Every request that reached the server (not the refused ones of `down`). */
  readonly requests: readonly CrmRequest[];
  setMode(mode: CrmMode): Promise<void>;
  /** Answer the requests `slow` is holding, as the current mode says. */
  release(): void;
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number): Promise<void>;
  upsert(company: CrmCompany): void;
  close(): Promise<void>;
}

export async function startCrmServer(options: { companies?: CrmCompany[]; token?: string } = {}): Promise<CrmServer> {
  const companies = new Map<string, CrmCompany>((options.companies ?? []).map((c) => [c.id, c]));
  const requests: CrmRequest[] = [];
  const sockets = new Set<Socket>();
  const held: (() => void)[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  let mode: CrmMode = 'ok';
  let port = 0;
  let server: Server | undefined;

  const find = (kind: 'domain' | 'email' | 'phone', value: string): CrmCompany | undefined => {
    const v = value.toLowerCase();
    for (const c of companies.values()) {
      const values = kind === 'domain' ? c.domains : kind === 'email' ? c.emails : c.phones;
      if (values?.some((x) => x.toLowerCase() === v) === true) return c;
    }
    return undefined;
  };

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const answer = (req: { url: string; headers: IncomingHttpHeaders }, res: ServerResponse): void => {
    if (res.destroyed) return;
    if (mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"results": [{"id": "1", "properties": {"name": "Acme');
      return;
    }
    if (mode === 'error') return json(res, 500, { status: 'error', message: 'internal error' });
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return json(res, 401, { status: 'error', message: 'authentication credentials not found' });
    }
    const url = new URL(req.url, 'http://crm.invalid');
    const byDomain = /^\/crm\/v3\/objects\/companies\/by-domain\/([^/]+)$/.exec(url.pathname);
    if (byDomain !== null) {
      const company = find('domain', decodeURIComponent(byDomain[1] ?? ''));
      return company === undefined ? json(res, 404, { status: 'error', message: 'not found' }) : json(res, 200, company);
    }
    if (url.pathname === '/crm/v3/objects/companies/search') {
      const kind = (['domain', 'email', 'phone'] as const).find((k) => url.searchParams.has(k));
      if (kind === undefined) return json(res, 400, { status: 'error', message: 'domain, email or phone required' });
      const company = find(kind, url.searchParams.get(kind) ?? '');
      return json(res, 200, { results: company === undefined ? [] : [{ id: company.id, properties: company.properties }] });
    }
    return json(res, 404, { status: 'error', message: `no route ${url.pathname}` });
  };

  const listen = async (): Promise<void> => {
    const s = createServer((req, res) => {
      const rec: CrmRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, mode };
      requests.push(rec);
      waiters = waiters.filter((w) => {
        if (requests.length < w.count) return true;
        w.resolve();
        return false;
      });
      req.resume();
      req.on('end', () => {
        if (mode === 'slow') held.push(() => answer(rec, res));
        else answer(rec, res);
      });
    });
    s.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };

  const stop = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (s === undefined) return;
    held.splice(0);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();

  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    requests,
    async setMode(next) {
      mode = next;
      if (next === 'down') await stop();
      else if (server === undefined) await listen();
    },
    release() {
      for (const send of held.splice(0)) send();
    },
    waitForRequests(count) {
      return new Promise((resolve) => {
        if (requests.length >= count) resolve();
        else waiters.push({ count, resolve });
      });
    },
    upsert(company) {
      companies.set(company.id, company);
    },
    close: stop,
  };
}
