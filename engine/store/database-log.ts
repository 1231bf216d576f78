import type { Knex } from 'knex';

/** Connection trouble is reported at most once per this interval (with a count of what was left out). */
const CONNECTION_NOTICE_INTERVAL_MS = 10_000;

/**
 * knex's own warnings, as triage prints them: one line each on stderr.
 *
 * knex writes them with console.log, that is onto stdout between the JSON log
 * lines, and a refused connection comes with its whole stack, once per attempt:
 * while PostgreSQL restarts that is dozens of multi-line entries a second, some
 * carrying the SQL with its bindings (personal data). The outage itself is
 * already reported where it matters (503 TRIAGE_STORE_OUTAGE per request, the
 * failed worker rounds, /readyz), so connection trouble is summed up here: the
 * driver's words without SQL or stack, at most once per 10 s with the count of
 * the ones left out.
 */
export function databaseLog(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`), now: () => number = Date.now): NonNullable<Knex.Config['log']> {
  let quietUntil = 0;
  let leftOut = 0;
  const connectionTrouble = (text: string): void => {
    if (now() < quietUntil) {
      leftOut += 1;
      return;
    }
    quietUntil = now() + CONNECTION_NOTICE_INTERVAL_MS;
    write(`triage: database connection problem: ${driverWords(text)}${leftOut > 0 ? ` (and ${leftOut} more since the last notice)` : ''}`);
    leftOut = 0;
  };
  return {
    warn(message: unknown) {
      const text = firstLine(message);
      if (/^(Acquire connection error|Connection Error):/.test(text)) connectionTrouble(text);
      else write(`triage: knex: ${text}`);
    },
    error(message: unknown) {
      write(`triage: knex: ${firstLine(message)}`);
    },
    deprecate(method: unknown, alternative: unknown) {
      write(`triage: knex: ${String(method)} is deprecated, use ${String(alternative)}`);
    },
    debug() {
      // knex's query debugging stays off.
    },
  };
}

function firstLine(message: unknown): string {
  const text = message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(message);
  return (text.split('\n')[0] ?? '').trim();
}

/** "Connection Error: Error: update "outbox" set … - Connection terminated" → "Connection terminated". */
function driverWords(text: string): string {
  const rest = text.replace(/^(Acquire connection error|Connection Error):\s*/, '').replace(/^(Error|error):\s*/, '');
  const separator = rest.lastIndexOf(' - ');
  return (separator === -1 ? rest : rest.slice(separator + 3)).slice(0, 200);
}
