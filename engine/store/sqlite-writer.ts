import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { TriageError } from '../errors/triage-error.js';
import { sqliteValue } from './sql-runner.js';
import type { WriterBatch, WriterReply, WriterStatement } from './sqlite-writer-protocol.js';
import { threadUrl } from './thread-url.js';

/** Distinct SQL texts sent by number; past this many, new ones go by value (the set is small: one per statement shape). */
const MAX_TEXTS = 2000;

/**
 * How long the thread keeps a transaction open for the rest of a turn when a
 * batch said more follows. The rest comes within a few hundred microseconds
 * (the event loop records a turn's pieces back to back); this only matters
 * when the event loop stalls, and then bounds how long the server's own
 * writes wait for the lock the open transaction holds.
 */
export const DEFAULT_OPEN_WAIT_MS = 2;

/** SQLite's own `wal_autocheckpoint` default. */
export const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

/**
 * A worker thread with its own connection to a SQLite file that runs
 * prepared batches of write statements as durable transactions
 * (engine/store/sqlite-writer-thread.ts), so the statements, the COMMIT and
 * its fsync cost the server's event loop nothing but a message.
 *
 * The group commit (engine/tickets/group-commit.ts) is its one user: it
 * runs the pieces' JavaScript on the event loop, collects their statements,
 * and hands a batch over while it collects the next one. Batches run one
 * after the other in the order given.
 */
export class SqliteWriter {
  private worker!: Worker;
  /** Where the thread sends its answers (pollAnswers). */
  private answers: MessagePort | undefined;
  private ready!: Promise<void>;
  private readonly waiting = new Map<number, { resolve: (reply: WriterReply) => void; reject: (error: unknown) => void }>();
  private nextId = 1;
  /** SQL texts the current thread knows by number (WriterBatch); a new thread starts without. */
  private readonly texts = new Map<string, number>();
  private gone: Error | undefined;
  private closing: Promise<void> | undefined;
  private restartCount = 0;

  /**
   * `synchronous`: the level its commits use (SQLite's numbers: 1 NORMAL, 2 FULL, 3 EXTRA); default FULL.
   * `autocheckpoint`: the log size in frames from which a COMMIT of the thread also checkpoints, SQLite's
   * `wal_autocheckpoint` (default 1,000, SQLite's own; 0 never). With a checkpointer thread in charge
   * (engine/store/sqlite-checkpointer.ts) the group commit passes a far larger number: see WRITER_SAFETY_NET_FRAMES.
   * `openWaitMs`: how long a transaction kept open for the rest of a turn (`run(…, true)`) waits for it before
   * it commits what it has (default DEFAULT_OPEN_WAIT_MS; tests make it long to watch an open transaction).
   */
  constructor(
    private readonly file: string,
    private readonly options: { synchronous?: number; autocheckpoint?: number; openWaitMs?: number } = {},
  ) {
    this.start();
  }

  /** Threads started again after one stopped unexpectedly. */
  get restarts(): number {
    return this.restartCount;
  }

