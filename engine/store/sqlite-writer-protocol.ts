/** Messages between SqliteWriter (engine/store/sqlite-writer.ts) and its thread. */

/** One write statement; `expectChanges`: the piece fails unless exactly this many rows changed. */
export interface WriterStatement {
  sql: string;
  bindings: unknown[];
  expectChanges?: number;
}

/**
 * A statement as sent: the SQL text by number (`text`), spelled out (`define`)
 * the first time that number is sent, so the same long INSERT texts are not
 * copied into every message; or by value (`text` a string) once the table of
 * numbers is full.
 */
export interface WireStatement {
  text: number | string;
  define?: string;
  bindings: unknown[];
  expectChanges?: number;
}

/** A transaction's worth of pieces, each in its own savepoint. */
export interface WriterBatch {
  id: number;
  pieces: WireStatement[][];
}

export interface WriterError {
  message: string;
  name: string;
  code?: string;
}

export type PieceResult = { ok: true } | { ok: false; error: WriterError };

/** `ok`: the batch committed durably, with each piece's outcome; else nothing of it is stored. */
export type WriterReply = { id: number; ok: true; results: PieceResult[] } | { id: number; ok: false; error: WriterError; results: PieceResult[] };
