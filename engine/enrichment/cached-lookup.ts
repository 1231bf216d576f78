import { isConnectorError } from '../../connectors/lib/connector-error.js';
import type { ErrorCode } from '../errors/error-catalogue.js';
import { TriageError, isTriageError } from '../errors/triage-error.js';
import { callWithTimeLimit } from './call-with-time-limit.js';
import type { LookupLog } from './lookup-retrier.js';
import { recordLookupRetry } from './record-lookup-retry.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { TtlCache } from './ttl-cache.js';

/** What a lookup gave: the answer `A` (found), "not known there", or no answer (retried later). */
export type CachedLookupOutcome<A extends { status: string }> =
  | (A & { cached: boolean })
  | { status: 'not-found'; cached: boolean }
  | { status: 'unavailable'; code: string; message: string };

/** The settings both lookups share (docs/enrichment.md, docs/orders.md). */
export interface CachedLookupOptions<P> {
  /** Its name in connections.yaml, for messages. */
  connectionName: string;
  /** Where unanswered lookups are recorded for retry; without it they are not retried. */
  jobs?: { enqueue(ticketId: string, payload: P, dueAt: string, now: string, error: string): Promise<void> } | undefined;
  /** How long a found answer is cached (default 5 min). */
  ttlMs?: number;
  /** How long "not known there" is cached (default 1 min). */
  negativeTtlMs?: number;
  /** How long ticket creation waits for the service (default 2 s). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  maxCacheEntries?: number;
  now?: () => Date;
  random?: () => number;
  log?: LookupLog;
}

/** What differs between the CRM and the shop lookups, besides the call itself. */
export interface CachedLookupKind {
  /** "CRM", "order": what the log lines name. */
  name: string;
  timeoutCode: ErrorCode;
  /** The code of an answer that is neither an object nor nothing, or of an unexpected failure. */
  badResponseCode: ErrorCode;
  /** Logged when a lookup could not be recorded for retry. */
  retryNotRecorded: string;
}

export const DEFAULT_LOOKUP_TIMEOUT_MS = 2000;
export const DEFAULT_LOOKUP_TTL_MS = 300_000;
export const DEFAULT_LOOKUP_NEGATIVE_TTL_MS = 60_000;

/**
 * An external lookup on the ticket-creation path (the CRM's customer, the
 * shop's order): a TTL cache in front, one call per question at a time
 * (single flight), and a hard time limit. The service stays the source of
 * truth: answers live in memory for their TTL, never in the database. A slow,
 * down or garbled service never blocks ticket creation: the ticket gets an
 * "unavailable" marker, a job is recorded, and a LookupRetrier asks again
 * later and raises `ticket.enriched` when the service answers.
 */
export abstract class CachedLookup<A extends { status: string }, P> {
  readonly connectionName: string;
  readonly timeoutMs: number;
  readonly retryPolicy: RetryPolicy;
  protected readonly clock: () => Date;
  protected readonly log: LookupLog;
  private readonly jobs: CachedLookupOptions<P>['jobs'];
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly cache: TtlCache<A | { status: 'not-found' }>;
  private readonly inFlight = new Map<string, Promise<CachedLookupOutcome<A>>>();
  private readonly random: () => number;

  protected constructor(
    options: CachedLookupOptions<P>,
    private readonly kind: CachedLookupKind,
  ) {
    this.connectionName = options.connectionName;
    this.jobs = options.jobs;
    this.ttlMs = options.ttlMs ?? DEFAULT_LOOKUP_TTL_MS;
    this.negativeTtlMs = options.negativeTtlMs ?? DEFAULT_LOOKUP_NEGATIVE_TTL_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.cache = new TtlCache(options.maxCacheEntries);
    this.clock = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.log = options.log ?? (() => undefined);
  }

  /** Forget cached answers (e.g. after the service's data was corrected). */
  clearCache(): void {
    this.cache.clear();
  }

  /**
   * The cached answer for `key`, or the service's: concurrent calls with one
   * key share one call; failures are not cached (the next ticket asks again).
   * `call` gets the abort signal of the time limit; `accept` turns a non-null
   * answer into `A` or throws a TriageError for a garbled one.
   */
  protected cachedLookup(key: string, call: (signal: AbortSignal) => Promise<unknown> | undefined, accept: (raw: unknown) => A): Promise<CachedLookupOutcome<A>> {
    const cached = this.cache.get(key, this.clock().getTime());
    if (cached !== undefined) return Promise.resolve({ ...cached, cached: true } as CachedLookupOutcome<A>);
    let flight = this.inFlight.get(key);
    if (flight === undefined) {
      flight = this.ask(key, call, accept).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, flight);
    }
    return flight;
  }

  /** At ticket creation, when the service did not answer: log it and record the job that asks again. */
  protected async unavailableAtCreation(ticketId: string, payload: P, now: string, outcome: { code: string; message: string }): Promise<void> {
    this.log('warn', `${this.kind.name} lookup failed; the ticket is created without it and the lookup is retried`, {
      connection: this.connectionName,
      ticketId,
      code: outcome.code,
      error: outcome.message,
    });
    await recordLookupRetry({
      jobs: this.jobs,
      ticketId,
      payload,
      now,
      error: `${outcome.code}: ${outcome.message}`,
      retryPolicy: this.retryPolicy,
      random: this.random,
      log: this.log,
      connectionName: this.connectionName,
      failure: this.kind.retryNotRecorded,
    });
  }

  private async ask(key: string, call: (signal: AbortSignal) => Promise<unknown> | undefined, accept: (raw: unknown) => A): Promise<CachedLookupOutcome<A>> {
    try {
      const raw = await callWithTimeLimit(call, this.timeoutMs, () => new TriageError(this.kind.timeoutCode, [this.connectionName, this.timeoutMs]));
      const now = this.clock().getTime();
      if (raw === undefined || raw === null) {
        this.cache.set(key, { status: 'not-found' }, this.negativeTtlMs, now);
        return { status: 'not-found', cached: false };
      }
      const answer = accept(raw);
      this.cache.set(key, answer, this.ttlMs, now);
      return { ...answer, cached: false };
    } catch (error) {
      if (isConnectorError(error) || isTriageError(error)) return { status: 'unavailable', code: error.code, message: error.message };
      return { status: 'unavailable', code: this.kind.badResponseCode, message: error instanceof Error ? error.message : String(error) };
    }
  }
}
