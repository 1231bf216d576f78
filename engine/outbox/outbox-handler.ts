import type { ActionResult } from '../../connectors/lib/connector.js';
import type { OutboxEntry } from './outbox-entry.js';

export interface OutboxCall {
  entry: OutboxEntry;
  /** Aborted when the call times out or the worker is stopped hard. */
  signal: AbortSignal;
}

/**
 * Carries out one outbox row. Resolves with the receiver's id (if any);
 * throws a ConnectorError (classified retryable or not) or a TriageError on
 * failure. Runs outside any transaction: it may do network I/O and may open
 * its own short transactions.
 */
export type OutboxHandler = (call: OutboxCall) => Promise<ActionResult>;
