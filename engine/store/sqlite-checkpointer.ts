import { Worker } from 'node:worker_threads';
import { threadUrl } from './thread-url.js';
import type { Knex } from 'knex';

/** See SqliteCheckpointerOptions.restartFrames. */
export const DEFAULT_RESTART_FRAMES = 4096;

/**
 * The automatic checkpoint size (frames) of a connection that writes while
 * this checkpointer is in charge: the SQLite writer thread's
 * (engine/store/sqlite-writer.ts). Not 0: if the checkpointer stops or falls
 * behind (a reader pinning an old snapshot keeps RESTART from running), the
 * writer's own commits still bound the log, at 64 MiB with 4 KiB pages.
 * Not SQLite's 1,000 either: at that size the writer checkpointed inside
 * every seventeenth COMMIT of the ingest bench (copy and fsync of the
 * database file, a tenth of the thread's time), holding up the tickets of
 * that group, the very work this thread exists to take off their way.
 */
export const WRITER_SAFETY_NET_FRAMES = 4 * DEFAULT_RESTART_FRAMES;

/** See SqliteCheckpointerOptions.intervalMs. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 100;

export interface SqliteCheckpointerOptions {
  /**
   * How often the worker checkpoints; default 100 ms. A checkpoint copies
   * each page once, in its newest version, however many commits rewrote it
   * since the last one: under ingest most pages of a commit are the same few
   * dozen (the last leaf of every index, the counters row), rewritten by
   * every commit. At 25 ms the checkpointer took 6.8-7.0 % of a core at about
   * 1,750 tickets/s, at 100 ms 4.0-4.3 % (2026-11-30, ingest bench, per-thread
   * CPU). Not much longer: under a steady stream of writes the log grows
   * until `restartFrames`, and the RESTART that follows has to copy what the
   * last PASSIVE left behind while writes wait; at 250 ms that was enough to
   * slow ingest down. While the log does not change the interval doubles, up
   * to ten times this (sqlite-checkpoint-worker.ts).
   */
  intervalMs?: number;
  /**
   * Log size in frames (pages) from which the worker starts the log over
   * (RESTART checkpoint), so that it cannot grow without bound under a steady
   * stream of writes; default 4,096 (16 MiB with 4 KiB pages). 0: never.
   */
  restartFrames?: number;
  /** The worker failed or stopped unexpectedly (automatic checkpoints are back on by then). */
  onError?: (error: Error) => void;
}

export interface SqliteCheckpointer {
  /** Last checkpoint: frames in the log, and how many of them are copied into the database. */
  readonly last: { log: number; checkpointed: number } | undefined;
  /** How many times the log was started over (restartFrames). */
  readonly restarts: number;
  /** Reports the thread sent (one per checkpoint that found the log changed; an idle log is not reported again). */
  readonly reports: number;
  stop(): Promise<void>;
}

/**
 * Moves SQLite's WAL checkpoints off the event loop.
 *
 * By default the connection that commits checkpoints automatically once the
 * log passes 1,000 pages: inside that COMMIT it copies about 4 MB into the
 * database file and fsyncs it, and with better-sqlite3 (synchronous) the
 * server stands still meanwhile, every few groups of new tickets. This starts
 * a worker thread with its own connection that checkpoints (PASSIVE: it never
 * waits for the writer or blocks it) every `intervalMs`, and turns the main
 * connection's automatic checkpoints off while it runs. If the worker dies,
 * automatic checkpoints come back, so the log can never grow without bound.
 *
 * Only for a SQLite file in WAL mode with a single pooled connection (what
 * createDatabase makes); the server starts it (engine/server/start-server.ts).
 */
export async function startSqliteCheckpointer(db: Knex, file: string, options: SqliteCheckpointerOptions = {}): Promise<SqliteCheckpointer> {
  const intervalMs = options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
  const restartFrames = options.restartFrames ?? DEFAULT_RESTART_FRAMES;
  const worker = new Worker(threadUrl(import.meta.url, 'sqlite-checkpoint-worker'), { workerData: { file, intervalMs, restartFrames } });
  let last: { log: number; checkpointed: number } | undefined;
  let restarts = 0;
  let reports = 0;
  let stopping = false;
  let started = false;
  let gone = false;
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: { type: string; log?: number; checkpointed?: number; restarted?: boolean; message?: string }) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'checkpoint') {
        last = { log: message.log ?? 0, checkpointed: message.checkpointed ?? 0 };
        reports += 1;
        if (message.restarted === true) restarts += 1;
      }
      else if (message.type === 'error') options.onError?.(new Error(`SQLite checkpoint failed: ${message.message ?? 'unknown error'}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the SQLite checkpoint worker exited with code ${code} before it started`)));
  });
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      gone = true;
      if (!started) {
        resolve();
        return;
      }
      // Back to SQLite's own checkpoints, so the log cannot grow without bound.
      void db
        .raw('pragma wal_autocheckpoint = 1000')
        .catch(() => undefined)
        .then(() => {
          if (!stopping) options.onError?.(new Error(`the SQLite checkpoint worker stopped (exit code ${code}); automatic checkpoints are back on`));
          resolve();
        });
    });
  });
  worker.on('error', (error) => {
    if (started) options.onError?.(error);
  });
  await ready;
  started = true;
  await db.raw('pragma wal_autocheckpoint = 0');
  // The worker may have died while that ran, after its exit handler restored the setting.
  if (gone) await db.raw('pragma wal_autocheckpoint = 1000');
  return {
    get last() {
      return last;
    },
    get reports() {
      return reports;
    },
    get restarts() {
      return restarts;
    },
    async stop() {
      if (stopping) return exited;
      stopping = true;
      worker.postMessage('stop');
      await exited;
    },
  };
}
