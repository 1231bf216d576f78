import type { Knex } from 'knex';
import type { RuleSchedule, TicketSelector } from '../../rules/lib/rule-schedules.js';
import { previousTick } from '../../rules/lib/rule-schedules.js';
import type { RuleSet } from '../../rules/lib/rule-set.js';
import { isTriageError, TriageError } from '../errors/triage-error.js';
import { isUniqueViolation } from '../store/is-unique-violation.js';
import { toIsoUtc } from '../store/iso-time.js';
import type { TicketService } from '../tickets/ticket-service.js';
import { ScheduledEventStore, type ScheduledEvent } from './scheduled-event-store.js';

export type AutomationLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

export interface AutomationSweeperOptions {
  db: Knex;
  /** Raises the events; its transaction also marks the row done (exactly once). */
  tickets: Pick<TicketService, 'raiseEvent'>;
  /** The active rule set (hot reload: read at every sweep) for its `schedules:` and rules. */
  ruleSet: () => RuleSet;
  now?: () => Date;
  /** How often start() sweeps (default 15 s). */
  intervalMs?: number;
  /** Follow-ups claimed, and tickets selected per schedule tick, per batch (default 100). */
  batchSize?: number;
  /** Batches of one schedule tick per sweep; the rest continues at the next sweep (default 10). */
  maxTickBatches?: number;
  /** How long a claim is reserved for this sweeper (default 60 s). */
  leaseMs?: number;
  /** Attempts before a follow-up whose rules keep failing is marked dead (default 5). */
  maxAttempts?: number;
  /** A cron tick missed (server down) longer ago than this is skipped, not caught up (default 24 h). */
  catchUpMs?: number;
  log?: AutomationLog;
}

export interface SweepSummary {
  /** Follow-ups raised now. */
  raised: number;
  /** Claimed but already raised by another sweeper (rolled back). */
  duplicates: number;
  /** Failed attempts (retried after the lease, dead after maxAttempts). */
  failed: number;
  /** Rows whose ticket no longer exists (marked dead). */
  dropped: number;
  /** Schedule ticks worked on, and tickets they raised an event on. */
  ticks: number;
  tickTickets: number;
}

const DEFAULT_ACTIVE_STATUSES = ['new', 'open', 'pending', 'solved'];

/** Thrown inside raiseEvent's transaction to roll the decision back when someone else already raised it. */
class AlreadyRaised extends Error {}

/**
 * The scheduler of R17: turns due `scheduled_events` rows (followUp) and the
 * ticks of the rule set's cron `schedules:` into `schedule.<name>` events,
 * which go through the rule set like any other event. Stored rows, never
 * timers; `sweepOnce(now)` is the whole job (the interval only calls it), so
 * tests drive it with any clock.
 *
 * Exactly once: a follow-up is marked done, and a (tick, ticket) pair
 * recorded, inside the transaction that applies the event's decision; a
 * second sweeper (another instance, or a retry after a crash) finds it done
 * and rolls its own attempt back.
 */
export class AutomationSweeper {
  private readonly options: AutomationSweeperOptions;
  private readonly store: ScheduledEventStore;
  private readonly clock: () => Date;
  private readonly log: AutomationLog;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepSummary> | undefined;

  constructor(options: AutomationSweeperOptions) {
    this.options = options;
    this.store = new ScheduledEventStore(options.db);
    this.clock = options.now ?? (() => new Date());
    this.log = options.log ?? (() => undefined);
  }

