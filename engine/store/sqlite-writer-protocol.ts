/** Messages between SqliteWriter (engine/store/sqlite-writer.ts) and its thread. */

/**
 * One write statement; `expectChanges`: the piece fails unless exactly this
 * many rows changed. The bindings are read when the batch is sent, not when
 * the statement is recorded: an array handed over must not change meanwhile.
 */
export interface WriterStatement {
  sql: string;
  bindings: readonly unknown[];
  expectChanges?: number;
}

/**
 * A transaction's worth of pieces (a piece fails alone, see sqlite-writer-thread.ts), flattened for
 * postMessage: the structured clone of a batch was a tenth of the event
 * loop's time per ticket, and most of it went to the shape (an object with
 * named keys and an array per statement), not to the values. So a batch is
 * a few flat arrays:
 *
 * - `pieces[p]`: how many statements piece p has, in order;
 * - `texts[s]`: statement s's SQL text by number; `define` spells out the
 *   numbers sent for the first time, `[number, sql, number, sql, …]`, so the
 *   same long INSERT texts are not copied into every message; a text sent
 *   by value (once the table of numbers is full) is a string here;
 * - `counts[s]`: how many of `values` statement s binds, in order;
 * - `expect`: `[statement index, rows, …]` for the statements that must
 *   change exactly that many rows (the ticket counter's compare-and-set);
 * - `open`: more pieces of the same turn follow in the next batch, so the
 *   thread runs this one at once but keeps its transaction open for them
 *   (a short while at most) instead of committing after it.
 *
 * The thread answers with an array of WriterReply per transaction it ended.
 */
export interface WriterBatch {
  id: number;
  open?: boolean;
  pieces: number[];
  texts: Array<number | string>;
  define: Array<number | string>;
  counts: number[];
  values: unknown[];
  expect: number[];
}

export interface WriterError {
  message: string;
  name: string;
  code?: string;
}

export type PieceResult = { ok: true } | { ok: false; error: WriterError };

/**
 * `ok`: the batch committed durably, with each piece's outcome; else nothing
 * of it is stored. `transaction`: the number of the thread's transaction that
 * committed it (batches that waited together share one; metrics, tests).
 */
export type WriterReply = { id: number; ok: true; results: PieceResult[]; transaction?: number } | { id: number; ok: false; error: WriterError; results: PieceResult[] };
