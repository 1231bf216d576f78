import type { Knex } from 'knex';
import { isTriageError } from '../errors/triage-error.js';
import { toIsoUtc } from '../store/iso-time.js';
import type { TicketChangeOptions, TicketService } from '../tickets/ticket-service.js';
import type { LookupJobBase, LookupJobStore } from './lookup-job-store.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';

/** The rule event raised when a lookup answers after the ticket was created without it. */
export const TICKET_ENRICHED_EVENT = 'ticket.enriched';

export type LookupLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

/** What asking again gave: no answer yet (retry later), or the facts to raise `ticket.enriched` with. */
export type LookupAttempt = { status: 'unavailable'; reason: string } | { status: 'answered'; facts: TicketChangeOptions };

/** The options every lookup retrier shares (CRM, shop orders). */
export interface LookupRetrierSettings {
  db: Knex;
  tickets: TicketService;
  now?: () => Date;
  random?: () => number;
  /** How often `start()` looks for due jobs (default 5 s). */
  pollMs?: number;
  /** Jobs claimed per run (default 20). */
  batchSize?: number;
  /** How long a claimed job is reserved for this worker (default 60 s, at least twice the lookup timeout). */
  leaseMs?: number;
  /**
   * A job is written before its ticket's transaction commits; until this much
   * time has passed a missing ticket is "not committed yet", after it "never
   * created" (the transaction failed) or erased, and the job is dropped (default 10 min).
   */
  orphanGraceMs?: number;
  log?: LookupLog;
}

/** What differs between the lookups: the job table, how to ask again, and the words of the log. */
export interface LookupRetrierKind<J extends LookupJobBase> {
  jobs: Pick<LookupJobStore<never, J>, 'claimDue' | 'complete' | 'reschedule' | 'fail'>;
  /** The lookup's own timeout and back-off (the enricher's). */
  timeoutMs: number;
  retryPolicy: RetryPolicy;
  attempt(job: J, now: string): Promise<LookupAttempt>;
  /** "CRM", "order": what the log lines name. */
  name: string;
  /** Logged when the attempts are used up. */
  gaveUp: string;
}

export interface LookupRunSummary {
  claimed: number;
  /** Tickets on which `ticket.enriched` was evaluated with the answer (found, or not known). */
  enriched: number;
  rescheduled: number;
  /** Jobs that used up their attempts and were marked failed. */
  failed: number;
  /** Jobs whose ticket does not exist. */
  dropped: number;
}

/**
 * Works off a lookup job table (enrichment_jobs, order_jobs): asks again with
 * exponential back-off and, once there is an answer, evaluates
 * `ticket.enriched` on the ticket with the answer's facts; the decision and
 * the job's removal share one transaction, so a crash never applies it twice
 * or loses it. The rows are in the database, so a restart (or another
 * instance, once the lease ran out) picks up where the last process stopped.
 */
export class LookupRetrier<J extends LookupJobBase> {
  private readonly clock: () => Date;
  private readonly log: LookupLog;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<LookupRunSummary> | undefined;

  constructor(
    private readonly settings: LookupRetrierSettings,
    private readonly kind: LookupRetrierKind<J>,
  ) {
    this.clock = settings.now ?? (() => new Date());
    this.log = settings.log ?? (() => undefined);
  }

  /** Poll for due jobs until close(). */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.runDueJobs().catch((error: unknown) => {
        this.log('error', `${this.kind.name} retry run failed`, { error: error instanceof Error ? error.message : String(error) });
      });
    }, this.settings.pollMs ?? 5000);
    // Background work must not keep a CLI or test process alive.
    this.timer.unref();
  }

  /** Stop polling and wait for a run in progress. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Run the jobs due now, one after the other. A call while a run is in progress joins it. */
  runDueJobs(): Promise<LookupRunSummary> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<LookupRunSummary> {
    const summary: LookupRunSummary = { claimed: 0, enriched: 0, rescheduled: 0, failed: 0, dropped: 0 };
    const now = this.now();
    const leaseMs = Math.max(this.settings.leaseMs ?? 60_000, this.kind.timeoutMs * 2);
    const claimed = await this.kind.jobs.claimDue(now, this.at(now, leaseMs), this.settings.batchSize ?? 20);
    summary.claimed = claimed.length;
    for (const job of claimed) summary[await this.runJob(job)]++;
    return summary;
  }

  private async runJob(job: J): Promise<'enriched' | 'rescheduled' | 'failed' | 'dropped'> {
    const { jobs } = this.kind;
    const attempt = await this.kind.attempt(job, this.now());
    if (attempt.status === 'unavailable') return this.retryLater(job, attempt.reason);
    try {
      const result = await this.settings.tickets.raiseEvent(job.ticketId, TICKET_ENRICHED_EVENT, {
        ...attempt.facts,
        within: (trx) => jobs.complete(trx, job.ticketId),
      });
      this.log('info', `late ${this.kind.name} answer applied`, { ticketId: job.ticketId, attempts: job.attempts, firedRules: result.decisions.flatMap((d) => d.firedRules) });
      return 'enriched';
    } catch (error) {
      if (isTriageError(error) && error.code === 'TRIAGE_TICKET_NOT_FOUND') {
        if (Date.parse(this.now()) - Date.parse(job.createdAt) >= (this.settings.orphanGraceMs ?? 600_000)) {
          await jobs.complete(this.settings.db, job.ticketId);
          return 'dropped';
        }
        // Its transaction may still be running: look again soon, without spending the back-off.
        await jobs.reschedule(job.ticketId, this.at(this.now(), this.kind.retryPolicy.baseDelayMs), 'the ticket is not stored (yet)', this.now());
        return 'rescheduled';
      }
      return this.retryLater(job, error instanceof Error ? error.message : String(error));
    }
  }

  private async retryLater(job: J, error: string): Promise<'rescheduled' | 'failed'> {
    const { jobs, retryPolicy } = this.kind;
    const now = this.now();
    if (job.attempts >= retryPolicy.maxAttempts) {
      await jobs.fail(job.ticketId, error, now);
      this.log('error', this.kind.gaveUp, { ticketId: job.ticketId, attempts: job.attempts, error });
      return 'failed';
    }
    await jobs.reschedule(job.ticketId, this.at(now, retryDelayMs(job.attempts, retryPolicy, this.settings.random)), error, now);
    return 'rescheduled';
  }

  private now(): string {
    const iso = toIsoUtc(this.clock());
    if (iso === undefined) throw new Error(`the ${this.kind.name} retry clock returned an invalid date`);
    return iso;
  }

  private at(now: string, plusMs: number): string {
    return toIsoUtc(Date.parse(now) + plusMs) ?? now;
  }
}
