/**
 * Worker thread body of SqliteCheckpointer (engine/store/sqlite-checkpointer.ts):
 * its own connection to the database file and a PASSIVE checkpoint at an
 * interval (one with nothing to copy costs a few microseconds). PASSIVE never
 * waits for the writer or readers: it copies what it can, and SQLite starts
 * the log over at the next write once everything was copied.
 *
 * Under a steady stream of writes that moment never comes: every commit adds
 * frames while the copy runs, so the log only grows (a quarter of a gigabyte
 * in ten seconds of ticket ingest, found by the HTTP bench). So once the log
 * holds `restartFrames` frames, a RESTART checkpoint follows the PASSIVE one:
 * it copies the few frames written since, waiting for the writer's current
 * transaction, and holds new writes back for that copy (they wait in their
 * busy handler, a millisecond or two), after which the next write starts the
 * log over from its beginning. The log file then stays near that size. Not
 * while a reader pins an old snapshot, see tick().
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

interface CheckpointWorkerData {
  file: string;
  intervalMs: number;
  /** Log size (frames) from which the log is started over; 0: never (PASSIVE only). */
  restartFrames: number;
}

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

const { file, intervalMs, restartFrames } = workerData as CheckpointWorkerData;
/** How long the PASSIVE checkpoint may wait for a lock; it never blocks the writer. */
const BUSY_TIMEOUT_MS = 1000;
/** How long a RESTART may wait for the writer's transaction and for readers, holding new writes back meanwhile. */
const RESTART_BUSY_TIMEOUT_MS = 20;

const db = new Database(file, { fileMustExist: true });
db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
// The main connection turned its automatic checkpoints off; this one must not do them on close either.
db.pragma('wal_autocheckpoint = 0');

/**
 * While ticks find nothing new in the log, the next one waits twice as long,
 * up to this many intervals: an idle server then checkpoints (and wakes its
 * event loop with the result) four times a second, not forty; the first
 * tick that finds new frames goes back to the interval.
 */
const IDLE_BACKOFF_INTERVALS = 10;
let delay = intervalMs;
/** What the last report said; the same again is not sent (it would only wake the server's event loop). */
let reported = { log: -1, checkpointed: -1 };

/** One checkpoint; true when the log had changed since the previous one (and the server was told). */
const tick = (): boolean => {
  try {
    let row = (db.pragma('wal_checkpoint(PASSIVE)') as CheckpointRow[])[0];
    let restarted = false;
    const log = row?.log ?? 0;
    // Only when the PASSIVE copy got most of the log: if it did not, a reader holds an old snapshot (a long
    // report in another process), and RESTART would hold the server's writes back until that reader is done.
    if (restartFrames > 0 && log >= restartFrames && (row?.checkpointed ?? 0) >= log / 2) {
      // A short wait, for the same reason: writes wait behind a pending RESTART. Busy: the next tick tries again.
      db.pragma(`busy_timeout = ${RESTART_BUSY_TIMEOUT_MS}`);
      try {
        row = (db.pragma('wal_checkpoint(RESTART)') as CheckpointRow[])[0];
      } finally {
        db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      }
      restarted = row?.busy === 0;
    }
    const now = { log: row?.log ?? 0, checkpointed: row?.checkpointed ?? 0 };
    // A restart is always told (the server counts them), also one that looks like the last report.
    if (!restarted && now.log === reported.log && now.checkpointed === reported.checkpointed) return false;
    reported = now;
    parentPort?.postMessage({ type: 'checkpoint', ...now, restarted });
    return true;
  } catch (error) {
    parentPort?.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    // Backs off too: a failure that repeats (a locked or vanished file) is told a few times a second, not forty.
    return false;
  }
};
let timer: NodeJS.Timeout;
const schedule = (): void => {
  timer = setTimeout(() => {
    delay = tick() ? intervalMs : Math.min(delay * 2, intervalMs * IDLE_BACKOFF_INTERVALS);
    schedule();
  }, delay);
};
schedule();
parentPort?.postMessage({ type: 'ready' });
parentPort?.on('message', (message: unknown) => {
  if (message === 'stop') {
    clearTimeout(timer);
    tick();
    db.close();
    parentPort?.close();
  }
});
