import type { SqlRunner } from '../../store/sql-runner.js';
import { timeOrderedUuid } from '../../store/time-ordered-uuid.js';
import type { Message } from '../../tickets/message.js';
import type { Ticket } from '../../tickets/ticket.js';
import { contractLevel } from './contract-level.js';
import { calendarName, effectiveThresholds, type ClockInterval, type ClockMath, type ClockPolicy, type ClockTarget, type SlaMetric } from './sla-clock-policy.js';
import { slaFact, type SlaEventFact } from './sla-fact.js';
import { isActive, type SlaTimer } from './sla-timer.js';
import { insertTimers, loadTicketTimers, loadTimer, recordFiring, updateTimer } from './sla-timer-store.js';

export interface SlaClocksOptions {
  /** The current policy (a getter, so a reload applies from the next change on). */
  policy: () => ClockPolicy;
  /** engine/sla/calendar/compute-due.ts. */
  math: ClockMath;
  /** Whether any rule of `event` reads the `sla` fact; false spares the read. Default: always. */
  readsSla?: (event: string) => boolean;
  /**
   * A due time that cannot be computed (a calendar without open time): the
   * clock keeps running without alerts rather than failing the ticket's write.
   */
  onError?: (error: unknown, timer: { ticketId: string; metric: SlaMetric }) => void;
}

/** What the ticket service hands over before a decision. */
export interface SlaFactRequest {
  sql: SqlRunner;
  ticket: Ticket;
  customer: Record<string, unknown> | undefined;
  event: string;
  now: string;
  /** For sla.warning / sla.breached raised by the sweeper: which threshold fired. */
  slaEvent?: SlaEventFact | undefined;
  /** True on ticket.created: no timer row exists yet. */
  creating?: boolean;
}

/** What the ticket service hands over after every write to a ticket (decision applied, message added). */
export interface SlaSyncRequest {
  sql: SqlRunner;
  ticket: Ticket;
  customer: Record<string, unknown> | undefined;
  /** The message the change added, if any. */
  message: Message | undefined;
  now: string;
  /** True for a ticket being created: it has no timer rows yet (spares the read on the hot path). */
  creating?: boolean;
}

/** A sla fact, or one computed from the ticket as the rules leave it (ticket.created decides the priority). */
export type SlaFactSource = Record<string, unknown> | ((ticket: Record<string, unknown>) => Record<string, unknown> | undefined);

/** The part of SlaClocks the ticket service calls (engine/tickets/ticket-service.ts, option `sla`). */
export interface TicketSlaHooks {
  fact(request: SlaFactRequest): Promise<SlaFactSource | undefined>;
  sync(request: SlaSyncRequest): Promise<void>;
}

/** A threshold the sweeper is about to raise. */
export interface PendingFiring {
  timerId: string;
  ticketId: string;
  event: 'sla.warning' | 'sla.breached';
  threshold: number;
  fact: SlaEventFact;
}

/** SlaClocks.fresh: tickets whose clocks were computed for their `sla` fact and not written yet. */
const FRESH_LIMIT = 1024;

interface FreshClocks {
  priority: string | null;
  contract: string | null;
  now: string;
  createdAt: string;
  policy: ClockPolicy;
  timers: SlaTimer[];
}

const FIRST: SlaMetric = 'firstResponse';
const DUE_MEMO_LIMIT = 512;
const NEXT: SlaMetric = 'nextResponse';
const RESOLUTION: SlaMetric = 'resolution';

/**
 * SLA clocks on tickets (docs/sla.md, "Clocks on tickets"). Stateless over
 * the sla_timers rows: after every write to a ticket, `sync` brings the
 * ticket's clocks in line with the ticket as it now is, in the same
 * transaction. State-based rather than event-based, so every path that
 * changes a ticket (an agent, a rule, a late CRM answer, the lifecycle) is
 * covered by one function, and running it twice changes nothing.
 *
 * - Start: at the ticket's arrival (createdAt), with its priority and the
 *   customer's contract level; nextResponse at a customer message once the
 *   first response was given.
 * - Met: firstResponse and nextResponse by the first public outbound message
 *   that is not automatic (the acknowledgement is data.automatic); resolution
 *   by Solved. Solved or Closed cancels response clocks still running.
 * - Pending pauses every running clock; leaving it resumes and recomputes.
 * - A priority or contract change recomputes targets from the clock's start;
 *   thresholds already fired stay fired, breached_at is never cleared.
 */
