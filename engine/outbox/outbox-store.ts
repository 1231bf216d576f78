import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { TriageError } from '../errors/triage-error.js';
import { databaseDialect } from '../store/database-dialect.js';
import { isSqliteConnection, knexRunner, sqliteRunner, type SqlRunner } from '../store/sql-runner.js';
import { withoutCommitFlush } from '../store/without-commit-flush.js';
import type { GroupCommit } from '../tickets/group-commit.js';
import {
  attemptFromRow,
  attemptToRow,
  entryFromRow,
  type OutboxAttempt,
  type OutboxAttemptRow,
  type OutboxEntry,
  type OutboxError,
  type OutboxRow,
  type OutboxStatus,
} from './outbox-entry.js';
import { linkedExternalId } from './linked-external-id.js';

/** Position in the newest-first listing: (createdAt, id), both descending. */
export interface OutboxCursor {
  createdAt: string;
  id: string;
}

export interface OutboxPage {
  entries: OutboxEntry[];
  /** Where the next page starts; null on the last page. */
  next: OutboxCursor | null;
}

/** How a claimed row ends its attempt. */
export type OutboxTransition =
  | { status: 'done'; externalId: string | null }
  | { status: 'pending'; nextAttemptAt: string; error: OutboxError }
  | { status: 'dead'; error: OutboxError };

/** One claimed row's outcome: its attempts to record and where it goes next. */
export interface OutboxFinish {
  entry: OutboxEntry;
  attempts: readonly OutboxAttempt[];
  next: OutboxTransition;
}

/** A group commit to record outcomes in (TicketService.commits). */
export type OutboxCommits = Pick<GroupCommit, 'run'>;

/** An operator's change of a row, audited in outbox_events. */
export interface OutboxEvent {
  id: string;
  outboxId: string;
  action: 'retry' | 'drop';
  actor: string;
  fromStatus: OutboxStatus;
  at: string;
}

const RETRYABLE_BY_OPERATOR: readonly OutboxStatus[] = ['dead', 'dropped'];
const DROPPABLE: readonly OutboxStatus[] = ['pending', 'dead'];

/**
 * The outbox tables over knex, the same SQL on SQLite and PostgreSQL except
 * the claim's row locks. Every method is one short transaction (or a single
 * statement); none is ever held open across a connector call.
 */
export class OutboxStore {
  constructor(private readonly db: Knex) {}

  /**
   * Take up to `limit` due rows for `workerId` until `leaseUntil`: pending rows
   * whose next_attempt_at has come, and in-flight rows whose lease ran out (the
   * worker that held them stopped or crashed mid-call). Each claim counts as an
   * attempt. One statement, so it is its own short transaction: on
   * PostgreSQL the candidate rows are picked with FOR UPDATE SKIP LOCKED, so
   * concurrent workers (other instances) take disjoint rows instead of
   * waiting on each other (a locked row's status is re-checked on its newest
   * version before it is taken); on SQLite the single writer makes the
   * statement atomic.
   */
  async claim(options: { workerId: string; limit: number; now: string; leaseUntil: string }): Promise<OutboxEntry[]> {
    const { workerId, limit, now, leaseUntil } = options;
    const due = (q: Knex.QueryBuilder): Knex.QueryBuilder =>
      q
        .where((w) => w.where('status', 'pending').andWhere('next_attempt_at', '<=', now))
        .orWhere((w) => w.where('status', 'in_flight').andWhere('lease_until', '<=', now));
    const candidates = due(this.db('outbox').select('id')).orderBy('next_attempt_at').orderBy('id').limit(limit);
    let rows: OutboxRow[];
    if (databaseDialect(this.db) === 'postgres') {
      // A CTE, materialized: run once. As `WHERE id IN (subquery … LIMIT n)`
      // PostgreSQL may rescan the subquery while updating, and a rescan skips
      // the rows this very statement already changed, so it could claim more
      // than n rows.
      const pick = candidates.forUpdate().skipLocked().toSQL();
      const result = (await this.db.raw(
        `with claimable as materialized (${pick.sql})
         update outbox set status = 'in_flight', lease_owner = ?, lease_until = ?, attempts = outbox.attempts + 1,
           expired_lease_owner = case when outbox.status = 'in_flight' then outbox.lease_owner else null end, updated_at = ?
         from claimable where outbox.id = claimable.id
         returning outbox.*`,
        [...pick.bindings, workerId, leaseUntil, now],
      )) as { rows: OutboxRow[] };
      rows = result.rows;
    } else {
      // SQLite evaluates the uncorrelated subquery once, and its single writer makes the statement atomic.
      // A claim lost to a power failure is claimed again: no fsync on the server's thread for it.
      // Plain SQL straight on the connection: the worker claims several times a second under load, and
      // knex's query building cost more than the statement (docs/performance.md).
      rows = await withoutCommitFlush(this.db, async (connection) => {
        const sql = isSqliteConnection(connection) ? sqliteRunner(connection) : knexRunner(this.db);
        return (await sql.run(SQLITE_CLAIM, [workerId, leaseUntil, now, now, now, limit])) as unknown as OutboxRow[];
      });
    }
    return rows.map(entryFromRow).sort((a, b) => (a.nextAttemptAt < b.nextAttemptAt ? -1 : a.nextAttemptAt > b.nextAttemptAt ? 1 : 0));
  }

