import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ReceiverFault } from './webhook-receiver.js';

/**
 * A real HTTP server on 127.0.0.1 speaking the part of the Slack Web API the
 * slack connector uses (`auth.test`, `chat.postMessage`), with the same fault
 * vocabulary as the webhook receiver (429 + Retry-After, status codes, delays,
 * hangs, connection resets).
 *
 * Like Slack, it answers HTTP 200 with `{ ok: false, error }` for platform
 * errors (bad token, unknown channel, missing text); only rate limits and
 * outages use other status codes. It checks what Slack checks: the bearer
 * token, the channel, the text. Posted messages are kept in `messages`
 * ("delivered"), every request in `requests`.
 */
export interface SlackApiRequest {
  seq: number;
  /** Web API method from the path, e.g. `chat.postMessage`. */
  method: string;
  headers: IncomingHttpHeaders;
  /** Form-encoded or JSON arguments, as sent. */
  args: Record<string, unknown>;
  /** The bearer token matched the server's token. */
  authorized: boolean;
  outcome: 'accepted' | 'platformError' | 'status' | 'rateLimit' | 'hang' | 'reset' | 'acceptThenReset';
  /** The `error` of a platform error answer. */
  error?: string;
}

export interface SlackPostedMessage {
  channel: string;
  text: string;
  ts: string;
}

export interface SlackApiServerOptions {
  /** The bot token callers must send as `Authorization: Bearer <token>`. */
  token: string;
  /** Channel name (without #) → id. Unknown channels get `channel_not_found`. */
  channels?: Record<string, string>;
  /** Channels the bot is not a member of: posting there gets `not_in_channel`. */
  notInChannel?: readonly string[];
  faults?: (request: SlackApiRequest, n: number) => ReceiverFault | undefined;
}

export interface SlackApiServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** What the connector's baseUrl setting takes: `http://127.0.0.1:<port>/api/`. */
  apiUrl: string;
  readonly requests: readonly SlackApiRequest[];
  /** Messages posted (accepted, including acceptThenReset), in order. */
  readonly messages: readonly SlackPostedMessage[];
  enqueue(...faults: ReceiverFault[]): void;
  setFaults(policy: SlackApiServerOptions['faults']): void;
  reset(): void;
  close(): Promise<void>;
}

export const SLACK_TEAM_ID = 'T0TRIAGE1';
export const SLACK_DEFAULT_CHANNELS: Readonly<Record<string, string>> = { incidents: 'C0INCIDENTS', general: 'C0GENERAL' };

export async function startSlackApiServer(options: SlackApiServerOptions): Promise<SlackApiServer> {
  const channels = options.channels ?? SLACK_DEFAULT_CHANNELS;
  const requests: SlackApiRequest[] = [];
  const messages: SlackPostedMessage[] = [];
  const queue: ReceiverFault[] = [];
  let policy = options.faults;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let tsCounter = 0;

  const channelId = (given: string): string | undefined => {
    const name = given.replace(/^#/, '');
    if (channels[name] !== undefined) return channels[name];
    return Object.values(channels).includes(given) ? given : undefined;
  };

  /** What Slack itself would answer for a request that passed the fault layer. */
  const answer = (rec: SlackApiRequest): { body: Record<string, unknown>; message?: SlackPostedMessage } => {
    const fail = (error: string) => {
      rec.error = error;
      return { body: { ok: false, error } };
    };
    if (rec.headers.authorization === undefined) return fail('not_authed');
    if (!rec.authorized) return fail('invalid_auth');
    if (rec.method === 'auth.test') {
      return { body: { ok: true, url: 'https://triage-test.slack.com/', team: 'triage test', user: 'triage-bot', team_id: SLACK_TEAM_ID, user_id: 'U0TRIAGEBOT', bot_id: 'B0TRIAGE' } };
    }
    if (rec.method === 'chat.postMessage') {
      const { channel, text } = rec.args;
      if (typeof channel !== 'string' || channel === '') return fail('channel_not_found');
      const id = channelId(channel);
      if (id === undefined) return fail('channel_not_found');
      if ((options.notInChannel ?? []).some((c) => channelId(c) === id)) return fail('not_in_channel');
      if (typeof text !== 'string' || text.trim() === '') return fail('no_text');
      tsCounter += 1;
      const ts = `1767225600.${String(tsCounter).padStart(6, '0')}`;
      const message = { channel: id, text, ts };
      return { body: { ok: true, channel: id, ts, message: { type: 'message', text, user: 'U0TRIAGEBOT', ts } }, message };
    }
    return fail('unknown_method');
  };

  const apply = (fault: ReceiverFault | undefined, rec: SlackApiRequest, req: IncomingMessage, res: ServerResponse): void => {
    if (res.destroyed || req.socket.destroyed) return;
    if (fault === undefined || fault.kind === 'acceptThenReset') {
      const { body, message } = answer(rec);
      if (message) messages.push(message);
      if (fault?.kind === 'acceptThenReset') {
        rec.outcome = 'acceptThenReset';
        req.socket.resetAndDestroy();
        return;
      }
      rec.outcome = body.ok === true ? 'accepted' : 'platformError';
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    } else if (fault.kind === 'status') {
      rec.outcome = 'status';
      res.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8', ...fault.headers });
      res.end(fault.body ?? JSON.stringify({ ok: false, error: `fault_${fault.status}` }));
    } else if (fault.kind === 'rateLimit') {
      rec.outcome = 'rateLimit';
      res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', ...(fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) }) });
      res.end('{"ok":false,"error":"ratelimited"}');
    } else if (fault.kind === 'delay') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        apply(fault.then, rec, req, res);
      }, fault.ms);
      timers.add(timer);
    } else if (fault.kind === 'hang') {
      rec.outcome = 'hang';
    } else {
      rec.outcome = 'reset';
      req.socket.resetAndDestroy();
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const type = String(req.headers['content-type'] ?? '');
      let args: Record<string, unknown> = {};
      if (type.startsWith('application/json')) {
        try {
          args = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          args = {};
        }
      } else {
        args = Object.fromEntries(new URLSearchParams(raw));
      }
      const rec: SlackApiRequest = {
        seq: requests.length + 1,
        method: (req.url ?? '/').replace(/^\/api\//, '').replace(/\?.*$/, ''),
        headers: req.headers,
        args,
        authorized: req.headers.authorization === `Bearer ${options.token}`,
        outcome: 'hang',
      };
      requests.push(rec);
      if (req.method !== 'POST' || !(req.url ?? '').startsWith('/api/')) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
        rec.outcome = 'status';
        return;
      }
      apply(queue.length > 0 ? queue.shift() : policy?.(rec, rec.seq), rec, req, res);
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
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    apiUrl: `${url}/api/`,
    requests,
    messages,
    enqueue: (...faults) => {
      queue.push(...faults);
    },
    setFaults: (p) => {
      policy = p;
    },
    reset: () => {
      requests.length = 0;
      messages.length = 0;
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
