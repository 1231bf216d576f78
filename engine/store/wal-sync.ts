import { open } from 'node:fs/promises';

/**
 * Makes SQLite WAL commits durable off the event loop.
 *
 * better-sqlite3 is synchronous: with `synchronous = FULL` every COMMIT
 * fsyncs the write-ahead log on the JavaScript thread, and nothing else runs
 * while the disk flushes (milliseconds on a busy virtual disk). A group
 * commit instead commits with `synchronous = NORMAL` (SQLite writes the WAL
 * frames but does not flush them) and then asks this class to flush the WAL
 * file from libuv's thread pool. The group's callers are answered only after
 * that flush, so an answer still means durable; meanwhile the thread goes on
 * building the next group.
 *
 * Why this is as safe as FULL: in WAL mode a commit is the frames appended to
 * the `-wal` file, and a flush of that file (any descriptor of the same file:
 * the page cache belongs to the file, not to the descriptor) makes every frame
 * written before it durable; recovery replays frames up to the last complete
 * commit. SQLite itself flushes the WAL before a checkpoint copies frames into
 * the database, so a checkpoint never outruns durability. With NORMAL, SQLite
 * stays consistent on power loss; what it gives up is only the flush, which is
 * done here before anybody hears back.
 *
 * Requests are coalesced: while one flush runs, later requests share the next
 * one (it must start after their commit, so they cannot join the running one).
 */
export class WalSync {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly walFile: string) {}

  /** Resolves when every WAL frame written before this call is on disk. */
  sync(): Promise<void> {
    if (this.running === undefined) {
      this.running = this.flush().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.sync();
      });
    return this.queued;
  }

  /**
   * Opened per flush rather than kept open: SQLite may truncate or recreate
   * the `-wal` file (last connection closing, journal_size_limit), and a kept
   * descriptor could then flush a file nobody uses any more.
   */
  protected async flush(): Promise<void> {
    const handle = await open(this.walFile, 'r');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }
}
