import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { toIsoUtc } from '../store/iso-time.js';
import { dropMailBlobs, mailBlobKeysOfTickets } from './drop-mail-blobs.js';
import { inChunks } from './in-chunks.js';
import { withTryAdvisoryLock } from './with-try-advisory-lock.js';

/** pg_try_advisory_xact_lock key: one retention run at a time across instances (see migrate-to-latest.ts for the migration key). */
export const PG_RETENTION_LOCK_KEY = 7_346_152_020;
const DAY_MS = 86_400_000;
const DEFAULT_BATCH = 200;

export interface RetentionOptions {
  /** Delete tickets closed more than this many days ago (a whole number ≥ 1). */
  closedOlderThanDays: number;
  /** `cli:<user>` or `schedule`; recorded in retention_runs. */
  actor: string;
  /** Count what would be deleted, delete nothing, record nothing. */
  dryRun?: boolean;
  now?: () => Date;
  /** Tickets per transaction: keeps SQLite's single writer free for ticket traffic in between. */
  batchSize?: number;
  /** Record a run that deleted nothing (default true; the scheduled job passes false to keep the table meaningful). */
  recordEmptyRun?: boolean;
}

/** Rows deleted (or, in a dry run, that would be). */
export interface RetentionCounts {
  tickets: number;
  messages: number;
  tags: number;
  decisions: number;
  auditEvents: number;
  /** Other tables' rows that went with the tickets (corrections, outbox, enrichment jobs). */
  other: Record<string, number>;
}

export type RetentionResult =
  | { status: 'done' | 'dry-run'; runId: string | null; cutoff: string; closedOlderThanDays: number; counts: RetentionCounts }
  | { status: 'skipped'; reason: string; cutoff: string; closedOlderThanDays: number };

/** Child tables counted in their own columns of retention_runs. */
const MAIN_CHILDREN = [
  ['messages', 'messages'],
  ['ticket_tags', 'tags'],
  ['decisions', 'decisions'],
  ['audit_events', 'auditEvents'],
] as const;
/** Further tables keyed by ticket_id, when they exist (added by later migrations). */
const OTHER_CHILDREN = [
  'corrections',
  'outbox',
  'enrichment_jobs',
  'sla_timers',
  'sla_events',
  'scheduled_events',
  'schedule_tick_tickets',
  'csat_responses',
  'order_jobs',
] as const;

/**
 * Retention (R20): delete closed tickets older than N days with everything
 * hanging off them (messages, tags, decisions, audit rows, corrections,
 * outbox rows and their attempts), in batches of one transaction each, and
 * keep a count-only row in retention_runs, updated in each batch's
 * transaction. "Older" is by the time the
 * ticket was closed. Customers are not deleted: they are the CRM's, and
 * `triage gdpr erase` removes a person's data on request.
 *
 * On PostgreSQL only one instance runs at a time (advisory lock); the others
 * return `skipped`. Each batch re-checks its tickets under lock, so a run
 * racing a CLI run on SQLite deletes nothing twice and counts nothing twice.
 */