export class SlaClocks implements TicketSlaHooks {
  private readonly policy: () => ClockPolicy;
  private readonly math: ClockMath;
  private readonly readsSla: (event: string) => boolean;
  private readonly onError: SlaClocksOptions['onError'];
  /**
   * Due instants of clocks without pauses, per calendar object, by start and
   * target. A new ticket asks for the same instants up to three times (the
   * `sla` fact before and after its rules decide, then the rows written), and
   * a burst of tickets shares arrival instants and targets; the calendar walk
   * is the costliest part of a new ticket. Keyed by the calendar object, so a
   * reloaded policy (new objects) starts a fresh memo.
   */
  private readonly dueMemo = new WeakMap<object, Map<string, string>>();
  /**
   * The clocks the `sla` fact of a ticket being created was last computed
   * with, by ticket id, until `sync` writes them: the same clocks, so the
   * ticket's rows are not computed a second time. An entry whose ticket never
   * got to `sync` (its write failed) is dropped when the map is emptied at
   * FRESH_LIMIT entries.
   */
  private readonly fresh = new Map<string, FreshClocks>();

  constructor(options: SlaClocksOptions) {
    this.onError = options.onError;
    this.policy = options.policy;
    this.math = options.math;
    this.readsSla = options.readsSla ?? (() => true);
  }

  /** The `sla` fact for one evaluation; undefined when no rule of the event reads it. */
  async fact(request: SlaFactRequest): Promise<SlaFactSource | undefined> {
    if (!this.readsSla(request.event)) return undefined;
    const now = request.now;
    if (request.creating === true) {
      // No rows yet: the clocks the ticket will get, computed from the ticket the rules produce.
      const contract = contractLevel(request.customer) ?? null;
      const base = request.ticket;
      return (ticketFact) => {
        const priority = typeof ticketFact.priority === 'string' ? ticketFact.priority : null;
        const timers = this.newTimers({ ...base, priority }, contract, now, [FIRST, RESOLUTION]);
        if (this.fresh.size >= FRESH_LIMIT) this.fresh.clear();
        this.fresh.set(base.id, { priority, contract, now, createdAt: base.createdAt, policy: this.policy(), timers });
        return this.factOf(timers, now, request.slaEvent);
      };
    }
    const timers = await loadTicketTimers(request.sql, request.ticket.id);
    return this.factOf(timers, now, request.slaEvent);
  }

  /** Bring the ticket's clocks in line with the ticket; same transaction as the change. */
  async sync(request: SlaSyncRequest): Promise<void> {
    const { sql, ticket, message, now } = request;
    const known = contractLevel(request.customer);
    const timers = request.creating === true ? [] : await loadTicketTimers(sql, ticket.id);
    // Without CRM facts in this change, the contract is the one the clocks already use.
    const contract = known !== undefined ? known : (timers.find(isActive) ?? timers[timers.length - 1])?.contract ?? null;
    const changed = new Set<SlaTimer>();
    const created: SlaTimer[] = [];
    const terminal = ticket.status === 'solved' || ticket.status === 'closed';
    const active = (metric: SlaMetric): SlaTimer | undefined => timers.find((t) => t.metric === metric && isActive(t));

    // Met by a human (or rule) reply: the ticket service stamps firstResponseAt for exactly those messages.
    const reply = message !== undefined && message.direction === 'outbound' && message.kind === 'public' && message.data.automatic !== true ? message.createdAt : undefined;
    const firstResponseAt = ticket.firstResponseAt ?? reply;
    const first = active(FIRST);
    if (first !== undefined && firstResponseAt !== undefined) changed.add(meet(first, firstResponseAt, now));
    const next = active(NEXT);
    if (next !== undefined && reply !== undefined) changed.add(meet(next, reply, now));
    const resolution = active(RESOLUTION);
    if (resolution !== undefined && terminal) changed.add(meet(resolution, ticket.solvedAt ?? ticket.closedAt ?? now, now));
    if (terminal) for (const t of timers) if (isActive(t)) changed.add(cancel(t, now));

    if (!terminal) {
      // Clocks the ticket lacks: at creation, or once a priority/contract gives it a target.
      const missing: SlaMetric[] = [];
      if (ticket.firstResponseAt === null && !timers.some((t) => t.metric === FIRST)) missing.push(FIRST);
      if (!timers.some((t) => t.metric === RESOLUTION)) missing.push(RESOLUTION);
      if (missing.length > 0) created.push(...(this.takeFresh(ticket, contract, now, missing) ?? this.newTimers(ticket, contract, now, missing)));
      // A customer message after the first response starts the next-response clock (unless one runs).
      if (message?.direction === 'inbound' && ticket.firstResponseAt !== null && active(NEXT) === undefined) {
        created.push(...this.newTimers({ ...ticket, createdAt: message.createdAt }, contract, now, [NEXT]));
      }
    }

    for (const timer of timers) {
      if (!isActive(timer)) continue;
      if (timer.priority !== ticket.priority || timer.contract !== contract) {
        const target = this.targetFor(ticket.priority, contract, timer.metric);
        if (target === undefined) {
          changed.add(cancel(timer, now));
          continue;
        }
        this.retarget(timer, ticket.priority, contract, target, now);
        changed.add(timer);
      }
    }
    for (const timer of [...timers, ...created]) {
      if (ticket.status === 'pending' && timer.status === 'running') {
        timer.status = 'paused';
        timer.pausedAt = now;
        timer.dueAt = null;
        timer.nextFireAt = null;
        timer.updatedAt = now;
        changed.add(timer);
      } else if (ticket.status !== 'pending' && timer.status === 'paused') {
        if (timer.pausedAt !== null && timer.pausedAt < now) timer.pauses.push([timer.pausedAt, now]);
        timer.pausedAt = null;
        timer.status = 'running';
        this.schedule(timer, now);
        changed.add(timer);
      }
    }
    if (created.length > 0) await insertTimers(sql, created);
    for (const timer of changed) if (!created.includes(timer)) await updateTimer(sql, timer);
  }

