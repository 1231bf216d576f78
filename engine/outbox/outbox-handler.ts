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
 *
 * `preflight`, when a handler has one: without I/O (it runs inside the
 * decision's transaction), the error a call of such a row would certainly
 * fail with, such as a missing connection; undefined when a call may work.
 * The outbox writer then dead-letters the row at write time, as its first
 * attempt would have, instead of handing it to the worker for nothing.
 */
export type OutboxHandler = ((call: OutboxCall) => Promise<ActionResult>) & {
  preflight?: (row: Pick<OutboxEntry, 'actionType' | 'params'>) => unknown;
};