  /**
   * Run one batch (in a transaction; each inner list fails alone). `open`:
   * more of the same turn follows at once, so the thread starts on this one
   * and commits it with the next (see WriterBatch).
   * Rejects with TRIAGE_STORE_UNAVAILABLE when the thread stops before it
   * answers (the batch may or may not have committed: a retry with the same
   * external id finds out). After such a stop the next batch starts a new
   * thread, so one lost thread does not take ticket creation down for good.
   */
  async run(pieces: WriterStatement[][], open = false): Promise<WriterReply> {
    if (this.gone !== undefined && this.closing === undefined) {
      this.restartCount += 1;
      this.start();
    }
    await this.ready;
    if (this.gone !== undefined) throw unavailable(this.gone);
    const id = this.nextId++;
    return new Promise<WriterReply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage(this.flatten(id, pieces, open));
    });
  }

  /**
   * Take the answers the thread has sent and not delivered yet, now. The
   * group commit calls this between the pieces it records: an answer would
   * otherwise wait until the event loop comes back to its port, behind every
   * piece of the turn (measured: half a millisecond on average under ingest,
   * during which those requests' clients wait for their answers).
   */
  pollAnswers(): void {
    const port = this.answers;
    if (port === undefined) return;
    for (let next = receiveMessageOnPort(port); next !== undefined; next = receiveMessageOnPort(port)) this.deliver(next.message as WriterReply[]);
  }

  /** Stop the thread after the batch in progress; call when no more batches will come. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.gone !== undefined) return;
      const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
      this.worker.postMessage('stop');
      await exited;
    })();
    return this.closing;
  }

  /** Stop the thread at once, whatever it is doing (what a crash of it looks like; tests). */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private start(): void {
    this.gone = undefined;
    this.texts.clear();
    // Answers come on a channel of their own, which pollAnswers() can read without waiting for the event loop.
    const { port1: answers, port2: answerPort } = new MessageChannel();
    const worker = new Worker(threadUrl(import.meta.url, 'sqlite-writer-thread'), {
      workerData: {
        file: this.file,
        synchronous: this.options.synchronous ?? 2,
        autocheckpoint: this.options.autocheckpoint ?? SQLITE_DEFAULT_AUTOCHECKPOINT,
        openWaitMs: this.options.openWaitMs ?? DEFAULT_OPEN_WAIT_MS,
        answerPort,
      },
      transferList: [answerPort],
    });
    this.worker = worker;
    this.answers?.close();
    this.answers = answers;
    answers.on('message', (message: WriterReply[]) => this.deliver(message));
    // Not what keeps a server alive; an idle writer must not keep a finished test or CLI run from exiting.
    worker.unref();
    answers.unref();
    this.ready = new Promise<void>((resolve, reject) => {
      worker.on('message', () => resolve());
      // A thread replaced by a new one (run() after a stop) must not fail the new one's waiters.
      worker.once('error', (error) => {
        if (this.worker === worker) this.fail(error);
        reject(error);
      });
      worker.once('exit', (code) => {
        // Answers it sent before it stopped may still wait on their channel (it is not the worker's own port).
        if (this.worker === worker) this.pollAnswers();
        const error = new Error(`the SQLite writer thread exited (code ${code})`);
        if (this.worker === worker) this.fail(error);
        reject(error);
      });
    });
    // Waiters see the failure; nobody need listen to this one.
    this.ready.catch(() => undefined);
  }

  /** The batch as the thread takes it (WriterBatch: flat arrays, SQL texts by number). */
  private flatten(id: number, pieces: WriterStatement[][], open: boolean): WriterBatch {
    const batch: WriterBatch = { id, pieces: [], texts: [], define: [], counts: [], values: [], expect: [], ...(open ? { open } : {}) };
    const { texts, define, counts, values, expect } = batch;
    for (const piece of pieces) {
      batch.pieces.push(piece.length);
      for (const statement of piece) {
        if (statement.expectChanges !== undefined) expect.push(texts.length, statement.expectChanges);
        let known = this.texts.get(statement.sql);
        if (known === undefined && this.texts.size < MAX_TEXTS) {
          known = this.texts.size + 1;
          this.texts.set(statement.sql, known);
          define.push(known, statement.sql);
        }
        texts.push(known ?? statement.sql);
        counts.push(statement.bindings.length);
        // Converted here, in the one pass that copies them, as knex would convert them (booleans to 0/1, undefined to NULL).
        for (const value of statement.bindings) values.push(sqliteValue(value));
      }
    }
    return batch;
  }

  private deliver(replies: readonly WriterReply[]): void {
    for (const reply of replies) {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      waiter?.resolve(reply);
    }
  }

  private fail(error: Error): void {
    this.gone ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(unavailable(error));
    this.waiting.clear();
  }
}

function unavailable(error: Error): TriageError {
  return new TriageError('TRIAGE_STORE_UNAVAILABLE', [`the SQLite writer thread stopped: ${error.message}`], { cause: error });
}