  /**
   * The sweeper's view of a claimed timer, read under the ticket's lock:
   * what to raise, or undefined when the timer is no longer due (met,
   * paused, recomputed) since it was claimed.
   */
  async pendingFiring(sql: SqlRunner, timerId: string, now: string): Promise<PendingFiring | undefined> {
    const timer = await loadTimer(sql, timerId);
    if (timer === undefined || timer.status !== 'running' || timer.nextFireAt === null || timer.nextFireAt > now) return undefined;
    const threshold = timer.thresholds[timer.nextThreshold];
    if (threshold === undefined) return undefined;
    return {
      timerId,
      ticketId: timer.ticketId,
      event: threshold >= 100 ? 'sla.breached' : 'sla.warning',
      threshold,
      fact: {
        metric: timer.metric,
        threshold,
        percent: threshold,
        reachedAt: timer.nextFireAt,
        dueAt: timer.dueAt,
        startedAt: timer.startedAt,
        targetMinutes: timer.targetMs / 60_000,
        elapsedMinutes: Math.round((timer.targetMs * threshold) / 100 / 60_000),
      },
    };
  }

  /**
   * Mark a threshold fired, in the transaction of the decision it raised:
   * the sla_events row (its key makes it once only), the next threshold's
   * instant, and breached_at at the first threshold of 100% or more.
   */
  async markFired(sql: SqlRunner, firing: PendingFiring, now: string): Promise<void> {
    await recordFiring(sql, { timerId: firing.timerId, threshold: firing.threshold, ticketId: firing.ticketId, event: firing.event, dueAt: firing.fact.reachedAt, firedAt: now });
    // Re-read: the decision of this very event may have changed the ticket (and so the timer).
    const timer = await loadTimer(sql, firing.timerId);
    if (timer === undefined) return;
    timer.nextThreshold = nextIndex(timer.thresholds, firing.threshold);
    if (firing.threshold >= 100 && timer.breachedAt === null) timer.breachedAt = firing.fact.reachedAt;
    timer.updatedAt = now;
    this.schedule(timer, now);
    await updateTimer(sql, timer);
  }

  private newTimers(ticket: Pick<Ticket, 'id' | 'priority' | 'createdAt' | 'status'>, contract: string | null, now: string, metrics: readonly SlaMetric[]): SlaTimer[] {
    const out: SlaTimer[] = [];
    const thresholds = effectiveThresholds(this.policy().thresholds);
    for (const metric of metrics) {
      const target = this.targetFor(ticket.priority, contract, metric);
      if (target === undefined) continue;
      const timer: SlaTimer = {
        id: timeOrderedUuid(Date.parse(now)),
        ticketId: ticket.id,
        metric,
        priority: ticket.priority,
        contract,
        calendar: calendarName(target.calendar),
        startedAt: ticket.createdAt,
        targetMs: target.targetMs,
        pauses: [],
        pausedAt: null,
        dueAt: null,
        thresholds,
        nextThreshold: 0,
        nextFireAt: null,
        metAt: null,
        breachedAt: null,
        status: 'running',
        createdAt: now,
        updatedAt: now,
      };
      this.schedule(timer, now, target);
      out.push(timer);
    }
    return out;
  }

  /**
   * The clocks computed for the `sla` fact of this ticket, if they are the
   * ones newTimers would make now: same priority, contract, start, instant
   * and policy, both metrics missing. Taken once.
   */
  private takeFresh(ticket: Pick<Ticket, 'id' | 'priority' | 'createdAt'>, contract: string | null, now: string, missing: readonly SlaMetric[]): SlaTimer[] | undefined {
    const fresh = this.fresh.get(ticket.id);
    if (fresh === undefined) return undefined;
    this.fresh.delete(ticket.id);
    const same =
      fresh.priority === ticket.priority &&
      fresh.contract === contract &&
      fresh.now === now &&
      fresh.createdAt === ticket.createdAt &&
      fresh.policy === this.policy() &&
      missing.length === 2 &&
      missing[0] === FIRST &&
      missing[1] === RESOLUTION;
    return same ? fresh.timers : undefined;
  }