  /**
   * Record the attempts and move the row on, in one transaction. The update is
   * fenced by (lease owner, attempt number): when the lease ran out and
   * another claim took the row over meanwhile, this worker's outcome is
   * recorded in the attempt log but does not touch the row (returns false).
   */
  async finish(entry: OutboxEntry, workerId: string, attempts: readonly OutboxAttempt[], next: OutboxTransition, now: string): Promise<boolean> {
    const [changed] = await this.finishMany([{ entry, attempts, next }], workerId, now);
    return changed === true;
  }

  /**
   * `finish` for several rows in one transaction (one commit): the worker
   * groups the outcomes that arrive while the previous commit runs.
   */
  async finishMany(items: readonly OutboxFinish[], workerId: string, now: string): Promise<boolean[]> {
    if (items.length === 0) return [];
    // An outcome lost to a power failure means the call is made again under the same idempotency key
    // (at least once): no fsync on the server's thread for it (engine/store/without-commit-flush.ts).
    return withoutCommitFlush(this.db, async (connection) => {
      if (!isSqliteConnection(connection)) return this.db.transaction((trx) => finishRows(knexRunner(trx), items, workerId, now));
      // SQLite: the same statements straight on the connection this call holds, in a transaction of its own.
      const sql = sqliteRunner(connection);
      await sql.run('begin');
      try {
        const changed = await finishRows(sql, items, workerId, now);
        await sql.run('commit');
        return changed;
      } catch (error) {
        if (connection.inTransaction) await sql.run('rollback');
        throw error;
      }
    });
  }

  /**
   * `finishMany` as a piece of a group commit (the ticket writes' one on
   * SQLite): no transaction and commit of its own, and the outcomes are as
   * durable as a ticket (engine/tickets/group-commit.ts). The group may run
   * its statements later on the writer thread, so whether a row was still
   * this worker's is not read back; the fence applies all the same.
   */
  async finishInGroup(commits: OutboxCommits, items: readonly OutboxFinish[], workerId: string, now: string): Promise<void> {
    if (items.length === 0) return;
    await commits.run(async (_trx, sql) => {
      await finishRows(sql, items, workerId, now, { readBack: false });
    });
  }

  async get(id: string): Promise<OutboxEntry | undefined> {
    const row = (await this.db('outbox').where({ id }).first()) as OutboxRow | undefined;
    return row === undefined ? undefined : entryFromRow(row);
  }

  async byKey(idempotencyKey: string): Promise<OutboxEntry | undefined> {
    const row = (await this.db('outbox').where({ idempotency_key: idempotencyKey }).first()) as OutboxRow | undefined;
    return row === undefined ? undefined : entryFromRow(row);
  }

  /**
   * The external id the newest done `actionType` row of a ticket got (e.g. the
   * Jira issue key of its jira.createIssue), for ActionCall.linkedExternalId.
   */
  async linkedExternalId(ticketId: string, actionType: string): Promise<string | undefined> {
    return linkedExternalId(this.db, ticketId, actionType);
  }

  /** The attempt log of a row, oldest first. */
  async attempts(outboxId: string): Promise<OutboxAttempt[]> {
    const rows = (await this.db('outbox_attempts').where({ outbox_id: outboxId }).orderBy('attempt')) as OutboxAttemptRow[];
    return rows.map(attemptFromRow);
  }

  /** The operators' retries and drops of a row, oldest first. */
  async events(outboxId: string): Promise<OutboxEvent[]> {
    const rows = (await this.db('outbox_events').where({ outbox_id: outboxId }).orderBy('at').orderBy('id')) as {
      id: string;
      outbox_id: string;
      action: 'retry' | 'drop';
      actor: string;
      from_status: OutboxStatus;
      at: string;
    }[];
    return rows.map((r) => ({ id: r.id, outboxId: r.outbox_id, action: r.action, actor: r.actor, fromStatus: r.from_status, at: r.at }));
  }

