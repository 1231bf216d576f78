import type { Knex } from 'knex';
import { isTriageError } from '../errors/triage-error.js';
import { toIsoUtc } from '../store/iso-time.js';
import type { TicketService } from '../tickets/ticket-service.js';
import { factsFor, type CustomerEnricher, type EnrichmentLog } from './customer-enricher.js';
import type { EnrichmentJob, EnrichmentJobStore } from './enrichment-job-store.js';
import { retryDelayMs } from './retry-policy.js';

/** The rule event raised when the CRM answers after the ticket was created without it. */
export const TICKET_ENRICHED_EVENT = 'ticket.enriched';

export interface EnrichmentRetrierOptions {
  db: Knex;
  enricher: CustomerEnricher;
  jobs: EnrichmentJobStore;
  tickets: TicketService;
  now?: () => Date;
  random?: () => number;
  /** How often `start()` looks for due jobs (default 5 s). */
  pollMs?: number;
  /** Jobs claimed per run (default 20). */
  batchSize?: number;
  /** How long a claimed job is reserved for this worker (default 60 s, at least twice the CRM timeout). */
  leaseMs?: number;
  /**
   * A job is written before its ticket's transaction commits; until this much
   * time has passed a missing ticket is "not committed yet", after it "never
   * created" (the transaction failed) or erased, and the job is dropped (default 10 min).
   */
  orphanGraceMs?: number;
  log?: EnrichmentLog;
}

export interface EnrichmentRunSummary {
  claimed: number;
  /** Tickets on which `ticket.enriched` was evaluated (the CRM found them, or said it does not know them). */
  enriched: number;
  rescheduled: number;
  /** Jobs that used up their attempts and were marked failed. */
  failed: number;
  /** Jobs whose ticket does not exist. */
  dropped: number;
}

/**
 * Works off `enrichment_jobs`: asks the CRM again with exponential back-off
 * and, once it answers, evaluates `ticket.enriched` on the ticket with the
 * CRM's customer fact; the decision and the job's removal share one
 * transaction, so a crash never applies it twice or loses it. The rows are in
 * the database, so a restart picks up where the last process stopped.
 */
export class EnrichmentRetrier {
  private readonly options: EnrichmentRetrierOptions;
  private readonly clock: () => Date;
  private readonly log: EnrichmentLog;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<EnrichmentRunSummary> | undefined;

  constructor(options: EnrichmentRetrierOptions) {
    this.options = options;
    this.clock = options.now ?? (() => new Date());
    this.log = options.log ?? (() => undefined);
  }

  /** Poll for due jobs until close(). */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.runDueJobs().catch((error: unknown) => {
        this.log('error', 'enrichment retry run failed', { error: error instanceof Error ? error.message : String(error) });
      });
    }, this.options.pollMs ?? 5000);
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
  runDueJobs(): Promise<EnrichmentRunSummary> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<EnrichmentRunSummary> {
    const { jobs, enricher } = this.options;
    const summary: EnrichmentRunSummary = { claimed: 0, enriched: 0, rescheduled: 0, failed: 0, dropped: 0 };
    const now = this.now();
    const leaseMs = Math.max(this.options.leaseMs ?? 60_000, enricher.timeoutMs * 2);
    const claimed = await jobs.claimDue(now, this.at(now, leaseMs), this.options.batchSize ?? 20);
    summary.claimed = claimed.length;
    for (const job of claimed) summary[await this.runJob(job)]++;
    return summary;
  }

  private async runJob(job: EnrichmentJob): Promise<'enriched' | 'rescheduled' | 'failed' | 'dropped'> {
    const { jobs, enricher, tickets, db } = this.options;
    const outcome = await enricher.lookup(job.lookup);
    if (outcome.status === 'unavailable') return this.retryLater(job, `${outcome.code}: ${outcome.message}`);
    try {
      const result = await tickets.raiseEvent(job.ticketId, TICKET_ENRICHED_EVENT, {
        customerFacts: factsFor(outcome),
        within: (trx) => jobs.complete(trx, job.ticketId),
      });
      this.log('info', 'late CRM answer applied', { ticketId: job.ticketId, attempts: job.attempts, firedRules: result.decisions.flatMap((d) => d.firedRules) });
      return 'enriched';
    } catch (error) {
      if (isTriageError(error) && error.code === 'TRIAGE_TICKET_NOT_FOUND') {
        if (Date.parse(this.now()) - Date.parse(job.createdAt) >= (this.options.orphanGraceMs ?? 600_000)) {
          await jobs.complete(db, job.ticketId);
          return 'dropped';
        }
        // Its transaction may still be running: look again soon, without spending the back-off.
        await jobs.reschedule(job.ticketId, this.at(this.now(), enricher.retryPolicy.baseDelayMs), 'the ticket is not stored (yet)', this.now());
        return 'rescheduled';
      }
      return this.retryLater(job, error instanceof Error ? error.message : String(error));
    }
  }

  private async retryLater(job: EnrichmentJob, error: string): Promise<'rescheduled' | 'failed'> {
    const { jobs, enricher } = this.options;
    const now = this.now();
    if (job.attempts >= enricher.retryPolicy.maxAttempts) {
      await jobs.fail(job.ticketId, error, now);
      this.log('error', 'CRM lookup gave up; the ticket stays unenriched', { ticketId: job.ticketId, attempts: job.attempts, error });
      return 'failed';
    }
    await jobs.reschedule(job.ticketId, this.at(now, retryDelayMs(job.attempts, enricher.retryPolicy, this.options.random)), error, now);
    return 'rescheduled';
  }

  private now(): string {
    const iso = toIsoUtc(this.clock());
    if (iso === undefined) throw new Error('the enrichment clock returned an invalid date');
    return iso;
  }

  private at(now: string, plusMs: number): string {
    return toIsoUtc(Date.parse(now) + plusMs) ?? now;
  }
}
