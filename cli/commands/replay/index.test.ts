import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../../engine/store/create-database.js';
import { runCliCommand, seededCliSqlite } from '../../../test/helpers/cli-sqlite.js';
import { RULES_V0, rulesV1, seedGovernance, writeRuleDir, type GovernanceSeed, type RuleDir } from '../../../test/helpers/governance-fixture.js';
import { rowCounts } from '../../../test/helpers/row-counts.js';
import type { TempSqliteFile } from '../../../test/helpers/sqlite.js';

describe('triage replay', () => {
  let file: TempSqliteFile;
  let env: Record<string, string>;
  let seed: GovernanceSeed;
  const dirs: Record<'v0' | 'v1' | 'changed', RuleDir> = {} as Record<'v0' | 'v1' | 'changed', RuleDir>;
  let before: Record<string, number>;

  const counts = async (): Promise<Record<string, number>> => {
    const db = await createDatabase({ sqlitePath: file.path });
    try {
      return await rowCounts(db);
    } finally {
      await db.destroy();
    }
  };

  beforeAll(async () => {
    dirs.v0 = await writeRuleDir(RULES_V0);
    dirs.v1 = await writeRuleDir(rulesV1());
    // the change under review: invoice-category also takes "hello" tickets
    dirs.changed = await writeRuleDir(rulesV1(['invoice', 'hello']));
    ({ file, env } = await seededCliSqlite('anna', async (db) => {
      seed = await seedGovernance(db, { v0: dirs.v0.dir, v1: dirs.v1.dir });
    }));
    before = await counts();
  });
  afterAll(async () => {
    await file.cleanup();
    await Promise.all(Object.values(dirs).map((d) => d.cleanup()));
  });

  const replay = (...argv: string[]): ReturnType<typeof runCliCommand> => runCliCommand(env, ['replay', '--rules', dirs.changed.dir, '--base', dirs.v1.dir, ...argv]);

  it('prints the diff as a table: counts per field, most common changes, example tickets', async () => {
    const res = await replay('--since', '2026-03-01T00:00:00Z');
    expect(res.code, res.err).toBe(0);
    expect(res.err).toBe(''); // no progress bar when stderr is not a terminal
    expect(res.out).toContain('Replayed 5 tickets created since 2026-03-01T00:00:00.000Z');
    expect(res.out).toContain('1 ticket(s) would be decided differently.');
    expect(res.out).toContain('Baseline reproduces the stored decision for 4 of 4 tickets decided by the active version.');
    expect(res.out).toMatch(/^category\s+1\s+- → billing ×1$/m);
    expect(res.out).toMatch(/^priority\s+0\s+-$/m);
    expect(res.out).toMatch(new RegExp(`^${seed.numbers.hello}\\s+team\\s+-\\s+accounts$`, 'm'));
  });

  it('prints JSON, and markdown for a pull-request comment; --tickets limits the replay', async () => {
    const json = await replay('--since', '2026-03-01T00:00:00Z', '--format', 'json');
    expect(json.code).toBe(0);
    const body = JSON.parse(json.out) as { replayed: number; changedTickets: number; fields: Record<string, { changed: number; examples: { ticket: string }[] }> };
    expect(body).toMatchObject({ replayed: 5, changedTickets: 1 });
    expect(body.fields.category?.examples.map((e) => e.ticket)).toEqual([seed.numbers.hello]);

    const list = join(dirs.v0.dir, 'tickets.txt');
    await writeFile(list, `# the two to check\n${seed.numbers.hello}\n\n${seed.numbers.spam}\n`);
    const md = await replay('--tickets', list, '--format', 'markdown');
    expect(md.code, md.err).toBe(0);
    expect(md.out).toMatch(/^### Rule replay: 1 of 2 tickets would change$/m);
    expect(md.out).toContain('| category | 1 | `-` → `billing` ×1 |');
    expect(md.out).toContain(`| ${seed.numbers.hello} | actions | \`-\` | \`note(invoice-category)\` |`);
    expect(md.out).toContain('<details><summary>Example tickets</summary>');
  });

  it('refuses unknown tickets, unreadable lists and bad usage with coded errors; never writes', async () => {
    const list = join(dirs.v0.dir, 'unknown.json');
    await writeFile(list, JSON.stringify([seed.numbers.hello, 'T-999999']));
    const unknown = await replay('--tickets', list);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('TRIAGE_REPLAY_TICKET_NOT_FOUND 1 ticket(s) of the list are not in the database: T-999999');
    const missing = await replay('--tickets', join(dirs.v0.dir, 'nope.txt'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('TRIAGE_REPLAY_TICKETS_FILE');
    expect((await replay('--since', '30d', '--tickets', list)).code).toBe(2);
    expect((await replay('--format', 'html')).code).toBe(2);
    expect((await runCliCommand(env, ['replay'])).code).toBe(2); // --rules is required
    expect(await counts()).toEqual(before);
  });
});
