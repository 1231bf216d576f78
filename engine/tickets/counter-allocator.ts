import type { WriterStatement } from '../store/sqlite-writer-protocol.js';

/**
 * Counter values (ticket numbers) for pieces whose statements run later on
 * the SQLite writer thread (engine/tickets/writer-groups.ts), where nothing
 * can be read back: the next value is known here, and the row is moved on
 * with a compare-and-set that the writer checks (`expectChanges: 1`).
 *
 * Why that keeps numbers unique and gap-free: values are handed out in the
 * order the pieces run, and each piece's CAS only succeeds when the row holds
 * exactly the value before its own. When a piece fails (or another process
 * took a number meanwhile), every later CAS fails too; those pieces are run
 * again with fresh numbers after `resync` read the row, so no number is ever
 * skipped or given twice.
 */
export class CounterAllocator {
  private readonly next = new Map<string, number>();
  private stale = true;
  private generation = 0;

  /**
   * Changes at every invalidate(): a value taken in an older epoch was
   * doomed to lose its CAS by something seen since (an earlier piece
   * failed), rather than by another process taking a number.
   */
  get epoch(): number {
    return this.generation;
  }

  /** True when the values must be read again from the database before the next one is handed out. */
  get needsResync(): boolean {
    return this.stale;
  }

  /** Forget what is known: a piece that held a value failed, or a CAS did. */
  invalidate(): void {
    this.generation += 1;
    this.stale = true;
    this.next.clear();
  }

  /** Start over from the stored values (`read` gives a counter's current value, undefined if the row is missing). */
  async resync(read: (name: string) => Promise<number | undefined>, names: readonly string[]): Promise<void> {
    this.next.clear();
    for (const name of names) {
      const value = await read(name);
      if (value === undefined) throw new Error(`counters row "${name}" is missing; run migrateToLatest first`);
      this.next.set(name, value + 1);
    }
    this.stale = false;
  }

  /** The next value of `name` and the statement that claims it; undefined when a resync is due first. */
  take(name: string): { value: number; statement: WriterStatement } | undefined {
    const value = this.stale ? undefined : this.next.get(name);
    if (value === undefined) return undefined;
    this.next.set(name, value + 1);
    return {
      value,
      statement: { sql: 'update "counters" set "value" = ? where "name" = ? and "value" = ?', bindings: [value, name, value - 1], expectChanges: 1 },
    };
  }

  /** Give back values taken by a piece that failed before any of its statements ran; only the newest can return. */
  giveBack(name: string, value: number): void {
    if (!this.stale && this.next.get(name) === value + 1) this.next.set(name, value);
    else this.invalidate();
  }
}
