import type { Knex } from 'knex';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempSqliteFile, type TempSqliteFile } from '../../test/helpers/sqlite.js';
import { createDatabase } from '../store/create-database.js';
import { migrateToLatest } from '../store/migrate-to-latest.js';
import { startRetentionJob, type RetentionJob } from './retention-job.js';

describe('startRetentionJob', () => {
  let file: TempSqliteFile;
  let db: Knex;
  let job: RetentionJob | undefined;
  const logs: Array<{ level: string; message: string }> = [];
  const log = {
    info: (_: object, message: string) => logs.push({ level: 'info', message }),
    error: (_: object, message: string) => logs.push({ level: 'error', message }),
  };

  beforeEach(async () => {
    logs.length = 0;
    file = await createTempSqliteFile();
    db = await createDatabase({ sqlitePath: file.path });
    await migrateToLatest(db);
  });
  afterEach(async () => {
    await job?.stop();
    await db.destroy().catch(() => undefined);
    await file.cleanup();
  });

  async function closedTicket(id: string, closedAt: string): Promise<void> {
    await db('tickets').insert({ id, number: `T-${id}`, source: 'api', external_id: id, subject: 's', status: 'closed', review: false, created_at: closedAt, updated_at: closedAt, closed_at: closedAt });
  }

  it('never runs twice at once in a process, and logs what it deleted', async () => {
    await closedTicket('a', '2020-01-01T00:00:00.000Z');
    job = startRetentionJob({ db, closedTicketDays: 30, intervalMinutes: 60, log, firstRunDelayMs: 3_600_000 });
    const [first, second] = [job.runNow(), job.runNow()];
    expect(second).toBe(first);
    expect(await first).toMatchObject({ status: 'done', counts: { tickets: 1 } });
    expect(logs).toEqual([{ level: 'info', message: 'retention deleted 1 closed ticket(s)' }]);
    expect(await job.runNow()).toMatchObject({ counts: { tickets: 0 } });
    expect(logs).toHaveLength(1);
  });

  it('logs a failed run instead of throwing, and runs again later', async () => {
    job = startRetentionJob({ db, closedTicketDays: 30, intervalMinutes: 60, log, firstRunDelayMs: 3_600_000 });
    await db.schema.renameTable('retention_runs', 'retention_runs_away');
    await closedTicket('b', '2020-01-01T00:00:00.000Z');
    expect(await job.runNow()).toBeUndefined();
    expect(logs).toEqual([{ level: 'error', message: 'retention run failed; retrying at the next interval' }]);
    await db.schema.renameTable('retention_runs_away', 'retention_runs');
    expect(await job.runNow()).toMatchObject({ status: 'done' });
  });

  it('stop waits for the run in progress', async () => {
    await closedTicket('c', '2020-01-01T00:00:00.000Z');
    job = startRetentionJob({ db, closedTicketDays: 30, intervalMinutes: 60, log, firstRunDelayMs: 3_600_000 });
    let finished = false;
    const run = job.runNow().then(() => {
      finished = true;
    });
    await job.stop();
    expect(finished).toBe(true);
    await run;
  });
});
