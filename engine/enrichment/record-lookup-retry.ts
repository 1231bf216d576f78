import { toIsoUtc } from '../store/iso-time.js';
import type { LookupLog } from './lookup-retrier.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';

/**
 * Record a lookup that did not answer at ticket creation as a durable job
 * (its first retry after the policy's first delay). Never throws: the ticket
 * matters more than its enrichment, so a failed insert is logged (`failure`
 * says what the ticket stays without) and the ticket is created anyway.
 */
export async function recordLookupRetry<P>(input: {
  jobs: { enqueue(ticketId: string, payload: P, dueAt: string, now: string, error: string): Promise<void> } | undefined;
  ticketId: string;
  payload: P;
  now: string;
  error: string;
  retryPolicy: RetryPolicy;
  random: () => number;
  log: LookupLog;
  connectionName: string;
  failure: string;
}): Promise<void> {
  const { jobs, ticketId, now } = input;
  if (jobs === undefined) return;
  const due = toIsoUtc(Date.parse(now) + retryDelayMs(1, input.retryPolicy, input.random)) ?? now;
  try {
    await jobs.enqueue(ticketId, input.payload, due, now, input.error);
  } catch (e) {
    input.log('error', input.failure, { connection: input.connectionName, ticketId, error: e instanceof Error ? e.message : String(e) });
  }
}
