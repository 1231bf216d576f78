import type { Knex } from 'knex';
import cron, { type ScheduledTask } from 'node-cron';
import { isTriageError } from '../errors/triage-error.js';
import type { PendingFiring, SlaClocks } from '../sla/clocks/sla-clocks.js';
import { claimDueTimers } from '../sla/clocks/sla-timer-store.js';
import { isUniqueViolation } from '../store/is-unique-violation.js';
import { knexRunner } from '../store/sql-runner.js';
import type { TicketService } from '../tickets/ticket-service.js';
import { sweepCronExpression } from './sweep-cron-expression.js';

export interface SlaSweeperOptions {
  db: Knex;
  clocks: Pick<SlaClocks, 'pendingFiring' | 'markFired'>;
  tickets: Pick<TicketService, 'raiseEvent'>;
  /** Injectable clock (tests call sweepOnce(now) instead). */
  now?: () => Date;
  /** Interval of start(); default 15 s (config sla.sweepSeconds). */
  sweepSeconds?: number;
  /** Timers claimed per round; default 100. */
  batchSize?: number;
  /** How long a claim is exclusive to this sweeper; default 60 s. */
  leaseMs?: number;
  /** Facts about the ticket's customer for the raised event (the CRM), loaded outside any transaction. */
  customerFacts?: (ticketId: string) => Promise<Record<string, unknown> | undefined>;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;
}

export interface SweepResult {
  /** Thresholds raised as sla.warning / sla.breached. */
  fired: number;
  /** Claimed timers that were no longer due (met, paused, recomputed) or already fired elsewhere. */
  skipped: number;
  /** Firings that failed; their claim runs out and the next sweeps try again. */
  failed: number;
}

export const SLA_SWEEPER_DEFAULTS = { sweepSeconds: 15, batchSize: 100, leaseMs: 60_000 } as const;
/** Rounds per sweep: a timer several thresholds behind (after downtime) fires one threshold per round. */
const MAX_ROUNDS = 50;

/**
 * Turns due SLA timers into sla.warning / sla.breached events (docs/sla.md).
 * Each sweep claims due rows through the next_fire_at index (PostgreSQL:
 * FOR UPDATE SKIP LOCKED, so instances take disjoint rows) and raises each
 * through TicketService.raiseEvent: under the ticket's lock it checks the
 * threshold is still due, evaluates the rules with `sla.event`, and records
 * the threshold in sla_events in the same transaction as the decision. The
 * sla_events key makes each threshold fire exactly once, across restarts and
 * instances; a crash before the commit leaves it due for the next sweep.
 */
export class SlaSweeper {
  private readonly db: Knex;
  private readonly clocks: SlaSweeperOptions['clocks'];
  private readonly tickets: SlaSweeperOptions['tickets'];
  private readonly clock: () => Date;
  private readonly sweepSeconds: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly customerFacts: SlaSweeperOptions['customerFacts'];
  private readonly log: NonNullable<SlaSweeperOptions['log']>;
  private task: ScheduledTask | undefined;
  private running: Promise<unknown> | undefined;
  private lastSweep = 0;

  constructor(options: SlaSweeperOptions) {
    this.db = options.db;
    this.clocks = options.clocks;
    this.tickets = options.tickets;
    this.clock = options.now ?? (() => new Date());
    this.sweepSeconds = options.sweepSeconds ?? SLA_SWEEPER_DEFAULTS.sweepSeconds;
    this.batchSize = options.batchSize ?? SLA_SWEEPER_DEFAULTS.batchSize;
    this.leaseMs = options.leaseMs ?? SLA_SWEEPER_DEFAULTS.leaseMs;
    this.customerFacts = options.customerFacts;
    this.log = options.log ?? (() => undefined);
    if (!(this.batchSize >= 1) || !(this.leaseMs >= 1000)) throw new RangeError('the SLA sweeper needs batchSize ≥ 1 and leaseMs ≥ 1000');
    sweepCronExpression(this.sweepSeconds);
  }

  /** One sweep at `now`: every timer due by then, each due threshold once, oldest first. */
  async sweepOnce(now: Date = this.clock()): Promise<SweepResult> {
    const at = now.toISOString();
    const result: SweepResult = { fired: 0, skipped: 0, failed: 0 };
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const due = await claimDueTimers(this.db, { now: at, limit: this.batchSize, leaseMs: this.leaseMs });
      // Sequential: SQLite has one writer, and on PostgreSQL other instances share the load.
      for (const timer of due) result[await this.fire(timer.id, timer.ticketId, at)] += 1;
      if (due.length === 0) break;
    }
    return result;
  }

  /** Sweep every sweepSeconds (node-cron) until stop(); a sweep never overlaps the previous one. */
  start(): void {
    if (this.task !== undefined) return;
    const { expression, gated } = sweepCronExpression(this.sweepSeconds);
    this.task = cron.schedule(
      expression,
      () => {
        const now = this.clock();
        if (this.running !== undefined || (gated && now.getTime() - this.lastSweep < this.sweepSeconds * 1000)) return;
        this.lastSweep = now.getTime();
        const sweep = this.sweepOnce(now)
          .then((r) => {
            if (r.fired + r.failed > 0) this.log(r.failed > 0 ? 'warn' : 'debug', 'SLA sweep', { ...r });
          })
          .catch((error: unknown) => this.log('error', 'SLA sweep failed; it runs again at the next interval', { error: error instanceof Error ? error.message : String(error) }))
          .finally(() => {
            this.running = undefined;
          });
        this.running = sweep;
      },
      { name: 'triage-sla-sweep', noOverlap: true },
    );
  }

  /** Stop the schedule and wait for a sweep in progress (its firings commit or roll back whole). */
  async stop(): Promise<void> {
    const task = this.task;
    this.task = undefined;
    if (task !== undefined) await task.destroy();
    await this.running;
  }

  private async fire(timerId: string, ticketId: string, now: string): Promise<keyof SweepResult> {
    try {
      const firing = await this.clocks.pendingFiring(knexRunner(this.db), timerId, now);
      if (firing === undefined) return 'skipped';
      const customerFacts = this.customerFacts === undefined ? undefined : await this.customerFacts(ticketId);
      let raised = false;
      await this.tickets.raiseEvent(ticketId, firing.event, {
        slaEvent: firing.fact,
        ...(customerFacts === undefined ? {} : { customerFacts }),
        // Under the ticket's lock: a reply or a pause since the claim cancels the firing.
        guard: async (trx) => {
          raised = sameFiring(await this.clocks.pendingFiring(knexRunner(trx), timerId, now), firing);
          return raised;
        },
        within: (trx) => this.clocks.markFired(knexRunner(trx), firing, now),
      });
      return raised ? 'fired' : 'skipped';
    } catch (error) {
      // Another sweeper recorded this threshold first: its decision stands, ours was rolled back.
      if (isUniqueViolation(error)) return 'skipped';
      if (isTriageError(error) && error.code === 'TRIAGE_TICKET_NOT_FOUND') return 'skipped';
      this.log('error', 'SLA firing failed; it is retried when its claim runs out', { timerId, ticketId, error: error instanceof Error ? error.message : String(error) });
      return 'failed';
    }
  }
}

function sameFiring(a: PendingFiring | undefined, b: PendingFiring): boolean {
  return a !== undefined && a.threshold === b.threshold && a.event === b.event && a.fact.reachedAt === b.fact.reachedAt;
}
