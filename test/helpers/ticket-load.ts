/**
 * Integrators creating tickets over HTTP without pause, for the crash and
 * outage drills (test/e2e/*-drill.e2e.test.ts). Each client sends
 * POST /v1/tickets with a unique external id as its Idempotency-Key and, when
 * it hears no answer (connection refused or cut, a 5xx), sends the same
 * request again until it is answered, as a careful integrator does. A ticket
 * counts as acknowledged once a 2xx came back: that is the set a drill then
 * looks for in the database.
 */
import { sleep } from './server-process.js';

export interface TicketLoadOptions {
  /** Base URLs of the instances; each request goes to the next one (round-robin). */
  urls: () => readonly string[];
  apiKey: string;
  /** Concurrent clients. */
  clients: number;
  /** External ids are `<prefix>-<n>`. */
  prefix: string;
  /** Subject of every ticket (`<subject> <id>`): the drills' rules match on it. */
  subject: string;
  /** Wait between retries of an unanswered request; default 50 ms. */
  retryDelayMs?: number;
  /** A request without an answer after this is aborted and counted as hung (then retried). Default 20 s. */
  hangMs?: number;
}

export interface TicketAck {
  status: number;
  number: string;
  /** The instance that answered, and when (epoch ms). */
  url: string;
  at: number;
  /** Requests sent for this id, the answered one included. */
  attempts: number;
}

export interface TicketLoad {
  /** Acknowledged tickets by external id. */
  readonly acked: Map<string, TicketAck>;
  /** Every id a client started sending. */
  readonly issued: Set<string>;
  /** Requests on the wire right now. */
  inFlight(): number;
  /** Answers and failures by kind: `201`, `200`, `503 TRIAGE_STORE_OUTAGE`, `network`, `hung`, … */
  readonly outcomes: Map<string, number>;
  /** Response bodies of non-2xx answers without a TRIAGE_ code (should stay empty), at most 20. */
  readonly uncoded: string[];
  /** Stop starting new ids; resolves when every started id is acknowledged. */
  finish(): Promise<void>;
}

export function startTicketLoad(options: TicketLoadOptions): TicketLoad {
  const acked = new Map<string, TicketAck>();
  const issued = new Set<string>();
  const outcomes = new Map<string, number>();
  const uncoded: string[] = [];
  let next = 0;
  let rr = 0;
  let inFlight = 0;
  let stopping = false;
  const count = (kind: string): void => void outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
  const retryDelayMs = options.retryDelayMs ?? 50;
  const hangMs = options.hangMs ?? 20_000;

  /** One attempt: the acknowledgement, or undefined when it has to be sent again. */
  const attempt = async (id: string): Promise<Omit<TicketAck, 'attempts'> | undefined> => {
    const urls = options.urls();
    const url = urls[rr++ % urls.length];
    if (url === undefined) return undefined;
    inFlight += 1;
    try {
      const res = await fetch(`${url}/v1/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json', 'idempotency-key': id },
        body: JSON.stringify({ subject: `${options.subject} ${id}`, message: { from: `${id}@drill.example`, text: `Drill ticket ${id}` } }),
        signal: AbortSignal.timeout(hangMs),
      });
      const text = await res.text();
      if (res.ok) {
        count(String(res.status));
        return { status: res.status, number: (JSON.parse(text) as { ticket: { number: string } }).ticket.number, url, at: Date.now() };
      }
      const code = /"code":"(TRIAGE_[A-Z_]+)"/.exec(text)?.[1];
      // A 503 without Retry-After leaves the client guessing when to come back.
      count(`${res.status} ${code ?? 'uncoded'}${res.status === 503 && !res.headers.has('retry-after') ? ' without Retry-After' : ''}`);
      if (code === undefined && uncoded.length < 20) uncoded.push(`${res.status} ${text.slice(0, 300)}`);
      if (res.status < 500) throw new Error(`POST /v1/tickets ${id} was refused: ${res.status} ${text}`);
      return undefined;
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('POST /v1/tickets')) throw error;
      count(error instanceof Error && error.name === 'TimeoutError' ? 'hung' : 'network');
      return undefined;
    } finally {
      inFlight -= 1;
    }
  };

  const client = async (): Promise<void> => {
    while (!stopping) {
      const id = `${options.prefix}-${next++}`;
      issued.add(id);
      for (let attempts = 1; ; attempts++) {
        const answer = await attempt(id);
        if (answer !== undefined) {
          acked.set(id, { ...answer, attempts });
          break;
        }
        await sleep(retryDelayMs);
      }
    }
  };
  const running = Promise.all(Array.from({ length: options.clients }, () => client()));
  // A refused request (a bug) surfaces in finish(), not as an unhandled rejection meanwhile.
  running.catch(() => undefined);
  return {
    acked,
    issued,
    outcomes,
    uncoded,
    inFlight: () => inFlight,
    finish: async () => {
      stopping = true;
      await running;
    },
  };
}
