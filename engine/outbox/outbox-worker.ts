import type { Knex } from 'knex';
import type { ActionResult } from '../../connectors/lib/connector.js';
import { TriageError } from '../errors/triage-error.js';
import { toIsoUtc } from '../store/iso-time.js';
import type { FactObject } from '../../rules/lib/rule-types.js';
import { exponentialBackoff, type BackoffPolicy } from './backoff.js';
import { classifyFailure, type OutboxFailure } from './classify-failure.js';
import { connectorHandler, type MaskOutboundParams, type OutboxConnections } from './connector-handler.js';
import { loadTicketFacts } from './load-ticket-facts.js';
import { connectorTarget } from './outbox-action.js';
import type { AttemptOutcome, OutboxAttempt, OutboxEntry } from './outbox-entry.js';
import type { OutboxHandler } from './outbox-handler.js';
import { OutboxStore, type OutboxCommits, type OutboxFinish, type OutboxTransition } from './outbox-store.js';
import { WakeSignal } from './wake-signal.js';

export interface OutboxWorkerOptions {
  db: Knex;
  /** Connections for `<connector>.<op>` rows; without them those rows are dead-lettered (no connection). */
  connections?: OutboxConnections;
  /** Handlers for built-in actions by type (`note`, …); types with none are dead-lettered with TRIAGE_OUTBOX_NO_HANDLER. */
  handlers?: Readonly<Record<string, OutboxHandler>>;
  /** Injectable clock (tests advance a virtual one instead of sleeping). */
  now?: () => Date;
  /** Names this worker in leases and the attempt log; unique per process (e.g. host:pid:random). */
  workerId: string;
  /** Rows claimed (and called concurrently) per round; default 20. */
  batchSize?: number;
  /** How long a claim is exclusive; must exceed callTimeoutMs. Default 60 s. */
  leaseMs?: number;
  /** A call taking longer is aborted and retried; default 30 s. */
  callTimeoutMs?: number;
  /** Attempts per row before it is dead-lettered; default 8. */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /** Idle poll interval of start(); a row written in-process wakes it earlier (wake()). Default 1 s. */
  pollIntervalMs?: number;
  /**
   * Least time between the starts of two rounds of start() that did not fill
   * a batch; default 20 ms. Under a steady stream of new tickets every commit
   * wakes the worker, which then claims a row or two per round, and each
   * round costs its own claim and finish statements on the writer's thread;
   * waiting out the rest of this window lets one claim take what arrived
   * meanwhile. It delays an action by at most this much.
   */
  gatherMs?: number;
  /**
   * The group commit of the ticket writes (TicketService.commits), asked at
   * each record: outcomes are then written in its next group, sharing its
   * commit. Without one (PostgreSQL) they get a transaction of their own.
   */
  commits?: () => OutboxCommits | undefined;
  /**
   * At most this many rows handed over at write time (lease/adopt) and not
   * yet recorded (queued in memory, batchSize of them running); beyond it
   * new rows are written pending and claimed as usual. 0 turns the hand-off
   * off. Default 1,000.
   */
  maxAdopted?: number;
  /** Personal-data masking before params leave (engine/privacy); see MaskOutboundParams. */
  maskOutboundParams?: MaskOutboundParams;
  /** After every recorded attempt (metrics). */
  onAttempt?: (entry: OutboxEntry, attempt: OutboxAttempt) => void;
  /** A round failed (database unreachable…); the loop goes on after the poll interval. */
  onError?: (error: unknown) => void;
}

export const OUTBOX_WORKER_DEFAULTS = { batchSize: 20, leaseMs: 60_000, callTimeoutMs: 30_000, maxAttempts: 8, pollIntervalMs: 1000, gatherMs: 20, maxAdopted: 1000 } as const;

/** What OutboxWorker.preflight decided about a row that cannot run: its one (dead) attempt. */
export interface OutboxAttemptAtWrite {
  workerId: string;
  at: string;
  error: { code: string; message: string };
}

/** New rows leased to a running worker as they are written (OutboxWorker.lease). */
export interface OutboxLease {
  workerId: string;
  leaseUntil: string;
  /** How many of the rows asked for carry the lease; the rest are written pending. */
  count: number;
}