  private targetFor(priority: string | null, contract: string | null, metric: SlaMetric): ClockTarget | undefined {
    return this.policy().targetsFor({ priority, contract }).find((t) => t.metric === metric);
  }

  /** New target from the clock's own start; thresholds already fired stay fired (never fire again). */
  private retarget(timer: SlaTimer, priority: string | null, contract: string | null, target: ClockTarget, now: string): void {
    const lastFired = timer.nextThreshold > 0 ? timer.thresholds[timer.nextThreshold - 1] : undefined;
    timer.priority = priority;
    timer.contract = contract;
    timer.calendar = calendarName(target.calendar);
    timer.targetMs = target.targetMs;
    timer.thresholds = effectiveThresholds(this.policy().thresholds);
    timer.nextThreshold = lastFired === undefined ? 0 : nextIndex(timer.thresholds, lastFired);
    timer.updatedAt = now;
    this.schedule(timer, now, target);
  }

  /**
   * due_at and next_fire_at from the start, the target and the pauses. A
   * threshold whose instant is already past gets that instant: the next
   * sweep fires it (late, never back-dated into the record: fired_at says when).
   */
  private schedule(timer: SlaTimer, now: string, known?: ClockTarget): void {
    timer.updatedAt = now;
    if (timer.status !== 'running') {
      timer.nextFireAt = null;
      return;
    }
    const target = known ?? this.targetFor(timer.priority, timer.contract, timer.metric);
    if (target === undefined) {
      // The policy no longer has this target (changed file): keep the clock, stop alerting on it.
      timer.nextFireAt = null;
      return;
    }
    const pauses = intervals(timer.pauses);
    try {
      timer.dueAt = this.due(target.calendar, timer.startedAt, timer.targetMs, pauses);
      const threshold = timer.thresholds[timer.nextThreshold];
      timer.nextFireAt = threshold === undefined ? null : this.due(target.calendar, timer.startedAt, (timer.targetMs * threshold) / 100, pauses);
    } catch (error) {
      timer.dueAt = null;
      timer.nextFireAt = null;
      this.onError?.(error, { ticketId: timer.ticketId, metric: timer.metric });
    }
  }

  private due(calendar: unknown, startedAt: string, targetMs: number, pauses: readonly ClockInterval[]): string {
    if (pauses.length > 0 || typeof calendar !== 'object' || calendar === null) {
      return this.math.computeDue(calendar, new Date(startedAt), targetMs, pauses).toISOString();
    }
    let memo = this.dueMemo.get(calendar);
    if (memo === undefined) {
      memo = new Map();
      this.dueMemo.set(calendar, memo);
    }
    const key = `${startedAt}|${targetMs}`;
    let due = memo.get(key);
    if (due === undefined) {
      due = this.math.computeDue(calendar, new Date(startedAt), targetMs).toISOString();
      // Bounded: arrival instants only repeat within a burst.
      if (memo.size >= DUE_MEMO_LIMIT) memo.clear();
      memo.set(key, due);
    }
    return due;
  }

  private factOf(timers: readonly SlaTimer[], now: string, event: SlaEventFact | undefined): Record<string, unknown> {
    return slaFact(timers, now, event, (timer, to) => {
      const target = this.targetFor(timer.priority, timer.contract, timer.metric);
      if (target === undefined) return undefined;
      const pauses = intervals(timer.pauses);
      if (timer.pausedAt !== null && timer.pausedAt < to) pauses.push({ start: new Date(timer.pausedAt), end: new Date(to) });
      if (to <= timer.startedAt) return 0;
      return this.math.openTimeBetween(target.calendar, new Date(timer.startedAt), new Date(to), pauses);
    });
  }
}

function meet(timer: SlaTimer, at: string, now: string): SlaTimer {
  timer.status = 'met';
  timer.metAt = at;
  timer.nextFireAt = null;
  if (timer.pausedAt !== null) {
    timer.pauses.push([timer.pausedAt, at > timer.pausedAt ? at : timer.pausedAt]);
    timer.pausedAt = null;
  }
  timer.updatedAt = now;
  return timer;
}

function cancel(timer: SlaTimer, now: string): SlaTimer {
  timer.status = 'cancelled';
  timer.nextFireAt = null;
  timer.updatedAt = now;
  return timer;
}

/** The index of the first threshold above `fired` (thresholds.length when none is). */
function nextIndex(thresholds: readonly number[], fired: number): number {
  const i = thresholds.findIndex((t) => t > fired);
  return i < 0 ? thresholds.length : i;
}

function intervals(pauses: ReadonlyArray<[string, string]>): ClockInterval[] {
  return pauses.map(([start, end]) => ({ start: new Date(start), end: new Date(end) }));
}
