import type { OutboxStore } from './outbox-store.js';
import type { OutboxWorker } from './outbox-worker.js';

export interface DrainOptions {
  workers: readonly OutboxWorker[];
  store: OutboxStore;
  /**
   * Called when nothing is due yet but rows wait for a later time (back-off,
   * a lease). Default: sleep until then. A test with a virtual clock moves the
   * clock there instead, so back-off costs no wall time.
   */
  waitUntil?: (dueAt: string) => Promise<void>;
  /** Safety net against a loop that never ends (default 100 000 rounds). */
  maxRounds?: number;
}

/**
 * Run the workers side by side until every row is done, dead or dropped (none
 * pending or in flight). For tests, the bench and one-shot dispatch; a server
 * uses OutboxWorker.start().
 */
export async function drainOutbox(options: DrainOptions): Promise<{ rounds: number; claimed: number }> {
  const maxRounds = options.maxRounds ?? 100_000;
  const waitUntil = options.waitUntil ?? sleepUntil;
  let rounds = 0;
  let claimed = 0;
  while (rounds < maxRounds) {
    rounds += 1;
    const counts = await Promise.all(options.workers.map((w) => w.runOnce()));
    const n = counts.reduce((a, b) => a + b, 0);
    claimed += n;
    if (n > 0) continue;
    const dueAt = await options.store.nextDueAt();
    if (dueAt === null) return { rounds, claimed };
    await waitUntil(dueAt);
  }
  throw new Error(`the outbox did not drain within ${maxRounds} rounds`);
}

function sleepUntil(dueAt: string): Promise<void> {
  const ms = Math.max(1, Date.parse(dueAt) - Date.now());
  return new Promise((resolve) => setTimeout(resolve, ms));
}
