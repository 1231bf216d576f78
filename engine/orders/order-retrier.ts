import type { Knex } from 'knex';
import { TICKET_ENRICHED_EVENT } from '../enrichment/enrichment-retrier.js';
import { retryDelayMs } from '../enrichment/retry-policy.js';
import { isTriageError } from '../errors/triage-error.js';
import { toIsoUtc } from '../store/iso-time.js';
import type { TicketService } from '../tickets/ticket-service.js';
import type { OrderEnricher, OrderLog } from './order-enricher.js';
import type { OrderJob, OrderJobStore } from './order-job-store.js';

export interface OrderRetrierOptions {
  db: Knex;
  enricher: OrderEnricher;
  jobs: OrderJobStore;
  tickets: TicketService;
  now?: () => Date;
  random?: () => number;
  pollMs?: number;
  batchSize?: number;
  leaseMs?: number;
  /** A missing ticket younger than this is "not committed yet"; older, the job is dropped (default 10 min). */
  orphanGraceMs?: number;
  log?: OrderLog;
}

export interface OrderRunSummary {
  claimed: number;
  /** Tickets on which `ticket.enriched` was evaluated with the shop's answer (found or not found). */
  enriched: number;
  rescheduled: number;
  failed: number;
  dropped: number;
}

/**
 * Works off `order_jobs` exactly as EnrichmentRetrier works off
 * `enrichment_jobs`: ask the shop again with exponential back-off; once it
 * answers, evaluate `ticket.enriched` with the `order` fact, in the same
 * transaction that deletes the job (never applied twice, never lost).
 */
export class OrderRetrier {
  private readonly clock: () => Date;
  private readonly log: OrderLog;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<OrderRunSummary> | undefined;

  constructor(private readonly options: OrderRetrierOptions) {
    this.clock = options.now ?? (() => new Date());
    this.log = options.log ?? (() => undefined);
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.runDueJobs().catch((error: unknown) => {
        this.log('error', 'order retry run failed', { error: error instanceof Error ? error.message : String(error) });
      });
    }, this.options.pollMs ?? 5000);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Run the jobs due now; a call while a run is in progress joins it. */
  runDueJobs(): Promise<OrderRunSummary> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<OrderRunSummary> {
    const { jobs, enricher } = this.options;
    const summary: OrderRunSummary = { claimed: 0, enriched: 0, rescheduled: 0, failed: 0, dropped: 0 };
    const now = this.now();
    const leaseMs = Math.max(this.options.leaseMs ?? 60_000, enricher.timeoutMs * 2);
    const claimed = await jobs.claimDue(now, this.at(now, leaseMs), this.options.batchSize ?? 20);
    summary.claimed = claimed.length;
    for (const job of claimed) summary[await this.runJob(job)]++;
    return summary;
  }

  private async runJob(job: OrderJob): Promise<'enriched' | 'rescheduled' | 'failed' | 'dropped'> {
    const { jobs, enricher, tickets, db } = this.options;
    const outcome = await enricher.lookup(job.query.number);
    if (outcome.status === 'unavailable') return this.retryLater(job, `${outcome.code}: ${outcome.message}`);
    try {
      const result = await tickets.raiseEvent(job.ticketId, TICKET_ENRICHED_EVENT, {
        orderFacts: enricher.factFor(outcome, job.query.number, this.now(), job.query.sender),
        within: (trx) => jobs.complete(trx, job.ticketId),
      });
      this.log('info', 'late order answer applied', { ticketId: job.ticketId, attempts: job.attempts, firedRules: result.decisions.flatMap((d) => d.firedRules) });
      return 'enriched';
    } catch (error) {
      if (isTriageError(error) && error.code === 'TRIAGE_TICKET_NOT_FOUND') {
        if (Date.parse(this.now()) - Date.parse(job.createdAt) >= (this.options.orphanGraceMs ?? 600_000)) {
          await jobs.complete(db, job.ticketId);
          return 'dropped';
        }
        await jobs.reschedule(job.ticketId, this.at(this.now(), enricher.retryPolicy.baseDelayMs), 'the ticket is not stored (yet)', this.now());
        return 'rescheduled';
      }
      return this.retryLater(job, error instanceof Error ? error.message : String(error));
    }
  }

  private async retryLater(job: OrderJob, error: string): Promise<'rescheduled' | 'failed'> {
    const { jobs, enricher } = this.options;
    const now = this.now();
    if (job.attempts >= enricher.retryPolicy.maxAttempts) {
      await jobs.fail(job.ticketId, error, now);
      this.log('error', 'order lookup gave up; the ticket stays without it', { ticketId: job.ticketId, attempts: job.attempts, error });
      return 'failed';
    }
    await jobs.reschedule(job.ticketId, this.at(now, retryDelayMs(job.attempts, enricher.retryPolicy, this.options.random)), error, now);
    return 'rescheduled';
  }

  private now(): string {
    const iso = toIsoUtc(this.clock());
    if (iso === undefined) throw new Error('the order retry clock returned an invalid date');
    return iso;
  }

  private at(now: string, plusMs: number): string {
    return toIsoUtc(Date.parse(now) + plusMs) ?? now;
  }
}
