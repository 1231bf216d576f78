/**
 * Worker thread body of SqliteCheckpointer (engine/store/sqlite-checkpointer.ts):
 * its own connection to the database file and a PASSIVE checkpoint at an
 * interval (one with nothing to copy costs a few microseconds). PASSIVE never
 * waits for the writer or readers: it copies what it can, and SQLite starts
 * the log over at the next write once everything was copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

interface CheckpointWorkerData {
  file: string;
  intervalMs: number;
}

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

const { file, intervalMs } = workerData as CheckpointWorkerData;
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
// The main connection turned its automatic checkpoints off; this one must not do them on close either.
db.pragma('wal_autocheckpoint = 0');

const tick = (): void => {
  try {
    const row = (db.pragma('wal_checkpoint(PASSIVE)') as CheckpointRow[])[0];
    parentPort?.postMessage({ type: 'checkpoint', log: row?.log ?? 0, checkpointed: row?.checkpointed ?? 0 });
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
