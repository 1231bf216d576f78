/**
 * True when a database error means the database could not be reached or the
 * connection broke (server down, restarting, network cut), not that the
 * statement itself was wrong. Such a failure is transient: the pool drops the
 * dead connection and opens a new one once the server is back, so callers
 * answer 503 TRIAGE_STORE_OUTAGE (the client retries) and background workers
 * log and try again at their next round instead of treating it as a bug.
 *
 * Walks `cause` chains and AggregateErrors (Node reports a refused connect to
 * a host with several addresses as one AggregateError), but not into our own
 * coded errors: a connector call refused by a CRM or webhook receiver
 * (TRIAGE_CONNECTOR_…, cause ECONNREFUSED) is not a database outage.
 */
export function isConnectionLoss(error: unknown): boolean {
  return check(error, 0);
}

/** Socket-level failures from node:net / node:dns while connecting or talking to the server. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENOTCONN']);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01 admin_shutdown
 * (pg_ctl stop -m fast/immediate), 57P02 crash_shutdown, 57P03 cannot_connect_now
 * (starting up, in recovery), 53300 too_many_connections (a restart storm of clients).
 */
const POSTGRES_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** node-postgres reports a broken socket by message only (no code). */
const PG_MESSAGES = [/connection terminated/i, /not queryable/i, /connection timeout/i, /timeout expired/i];

function check(error: unknown, depth: number): boolean {
  if (depth > 8 || typeof error !== 'object' || error === null) return false;
  if (error instanceof AggregateError && error.errors.some((e) => check(e, depth + 1))) return true;
  const { code, name, message, cause } = error as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string' && code.startsWith('TRIAGE_')) return code === 'TRIAGE_STORE_OUTAGE' || code === 'TRIAGE_STORE_UNAVAILABLE';
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || POSTGRES_STATES.has(code) || code.startsWith('08'))) return true;
  // knex: no connection could be taken from the pool in acquireConnectionTimeout (every attempt failed or hung).
  if (name === 'KnexTimeoutError') return true;
  if (typeof message === 'string' && code === undefined && PG_MESSAGES.some((re) => re.test(message))) return true;
  return check(cause, depth + 1);
}