  /** Sweep every intervalMs until close(). */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.sweepOnce().catch((error: unknown) => {
        this.log('error', 'automation sweep failed; it runs again at the next interval', { error: error instanceof Error ? error.message : String(error) });
      });
    }, this.options.intervalMs ?? 15_000);
    // Background work must not keep a CLI or test process alive.
    this.timer.unref();
  }

  /** Stop sweeping and wait for a sweep in progress. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One sweep at `now` (default: the clock). A call while a sweep runs joins it. */
  sweepOnce(now?: Date): Promise<SweepSummary> {
    this.running ??= this.sweep(now ?? this.clock()).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweep(at: Date): Promise<SweepSummary> {
    const summary: SweepSummary = { raised: 0, duplicates: 0, failed: 0, dropped: 0, ticks: 0, tickTickets: 0 };
    const now = iso(at);
    const batch = this.options.batchSize ?? 100;
    // Follow-ups first, batch by batch, until none is due.
    for (;;) {
      const claimed = await this.store.claimDue(now, iso(at.getTime() + this.leaseMs()), batch);
      for (const row of claimed) summary[await this.raiseFollowUp(row, now)]++;
      if (claimed.length < batch) break;
    }
    const ruleSet = this.options.ruleSet();
    for (const schedule of ruleSet.schedules) {
      const raised = await this.runTick(schedule, ruleSet, at);
      if (raised !== undefined) {
        summary.ticks++;
        summary.tickTickets += raised;
      }
    }
    return summary;
  }

  private async raiseFollowUp(row: ScheduledEvent, now: string): Promise<'raised' | 'duplicates' | 'failed' | 'dropped'> {
    try {
      await this.options.tickets.raiseEvent(row.ticketId, row.event, {
        within: async (trx) => {
          if (!(await this.store.markDone(trx, row.id, now))) throw new AlreadyRaised();
        },
      });
      return 'raised';
    } catch (error) {
      if (error instanceof AlreadyRaised) return 'duplicates';
      if (isTriageError(error) && error.code === 'TRIAGE_TICKET_NOT_FOUND') {
        await this.store.recordFailure(row.id, new TriageError('TRIAGE_SCHEDULE_TICKET_GONE', [row.ticketId, row.event]).message, true, now);
        return 'dropped';
      }
      const message = new TriageError('TRIAGE_SCHEDULE_RAISE_FAILED', [row.event, row.ticketId, error instanceof Error ? error.message : String(error)]).message;
      const dead = row.attempts >= (this.options.maxAttempts ?? 5);
      await this.store.recordFailure(row.id, message, dead, now);
      this.log(dead ? 'error' : 'warn', dead ? 'scheduled event gave up' : 'scheduled event failed; retried after the lease', { id: row.id, ticketId: row.ticketId, event: row.event, attempts: row.attempts, error: message });
      return 'failed';
    }
  }

  /**
   * Work on the schedule's latest tick at or before `at`, if it is not done:
   * claim it (the row's primary key is the tick's identity), raise the event on
   * the next batches of selected tickets in id order, and record the cursor so
   * another sweep (or instance, after the lease) continues where this stopped.
   * Returns the tickets raised on, or undefined when there was nothing to do.
   */
  private async runTick(schedule: RuleSchedule, ruleSet: RuleSet, at: Date): Promise<number | undefined> {
    const { db } = this.options;
    const tickAt = previousTick(schedule, at);
    if (at.getTime() - tickAt.getTime() > (this.options.catchUpMs ?? 86_400_000)) return undefined;
    const tick = iso(tickAt);
    const now = iso(at);
    const claim = await this.claimTick(schedule.name, tick, now, iso(at.getTime() + this.leaseMs()));
    if (claim === undefined) return undefined;
    const event = `schedule.${schedule.name}`;
    const batch = this.options.batchSize ?? 100;
    let cursor = claim.cursor;
    let raised = 0;
    // No rule listens (yet): the tick is done without touching a ticket.
    let finished = ruleSet.rulesFor(event).length === 0;
    for (let round = 0; !finished && round < (this.options.maxTickBatches ?? 10); round++) {
      const ids = await selectTickets(db, schedule.tickets, cursor, batch);
      const before = raised;
      for (const id of ids) {
        try {
          await this.options.tickets.raiseEvent(id, event, {
            within: async (trx) => {
              await trx('schedule_tick_tickets').insert({ schedule: schedule.name, tick_at: tick, ticket_id: id });
            },
          });
          raised++;
        } catch (error) {
          // Raised by this tick already (a crash before the cursor moved), or erased since selected: skip it.
          if (isUniqueViolation(error) || (isTriageError(error) && error.code === 'TRIAGE_TICKET_NOT_FOUND')) continue;
          this.log('warn', 'schedule event failed on a ticket; the tick goes on', { schedule: schedule.name, tick, ticketId: id, error: error instanceof Error ? error.message : String(error) });
        }
      }
      cursor = ids.at(-1) ?? cursor;
      finished = ids.length < batch;
      await db('schedule_ticks')
        .where({ schedule: schedule.name, tick_at: tick })
        .update({ cursor, raised: db.raw('raised + ?', [raised - before]), lease_until: iso(at.getTime() + this.leaseMs()) });
    }
    // Unfinished: release the lease, so the next sweep of any instance continues at the cursor.
    await db('schedule_ticks')
      .where({ schedule: schedule.name, tick_at: tick })
      .update(finished ? { status: 'done', finished_at: now, lease_until: null } : { lease_until: now });
    if (raised > 0 || finished) this.log('info', 'schedule tick', { schedule: schedule.name, tick, raised, finished });
    return raised;
  }

  /** The tick's row, claimed for this sweep; undefined when it is done or another sweeper holds it. */
  private async claimTick(name: string, tick: string, now: string, leaseUntil: string): Promise<{ cursor: string | null } | undefined> {
    const { db } = this.options;
    try {
      await db('schedule_ticks').insert({ schedule: name, tick_at: tick, status: 'running', cursor: null, raised: 0, lease_until: leaseUntil, started_at: now, finished_at: null });
      return { cursor: null };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const row = (await db('schedule_ticks').where({ schedule: name, tick_at: tick }).first()) as { status: string; cursor: string | null; lease_until: string | null } | undefined;
    if (row === undefined || row.status === 'done') return undefined;
    if (row.lease_until !== null && row.lease_until > now) return undefined;
    // Compare-and-set on the old lease: of two sweepers taking over, one wins.
    const q = db('schedule_ticks').where({ schedule: name, tick_at: tick, status: 'running' });
    void (row.lease_until === null ? q.whereNull('lease_until') : q.where({ lease_until: row.lease_until }));
    const n = await q.update({ lease_until: leaseUntil });
    return Number(n) === 1 ? { cursor: row.cursor } : undefined;
  }

  private leaseMs(): number {
    return this.options.leaseMs ?? 60_000;
  }
}

/** Ids of the selected tickets after `cursor`, in id order. */
async function selectTickets(db: Knex, selector: TicketSelector, cursor: string | null, limit: number): Promise<string[]> {
  const q = db('tickets').select('id').orderBy('id').limit(limit);
  void q.whereIn('status', selector.status ?? DEFAULT_ACTIVE_STATUSES);
  for (const key of ['category', 'priority', 'team', 'queue', 'channel'] as const) {
    const values = selector[key];
    if (values !== undefined) void q.whereIn(key, values);
  }
  if (selector.tags !== undefined) {
    const tags = selector.tags;
    void q.whereExists((sub) => void sub.select(db.raw('1')).from('ticket_tags').whereRaw('ticket_tags.ticket_id = tickets.id').whereIn('tag', tags));
  }
  if (cursor !== null) void q.where('id', '>', cursor);
  return ((await q) as { id: string }[]).map((r) => r.id);
}

function iso(at: Date | number): string {
  const value = toIsoUtc(at);
  if (value === undefined) throw new Error('the automation clock returned an invalid date');
  return value;
}