/**
 * Dispatches outbox rows: claim due rows under a lease (one short statement),
 * call their handler outside any transaction with a timeout, then record the
 * attempt and mark the row done, schedule a retry (exponential back-off with
 * full jitter, honouring Retry-After) or dead-letter it (non-retryable error,
 * or maxAttempts used up), in one short transaction.
 *
 * At least once, never skipped: a crash between the call and the commit
 * leaves the row in flight; when its lease runs out another claim takes it and
 * calls again with the same idempotency key, which receivers that support a
 * key deduplicate (exactly once there). Several workers, in one process or in
 * several instances on PostgreSQL, never hold the same row at the same time.
 */
export class OutboxWorker {
  readonly workerId: string;
  private readonly store: OutboxStore;
  private readonly clock: () => Date;
  private readonly handlers: Readonly<Record<string, OutboxHandler>>;
  private readonly connectorCall: OutboxHandler;
  private readonly secrets: () => readonly string[];
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly callTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffPolicy;
  private readonly pollIntervalMs: number;
  private readonly gatherMs: number;
  private readonly onAttempt: OutboxWorkerOptions['onAttempt'];
  private readonly onError: OutboxWorkerOptions['onError'];
  private readonly signal = new WakeSignal();
  private loop: Promise<void> | undefined;
  private readonly queued: { item: OutboxFinish; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private flushing = false;
  /** The claimed batches' ticket facts, by ticket id, while they are processed. */
  private readonly batchTickets = new Map<string, Promise<Map<string, FactObject>>>();
  private readonly db: Knex;
  private stopping = false;
  private readonly maxAdopted: number;
  private readonly commits: OutboxWorkerOptions['commits'];
  /** Rows leased at write time (lease()) and not yet recorded or given back. */
  private adopted = 0;
  /** Handed-over rows waiting for a turn (at most batchSize run at once, as with claims). */
  private readonly adoptedQueue: OutboxEntry[] = [];
  private adoptedRunning = 0;
  /** preflight(): classified failures by the error a handler answered. */
  private readonly preflightFailures = new WeakMap<object, OutboxFailure>();
  private readonly adoptions = new Set<Promise<void>>();

  constructor(options: OutboxWorkerOptions) {
    this.workerId = options.workerId;
    this.db = options.db;
    this.store = new OutboxStore(options.db);
    this.clock = options.now ?? (() => new Date());
    this.handlers = options.handlers ?? {};
    this.batchSize = options.batchSize ?? OUTBOX_WORKER_DEFAULTS.batchSize;
    this.leaseMs = options.leaseMs ?? OUTBOX_WORKER_DEFAULTS.leaseMs;
    this.callTimeoutMs = options.callTimeoutMs ?? Math.min(OUTBOX_WORKER_DEFAULTS.callTimeoutMs, Math.floor(this.leaseMs / 2));
    this.maxAttempts = options.maxAttempts ?? OUTBOX_WORKER_DEFAULTS.maxAttempts;
    this.backoff = options.backoff ?? exponentialBackoff();
    this.pollIntervalMs = options.pollIntervalMs ?? OUTBOX_WORKER_DEFAULTS.pollIntervalMs;
    this.gatherMs = options.gatherMs ?? OUTBOX_WORKER_DEFAULTS.gatherMs;
    this.commits = options.commits;
    this.maxAdopted = Math.max(0, options.maxAdopted ?? OUTBOX_WORKER_DEFAULTS.maxAdopted);
    this.onAttempt = options.onAttempt;
    this.onError = options.onError;
    if (this.workerId === '') throw new RangeError('an outbox worker needs a workerId');
    if (!(this.batchSize >= 1) || !(this.maxAttempts >= 1)) throw new RangeError('outbox batchSize and maxAttempts must be at least 1');
    // A lease shorter than the call would let a second worker take a row whose call is still running.
    if (!(this.callTimeoutMs > 0 && this.callTimeoutMs < this.leaseMs)) throw new RangeError(`outbox callTimeoutMs (${this.callTimeoutMs}) must be below leaseMs (${this.leaseMs})`);
    const db = options.db;
    const connections = options.connections;
    this.secrets = () => connections?.secrets() ?? [];
    this.connectorCall = connectorHandler({
      connections: options.connections,
      // Prefetched for the whole batch by runOnce; a single load otherwise.
      loadTicket: async (id) => (await (this.batchTickets.get(id) ?? loadTicketFacts(db, [id]))).get(id),
      linkedExternalId: (ticketId, actionType) => this.store.linkedExternalId(ticketId, actionType),
      ...(options.maskOutboundParams === undefined ? {} : { maskOutboundParams: options.maskOutboundParams }),
    });
  }

  /**
   * One round: claim up to batchSize due rows, carry them out concurrently,
   * record the outcomes. Returns the number of rows claimed (0: nothing due).
   */
  async runOnce(): Promise<number> {
    const now = this.now();
    const claimed = await this.store.claim({ workerId: this.workerId, limit: this.batchSize, now: iso(now), leaseUntil: iso(new Date(now.getTime() + this.leaseMs)) });
    await this.dispatch(claimed);
    return claimed.length;
  }

  /**
   * The hand-off at write time (engine/outbox/outbox-writer.ts): a new row
   * can be written already leased to this worker, and handed to it once its
   * transaction committed, instead of being written pending and claimed by
   * a statement (and a commit) of its own. Returns the lease for up to
   * `count` new rows, or undefined when this worker is not running or
   * already has `maxAdopted` such rows on its hands (they are then written
   * pending and claimed as usual, so a backlog waits in the table, not in
   * memory). Every lease must be answered with adopt().
   */
  lease(count: number): OutboxLease | undefined {
    if (this.loop === undefined || this.stopping) return undefined;
    const n = Math.min(count, this.maxAdopted - this.adopted);
    if (n <= 0) return undefined;
    this.adopted += n;
    return { workerId: this.workerId, leaseUntil: iso(new Date(this.now().getTime() + this.leaseMs)), count: n };
  }

  /**
   * A new row that cannot run, known without I/O, while this worker runs
   * (the rows it would be handed): no handler for its type, or its handler's
   * preflight names a permanent failure (TRIAGE_OUTBOX_NO_CONNECTION: the
   * shipped rules acknowledge e-mail, and an install without a mail
   * connection would otherwise hand every such row over only to fail it).
   * The writer dead-letters it in the decision's transaction with this
   * first attempt, exactly as the worker would have. Failures a later
   * attempt may cure are not decided here: undefined.
   */
  preflight(actionType: string, params: Record<string, unknown>): OutboxAttemptAtWrite | undefined {
    if (this.loop === undefined || this.stopping) return undefined;
    const handler = this.handlers[actionType] ?? (connectorTarget(actionType, params) === undefined ? undefined : this.connectorCall);
    const error = handler === undefined ? new TriageError('TRIAGE_OUTBOX_NO_HANDLER', [actionType]) : handler.preflight?.({ actionType, params });
    if (error === undefined) return undefined;
    // A handler answers the same error object for every row it refuses (customer-mail-handler caches it).
    let failure = typeof error === 'object' && error !== null ? this.preflightFailures.get(error) : undefined;
    if (failure === undefined) {
      failure = classifyFailure(error, actionType, this.secrets());
      if (typeof error === 'object' && error !== null) this.preflightFailures.set(error, failure);
    }
    if (failure.retryable) return undefined;
    return { workerId: this.workerId, at: iso(this.now()), error: { code: failure.code, message: failure.message } };
  }

  /** Rows dead-lettered at write time (preflight) whose transaction committed: counted like attempts of this worker. */
  recordedAtWrite(entries: readonly OutboxEntry[], attempts: readonly OutboxAttempt[]): void {
    entries.forEach((entry, i) => {
      const attempt = attempts[i];
      if (attempt !== undefined) this.onAttempt?.(entry, attempt);
    });
  }

  /**
   * Take over the rows written under `lease` once their transaction settled:
   * committed (`entries` as written) → queued here and carried out at most
   * batchSize at a time, like claimed rows; rolled back (undefined) → the
   * lease is given back. A row handed over after stop() began is left as
   * written: in flight under this worker's lease, claimed again when the
   * lease runs out, like after a crash.
   */
  adopt(lease: OutboxLease, entries: readonly OutboxEntry[] | undefined): void {
    if (entries === undefined || entries.length === 0 || this.stopping) {
      this.adopted -= lease.count;
      return;
    }
    this.adopted -= lease.count - entries.length;
    this.adoptedQueue.push(...entries);
    this.pumpAdopted();
  }

  /**
   * Start queued hand-offs while fewer than batchSize run. A row whose lease
   * has less than a call's time left is not started: a claim could take it
   * over mid-call. It stays in flight and is claimed once the lease ran out.
   */
  private pumpAdopted(): void {
    while (this.adoptedRunning < this.batchSize && this.adoptedQueue.length > 0) {
      const taken = this.adoptedQueue.splice(0, this.batchSize - this.adoptedRunning);
      const now = this.now().getTime();
      const runnable = taken.filter((e) => Date.parse(e.leaseUntil ?? '') - now >= this.callTimeoutMs);
      this.adopted -= taken.length - runnable.length;
      if (runnable.length === 0) continue;
      this.adoptedRunning += runnable.length;
      const run: Promise<void> = this.dispatch(runnable)
        .catch((error: unknown) => this.onError?.(error))
        .finally(() => {
          this.adoptedRunning -= runnable.length;
          this.adopted -= runnable.length;
          this.adoptions.delete(run);
          this.pumpAdopted();
        });
      this.adoptions.add(run);
    }
  }

  /** Carry out rows this worker holds the lease of, concurrently, and record the outcomes. */
  private async dispatch(claimed: readonly OutboxEntry[]): Promise<void> {
    const ticketIds = [...new Set(claimed.filter((e) => connectorTarget(e.actionType, e.params) !== undefined).map((e) => e.ticketId))];
    const facts = loadTicketFacts(this.db, ticketIds);
    // A failed prefetch surfaces in the calls that await it (each then retried), not as an unhandled rejection here.
    facts.catch(() => undefined);
    for (const id of ticketIds) this.batchTickets.set(id, facts);
    try {
      await Promise.all(claimed.map((entry) => this.process(entry)));
    } finally {
      for (const id of ticketIds) if (this.batchTickets.get(id) === facts) this.batchTickets.delete(id);
    }
  }

  /** Poll in the background until stop(); a full batch goes straight on to the next round. */
  start(): void {
    if (this.loop !== undefined) return;
    this.stopping = false;
    this.loop = (async () => {
      while (!this.stopping) {
        let claimed = 0;
        const startedAt = performance.now();
        try {
          claimed = await this.runOnce();
        } catch (error) {
          this.onError?.(error);
        }
        if (claimed < this.batchSize && !this.stopping) {
          await this.signal.wait(this.pollIntervalMs);
          const rest = this.gatherMs - (performance.now() - startedAt);
          if (rest > 0 && !this.stopping) await new Promise((resolve) => setTimeout(resolve, rest));
        }
      }
    })();
  }

  /** A row was written in this process: look now instead of at the next poll. */
  wake(): void {
    this.signal.notify();
  }

  /**
   * Stop polling and wait for the calls in flight to finish and be recorded
   * (each is bounded by callTimeoutMs). Rows not yet claimed stay pending for
   * the next start or another instance.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.signal.notify();
    const loop = this.loop;
    this.loop = undefined;
    await loop;
    // Rows handed over at write time are finished and recorded too (each run that ends starts the next queued ones).
    while (this.adoptions.size > 0) await Promise.allSettled([...this.adoptions]);
  }

  private async process(entry: OutboxEntry): Promise<void> {
    const used = entry.attempts - entry.attemptsBase;
    const attempts: OutboxAttempt[] = [];
    const lost = this.lostAttempt(entry, used > this.maxAttempts ? 'dead' : 'retry');
    if (lost !== undefined) attempts.push(lost);

    let next: OutboxTransition;
    if (used > this.maxAttempts) {
      // Its lease expired on the last attempt of its budget (a worker died mid-call): no further call.
      const reason = lost?.error?.message ?? `the lease of attempt ${entry.attempts - 1} ran out`;
      next = { status: 'dead', error: gaveUp(this.maxAttempts, 'TRIAGE_OUTBOX_LEASE_EXPIRED', reason) };
    } else {
      const startedAt = iso(this.now());
      const outcome = await this.call(entry);
      const finishedAt = this.now();
      const base = { outboxId: entry.id, attempt: entry.attempts, workerId: this.workerId, startedAt, finishedAt: iso(finishedAt) };
      if (outcome.ok) {
        const externalId = outcome.result.externalId ?? null;
        attempts.push({ ...base, outcome: 'ok', error: null, httpStatus: null, retryAfterMs: null, externalId, detail: outcome.result.detail ?? null });
        next = { status: 'done', externalId };
      } else {
        const f = outcome.failure;
        const retry = f.retryable && used < this.maxAttempts;
        attempts.push({ ...base, outcome: retry ? 'retry' : 'dead', error: { code: f.code, message: f.message }, httpStatus: f.httpStatus, retryAfterMs: f.retryAfterMs, externalId: null, detail: null });
        if (retry) {
          const delay = this.backoff(used, f.retryAfterMs ?? undefined);
          next = { status: 'pending', nextAttemptAt: iso(new Date(finishedAt.getTime() + delay)), error: { code: f.code, message: f.message } };
        } else {
          next = { status: 'dead', error: f.retryable ? gaveUp(used, f.code, f.message) : { code: f.code, message: f.message } };
        }
      }
    }
    try {
      await this.record({ entry, attempts, next });
    } catch (error) {
      // The row stays in flight and is claimed again when its lease runs out: repeated, never skipped.
      this.onError?.(error);
      return;
    }
    for (const a of attempts) this.onAttempt?.(entry, a);
  }

  /**
   * Group commit: outcomes that arrive while a commit runs are written
   * together by the next one, so a batch of fast calls costs a few commits
   * instead of one each (SQLite syncs on every commit). Each outcome is still
   * recorded as soon as the database can take it.
   */
  private record(item: OutboxFinish): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      // One tick late on purpose: answers to a batch's calls arrive together, and then share a commit.
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queued.length > 0) {
        const group = this.queued.splice(0);
        try {
          const commits = this.commits?.();
          const items = group.map((g) => g.item);
          if (commits === undefined) await this.store.finishMany(items, this.workerId, iso(this.now()));
          else await this.store.finishInGroup(commits, items, this.workerId, iso(this.now()));
          for (const g of group) g.resolve();
        } catch (error) {
          for (const g of group) g.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** A claim that took over an expired lease: the previous attempt never reported back. */
  private lostAttempt(entry: OutboxEntry, outcome: AttemptOutcome): OutboxAttempt | undefined {
    if (entry.expiredLeaseOwner === null || entry.attempts < 2) return undefined;
    const at = iso(this.now());
    const error = new TriageError('TRIAGE_OUTBOX_LEASE_EXPIRED', [entry.attempts - 1]);
    return {
      outboxId: entry.id,
      attempt: entry.attempts - 1,
      workerId: entry.expiredLeaseOwner,
      // Its start is unknown; both times are when the expiry was noticed.
      startedAt: at,
      finishedAt: at,
      outcome,
      error: { code: error.code, message: error.message },
      httpStatus: null,
      retryAfterMs: null,
      externalId: null,
      detail: null,
    };
  }

  private async call(entry: OutboxEntry): Promise<{ ok: true; result: ActionResult } | { ok: false; failure: OutboxFailure }> {
    const handler = this.handlers[entry.actionType] ?? (connectorTarget(entry.actionType, entry.params) === undefined ? undefined : this.connectorCall);
    if (handler === undefined) return { ok: false, failure: classifyFailure(new TriageError('TRIAGE_OUTBOX_NO_HANDLER', [entry.actionType]), entry.actionType, this.secrets()) };
    const controller = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        const error = new TriageError('TRIAGE_OUTBOX_TIMEOUT', [entry.actionType, this.callTimeoutMs]);
        controller.abort(error);
        reject(error);
      }, this.callTimeoutMs);
    });
    const running = Promise.resolve().then(() => handler({ entry, signal: controller.signal }));
    // A handler that ignores the signal may still settle after the timeout; nobody listens then.
    running.catch(() => undefined);
    try {
      return { ok: true, result: await Promise.race([running, timeout]) };
    } catch (error) {
      const cause = timedOut ? new TriageError('TRIAGE_OUTBOX_TIMEOUT', [entry.actionType, this.callTimeoutMs]) : error;
      return { ok: false, failure: classifyFailure(cause, entry.actionType, this.secrets()) };
    } finally {
      clearTimeout(timer);
    }
  }

  private now(): Date {
    return this.clock();
  }
}

function gaveUp(attempts: number, code: string, message: string): { code: string; message: string } {
  const error = new TriageError('TRIAGE_OUTBOX_GAVE_UP', [attempts, `${code} ${message}`]);
  return { code: error.code, message: error.message };
}

function iso(date: Date): string {
  const text = toIsoUtc(date);
  if (text === undefined) throw new Error('the outbox worker clock returned an invalid date');
  return text;
}