  /** Newest first, keyset-paged (rows written while paging never shift later pages). */
  async list(options: { status?: OutboxStatus; ticketId?: string; limit?: number; after?: OutboxCursor } = {}): Promise<OutboxPage> {
    const limit = options.limit ?? 50;
    const q = this.db('outbox').orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1);
    if (options.status !== undefined) q.where('status', options.status);
    if (options.ticketId !== undefined) q.where('ticket_id', options.ticketId);
    const after = options.after;
    if (after !== undefined) {
      q.where((w) => w.where('created_at', '<', after.createdAt).orWhere((x) => x.where('created_at', after.createdAt).andWhere('id', '<', after.id)));
    }
    const rows = ((await q) as OutboxRow[]).map(entryFromRow);
    const entries = rows.slice(0, limit);
    const last = entries[entries.length - 1];
    return { entries, next: rows.length > limit && last !== undefined ? { createdAt: last.createdAt, id: last.id } : null };
  }

  /** Rows per status (every status present, zero included), for metrics and `triage outbox list`. */
  async countByStatus(): Promise<Record<OutboxStatus, number>> {
    const rows = (await this.db('outbox').select('status').count({ n: '*' }).groupBy('status')) as { status: string; n: number | string }[];
    const counts: Record<OutboxStatus, number> = { pending: 0, in_flight: 0, done: 0, dead: 0, dropped: 0 };
    for (const r of rows) if (r.status in counts) counts[r.status as OutboxStatus] = Number(r.n);
    return counts;
  }

  /**
   * When the next row becomes claimable: the earliest due pending row or
   * expiring lease; null when nothing is waiting. Lets a test with a virtual
   * clock jump straight there instead of sleeping.
   */
  async nextDueAt(): Promise<string | null> {
    const pending = (await this.db('outbox').where('status', 'pending').min({ at: 'next_attempt_at' }).first()) as { at: string | null } | undefined;
    const leased = (await this.db('outbox').where('status', 'in_flight').min({ at: 'lease_until' }).first()) as { at: string | null } | undefined;
    const times = [pending?.at ?? null, leased?.at ?? null].filter((t): t is string => t !== null).sort();
    return times[0] ?? null;
  }

  /**
   * An operator sends a dead (or dropped) row again: pending, due now, with a
   * fresh budget of attempts. Audited.
   */
  async retry(id: string, actor: string, now: string): Promise<OutboxEntry> {
    return this.transition(id, 'retry', RETRYABLE_BY_OPERATOR, actor, now);
  }

  /** Every dead row, as `retry` does one; returns how many. */
  async retryAllDead(actor: string, now: string): Promise<number> {
    return this.db.transaction(async (trx) => {
      const ids = ((await trx('outbox').where('status', 'dead').select('id')) as { id: string }[]).map((r) => r.id);
      let changed = 0;
      // Chunked: SQLite limits the number of bound parameters per statement.
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const n = await trx('outbox').whereIn('id', chunk).andWhere('status', 'dead').update(retryUpdate(trx, now));
        changed += Number(n);
        await trx('outbox_events').insert(chunk.map((outboxId) => ({ id: randomUUID(), outbox_id: outboxId, action: 'retry', actor, from_status: 'dead', at: now })));
      }
      return changed;
    });
  }

  /** An operator gives up on a pending or dead row: status dropped, kept for the record, never deleted. Audited. */
  async drop(id: string, actor: string, now: string): Promise<OutboxEntry> {
    return this.transition(id, 'drop', DROPPABLE, actor, now);
  }

  private async transition(id: string, action: 'retry' | 'drop', allowed: readonly OutboxStatus[], actor: string, now: string): Promise<OutboxEntry> {
    return this.db.transaction(async (trx) => {
      const row = (await trx('outbox').where({ id }).first()) as OutboxRow | undefined;
      if (row === undefined) throw new TriageError('TRIAGE_OUTBOX_NOT_FOUND', [id]);
      const from = entryFromRow(row).status;
      if (!allowed.includes(from)) throw new TriageError('TRIAGE_OUTBOX_ILLEGAL_STATE', [id, from, `${action} needs a ${allowed.join(' or ')} row`]);
      const update = action === 'retry' ? retryUpdate(trx, now) : { status: 'dropped', updated_at: now };
      // Conditional on the status read: a worker claiming the row in between wins, and we report it.
      const n = await trx('outbox').where({ id, status: from }).update(update);
      if (Number(n) !== 1) throw new TriageError('TRIAGE_OUTBOX_ILLEGAL_STATE', [id, 'changing', 'a worker took it meanwhile; try again']);
      await trx('outbox_events').insert({ id: randomUUID(), outbox_id: id, action, actor, from_status: from, at: now });
      return entryFromRow((await trx('outbox').where({ id }).first()) as OutboxRow);
    });
  }
}

