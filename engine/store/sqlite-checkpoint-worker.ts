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
 * log over from its beginning. The log file then stays near that size.
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
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
// The main connection turned its automatic checkpoints off; this one must not do them on close either.
db.pragma('wal_autocheckpoint = 0');

const tick = (): void => {
  try {
    let row = (db.pragma('wal_checkpoint(PASSIVE)') as CheckpointRow[])[0];
    let restarted = false;
    if (restartFrames > 0 && (row?.log ?? 0) >= restartFrames) {
      row = (db.pragma('wal_checkpoint(RESTART)') as CheckpointRow[])[0];
      // busy = 1: the writer or a reader held on past the busy timeout; the next tick tries again.
      restarted = row?.busy === 0;
    }
    parentPort?.postMessage({ type: 'checkpoint', log: row?.log ?? 0, checkpointed: row?.checkpointed ?? 0, restarted });
  } catch (error) {
    parentPort?.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
const timer = setInterval(tick, intervalMs);
parentPort?.postMessage({ type: 'ready' });
parentPort?.on('message', (message: unknown) => {
  if (message === 'stop') {
    clearInterval(timer);
    tick();
    db.close();
    parentPort?.close();
  }
});