export async function runRetention(db: Knex, options: RetentionOptions): Promise<RetentionResult> {
  const days = options.closedOlderThanDays;
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`closedOlderThanDays must be a whole number of days ≥ 1, got ${String(days)}`);
  const started = (options.now ?? (() => new Date()))();
  const startedAt = toIsoUtc(started);
  const cutoff = toIsoUtc(new Date(started.getTime() - days * DAY_MS));
  if (startedAt === undefined || cutoff === undefined) throw new Error('runRetention: the clock returned an invalid date');
  const outcome = await withTryAdvisoryLock(db, PG_RETENTION_LOCK_KEY, async () => {
    const others = await existingTables(db, OTHER_CHILDREN);
    if (options.dryRun === true) {
      const ids = ((await expired(db, cutoff).select('id').orderBy('id')) as { id: string }[]).map((r) => r.id);
      return { status: 'dry-run' as const, runId: null, cutoff, closedOlderThanDays: days, counts: await countChildren(db, ids, others) };
    }
    const total = emptyCounts(others);
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    const runId = randomUUID();
    const clock = options.now ?? (() => new Date());
    let recorded = false;
    // The run's row is written in the same transaction as each batch's deletes: what
    // retention_runs says was deleted is exactly what was, even if the run dies halfway.
    const record = async (trx: Knex | Knex.Transaction): Promise<void> => {
      const finishedAt = toIsoUtc(clock()) ?? startedAt;
      const row = {
        finished_at: finishedAt < startedAt ? startedAt : finishedAt,
        tickets: total.tickets,
        messages: total.messages,
        tags: total.tags,
        decisions: total.decisions,
        audit_events: total.auditEvents,
        other: JSON.stringify(total.other),
      };
      if (recorded) await trx('retention_runs').where({ id: runId }).update(row);
      else await trx('retention_runs').insert({ id: runId, actor: options.actor, started_at: startedAt, closed_older_than_days: days, cutoff, ...row });
      recorded = true;
    };
    for (;;) {
      const batch = ((await expired(db, cutoff).select('id').orderBy('id').limit(batchSize)) as { id: string }[]).map((r) => r.id);
      if (batch.length === 0) break;
      await db.transaction(async (trx) => {
        // Lock (and, on SQLite, become the writer) before counting: the set deleted is the set counted.
        await expired(trx, cutoff, batch).update({ updated_at: trx.raw('??', ['updated_at']) });
        const ids = ((await expired(trx, cutoff, batch).select('id')) as { id: string }[]).map((r) => r.id);
        if (ids.length === 0) return;
        const counts = await countChildren(trx, ids, others);
        const blobKeys = await mailBlobKeysOfTickets(trx, ids);
        for (const [table] of MAIN_CHILDREN) await trx(table).whereIn('ticket_id', ids).delete();
        for (const table of others) await trx(table).whereIn('ticket_id', ids).delete();
        await trx('tickets').whereIn('id', ids).delete();
        // Raw mails and attachment bytes of the deleted messages, unless a remaining message shares them.
        const blobs = await dropMailBlobs(trx, blobKeys);
        if (blobs > 0) counts.other.mail_blobs = (counts.other.mail_blobs ?? 0) + blobs;
        const before = structuredClone(total);
        addCounts(total, counts);
        try {
          await record(trx);
        } catch (error) {
          // The transaction rolls back: so must the totals.
          Object.assign(total, before);
          throw error;
        }
      });
      if (batch.length < batchSize) break;
    }
    if (!recorded && options.recordEmptyRun !== false) await record(db);
    return { status: 'done' as const, runId: recorded ? runId : null, cutoff, closedOlderThanDays: days, counts: total };
  });
  if (!outcome.acquired) return { status: 'skipped', reason: 'another instance is running retention', cutoff, closedOlderThanDays: days };
  return outcome.value;
}

/** Closed tickets closed before the cutoff (by updated_at if a closed ticket somehow lacks closed_at), optionally among `ids`. */
function expired(db: Knex | Knex.Transaction, cutoff: string, ids?: readonly string[]): Knex.QueryBuilder {
  const q = db('tickets')
    .where({ status: 'closed' })
    .whereRaw('coalesce(??, ??) < ?', ['closed_at', 'updated_at', cutoff]);
  if (ids !== undefined) q.whereIn('id', ids);
  return q;
}

async function existingTables(db: Knex, tables: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const t of tables) if (await db.schema.hasTable(t)) out.push(t);
  return out;
}

function emptyCounts(others: readonly string[]): RetentionCounts {
  return { tickets: 0, messages: 0, tags: 0, decisions: 0, auditEvents: 0, other: Object.fromEntries(others.map((t) => [t, 0])) };
}

function addCounts(into: RetentionCounts, add: RetentionCounts): void {
  into.tickets += add.tickets;
  for (const [, key] of MAIN_CHILDREN) into[key] += add[key];
  for (const [t, n] of Object.entries(add.other)) into.other[t] = (into.other[t] ?? 0) + n;
}

async function countChildren(db: Knex | Knex.Transaction, ids: readonly string[], others: readonly string[]): Promise<RetentionCounts> {
  const counts = emptyCounts(others);
  counts.tickets = ids.length;
  const count = async (table: string): Promise<number> =>
    inChunks(ids, async (chunk) => {
      const row = (await db(table).whereIn('ticket_id', chunk).count({ n: '*' }).first()) as { n: number | string } | undefined;
      return Number(row?.n ?? 0);
    });
  for (const [table, key] of MAIN_CHILDREN) counts[key] = await count(table);
  for (const table of others) counts.other[table] = await count(table);
  return counts;
}