function retryUpdate(trx: Knex.Transaction, now: string): Record<string, unknown> {
  // attempts is never reset: it numbers the attempt log. The new budget starts at the current count.
  return { status: 'pending', next_attempt_at: now, attempts_base: trx.raw('attempts'), lease_owner: null, lease_until: null, updated_at: now };
}

/**
 * The SQLite claim: due pending rows and in-flight rows whose lease ran out,
 * oldest due first, taken in one statement. Bindings: worker, lease until,
 * now (updated_at), now (pending due), now (lease expired), limit.
 */
const SQLITE_CLAIM =
  'update "outbox" set "status" = \'in_flight\', "lease_owner" = ?, "lease_until" = ?, "attempts" = "attempts" + 1, ' +
  // SET expressions read the row as it was: remember whose lease expired, if any.
  '"expired_lease_owner" = case when "status" = \'in_flight\' then "lease_owner" else null end, "updated_at" = ? ' +
  'where "id" in (select "id" from "outbox" where ("status" = \'pending\' and "next_attempt_at" <= ?) or ("status" = \'in_flight\' and "lease_until" <= ?) ' +
  'order by "next_attempt_at" asc, "id" asc limit ?) returning *';

const ATTEMPT_COLUMNS = ['outbox_id', 'attempt', 'worker_id', 'started_at', 'finished_at', 'outcome', 'error_code', 'error_message', 'http_status', 'retry_after_ms', 'external_id', 'detail'] as const;
const ATTEMPT_INSERT = `insert into "outbox_attempts" (${ATTEMPT_COLUMNS.map((c) => `"${c}"`).join(', ')}) values (${ATTEMPT_COLUMNS.map(() => '?').join(', ')}) on conflict ("outbox_id", "attempt") do `;
/** The attempt this worker made is the truth: it replaces a placeholder written for it. */
const ATTEMPT_UPSERT = `${ATTEMPT_INSERT}update set ${ATTEMPT_COLUMNS.filter((c) => c !== 'outbox_id' && c !== 'attempt').map((c) => `"${c}" = excluded."${c}"`).join(', ')}`;
/** A placeholder for an expired attempt must not overwrite what its worker reports later. */
const ATTEMPT_KEEP = `${ATTEMPT_INSERT}nothing`;
/** Fenced by (lease owner, attempt number): a row another claim took over meanwhile is left alone. */
const FENCE = 'where "id" = ? and "status" = \'in_flight\' and "lease_owner" = ? and "attempts" = ?';
const FINISH_DONE = `update "outbox" set "status" = 'done', "lease_owner" = null, "lease_until" = null, "updated_at" = ?, "external_id" = ?, "last_error_code" = null, "last_error" = null ${FENCE}`;
const FINISH_PENDING = `update "outbox" set "status" = 'pending', "lease_owner" = null, "lease_until" = null, "updated_at" = ?, "last_error_code" = ?, "last_error" = ?, "next_attempt_at" = ? ${FENCE}`;
const FINISH_DEAD = `update "outbox" set "status" = 'dead', "lease_owner" = null, "lease_until" = null, "updated_at" = ?, "last_error_code" = ?, "last_error" = ? ${FENCE}`;
/** Whether the fenced update found the row: the id back, one row or none. */
const READ_BACK = ' returning "id"';

/** Record each row's attempts and move it on, inside the caller's transaction; true per row that was still ours. */
async function finishRows(sql: SqlRunner, items: readonly OutboxFinish[], workerId: string, now: string, options: { readBack: boolean } = { readBack: true }): Promise<boolean[]> {
  const changed: boolean[] = [];
  const back = options.readBack ? READ_BACK : '';
  for (const { entry, attempts, next } of items) {
    for (const attempt of attempts) {
      const row = attemptToRow(attempt);
      await sql.run(attempt.workerId === workerId && attempt.attempt === entry.attempts ? ATTEMPT_UPSERT : ATTEMPT_KEEP, ATTEMPT_COLUMNS.map((c) => row[c]));
    }
    const fence = [entry.id, workerId, entry.attempts];
    const rows =
      next.status === 'done'
        ? await sql.run(FINISH_DONE + back, [now, next.externalId, ...fence])
        : next.status === 'pending'
          ? await sql.run(FINISH_PENDING + back, [now, next.error.code, next.error.message, next.nextAttemptAt, ...fence])
          : await sql.run(FINISH_DEAD + back, [now, next.error.code, next.error.message, ...fence]);
    changed.push(rows.length === 1);
  }
  return changed;
}
