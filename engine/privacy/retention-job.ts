import type { Knex } from 'knex';
import { runRetention, type RetentionResult } from './run-retention.js';

export interface RetentionJobOptions {
  db: Knex;
  /** privacy.retention.closedTicketDays */
  closedTicketDays: number;
  /** privacy.retention.intervalMinutes */
  intervalMinutes: number;
  log: { info(data: object, message: string): void; error(data: object, message: string): void };
  /** Delay before the first run (default: one minute, or the interval if shorter): start-up stays quick. */
  firstRunDelayMs?: number;
}

export interface RetentionJob {
  /** Run now (waits for a run already in progress instead of starting a second one). */
  runNow(): Promise<RetentionResult | undefined>;
  /** Stop the timer and wait for a run in progress; call before closing the database. */
  stop(): Promise<void>;
}

const MINUTE_MS = 60_000;

/**
 * The server's periodic retention (privacy.retention): every intervalMinutes,
 * delete tickets closed more than closedTicketDays ago. A timer, not a stored
 * schedule: a missed run costs nothing, the next one catches up. Runs never
 * overlap in a process, and on PostgreSQL the advisory lock in runRetention
 * keeps other instances out. A failed run is logged and retried at the next
 * tick; runs that deleted nothing are not recorded in retention_runs.
 */
export function startRetentionJob(options: RetentionJobOptions): RetentionJob {
  const intervalMs = options.intervalMinutes * MINUTE_MS;
  let running: Promise<RetentionResult | undefined> | undefined;
  let stopped = false;

  const run = (): Promise<RetentionResult | undefined> => {
    if (running !== undefined) return running;
    running = (async () => {
      try {
        const result = await runRetention(options.db, { closedOlderThanDays: options.closedTicketDays, actor: 'schedule', recordEmptyRun: false });
        if (result.status === 'done' && result.counts.tickets > 0) options.log.info({ retention: result }, `retention deleted ${result.counts.tickets} closed ticket(s)`);
        return result;
      } catch (error) {
        options.log.error({ err: error }, 'retention run failed; retrying at the next interval');
        return undefined;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  // unref: a pending retention run never keeps the process alive.
  const first = setTimeout(() => {
    if (!stopped) void run();
  }, options.firstRunDelayMs ?? Math.min(MINUTE_MS, intervalMs));
  first.unref();
  const timer = setInterval(() => {
    if (!stopped) void run();
  }, intervalMs);
  timer.unref();

  return {
    runNow: run,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
