import type { IncomingHttpHeaders } from 'node:http';
import { startFaultServer, type FaultPolicy, type ReceiverFault } from './fault-server.js';

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
  faults?: FaultPolicy<SlackApiRequest>;
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
  const messages: SlackPostedMessage[] = [];
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

  const server = await startFaultServer<SlackApiRequest>({
    faults: options.faults,
    contentType: 'application/json; charset=utf-8',
    statusBody: (status) => JSON.stringify({ ok: false, error: `fault_${status}` }),
    rateLimitBody: '{"ok":false,"error":"ratelimited"}',
    record: (req, raw, seq) => {
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
      return {
        seq,
        method: (req.url ?? '/').replace(/^\/api\//, '').replace(/\?.*$/, ''),
        headers: req.headers,
        args,
        authorized: req.headers.authorization === `Bearer ${options.token}`,
        outcome: 'hang',
      };
    },
    refuse: (rec, req, res) => {
      if (req.method === 'POST' && (req.url ?? '').startsWith('/api/')) return false;
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      rec.outcome = 'status';
      return true;
    },
    accept: (rec) => {
      const { body, message } = answer(rec);
      if (message) messages.push(message);
      return (res) => {
        rec.outcome = body.ok === true ? 'accepted' : 'platformError';
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      };
    },
  });
  const url = server.url;
  return {
    url,
    apiUrl: `${url}/api/`,
    requests: server.requests,
    messages,
    enqueue: server.enqueue,
    setFaults: server.setFaults,
    reset: () => {
      server.reset();
      messages.length = 0;
    },
    close: server.close,
  };
}
