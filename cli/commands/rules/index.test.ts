import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCommand, seededCliSqlite } from '../../../test/helpers/cli-sqlite.js';
import { RULES_V0, rulesV1, seedGovernance, writeRuleDir, type GovernanceSeed, type RuleDir } from '../../../test/helpers/governance-fixture.js';
import type { TempSqliteFile } from '../../../test/helpers/sqlite.js';

describe('triage rules stats|dead|corrections', () => {
  let file: TempSqliteFile;
  let env: Record<string, string>;
  let seed: GovernanceSeed;
  let v0: RuleDir;
  let v1: RuleDir;

  beforeAll(async () => {
    v0 = await writeRuleDir(RULES_V0);
    v1 = await writeRuleDir(rulesV1());
    ({ file, env } = await seededCliSqlite('anna', async (db) => {
      seed = await seedGovernance(db, { v0: v0.dir, v1: v1.dir });
    }));
  });
  afterAll(async () => {
    await file.cleanup();
    await v0.cleanup();
    await v1.cleanup();
  });

  const run = (...argv: string[]): ReturnType<typeof runCliCommand> => runCliCommand(env, ['rules', ...argv, '--rules', v1.dir, '--since', '2026-03-01T00:00:00Z']);

  it('stats prints a table per rule and version, or the report as JSON', async () => {
    const table = await run('stats');
    expect(table.code, table.err).toBe(0);
    expect(table.out).toMatch(/^Rule hits since 2026-03-01T00:00:00.000Z \(6 decisions; active rule set [0-9a-f]{12}\)$/m);
    expect(table.out).toMatch(/^RULE\s+VERSION\s+EVALUATED\s+FIRED\s+RATE\s+ACTIONS OK\s+FAILED\s+PENDING\s+DROPPED$/m);
    expect(table.out).toMatch(/^invoice-category\s+\S+\s+4\s+2\s+50\.0%\s+2\s+0\s+0\s+0$/m);
    expect(table.out).toMatch(/^outage\s+\S+\s+4\s+1\s+25\.0%\s+0\s+1\s+0\s+0$/m);

    const json = await run('stats', '--format', 'json');
    expect(json.code).toBe(0);
    const body = JSON.parse(json.out) as { activeVersion: string; rules: { ruleId: string; ruleSetVersion: string; fired: number }[] };
    expect(body.activeVersion).toBe(seed.v1.version);
    expect(body.rules.find((r) => r.ruleId === 'legacy-team' && r.ruleSetVersion === seed.v1.version)?.fired).toBe(2);
  });

  it('dead lists never-fired, stopped, overridden and event-less rules with where they are', async () => {
    const out = await run('dead');
    expect(out.code, out.err).toBe(0);
    expect(out.out).toMatch(/^legacy-team\s+\S+rules\.yaml:\d+\s+5\s+2\s+its set is always overridden by a later rule \(team by invoice-team-override\)$/m);
    expect(out.out).toMatch(/^spam-followup\s+\S+\s+5\s+0\s+never reached: an earlier rule stopped every time \(spam-stop\)$/m);
    expect(out.out).toMatch(/^never-used\s+\S+\s+5\s+0\s+never fired$/m);
    expect(out.out).toMatch(/^closing\s+\S+\s+0\s+0\s+none of its events happened$/m);
    const json = JSON.parse((await run('dead', '--format', 'json')).out) as { rules: { ruleId: string; reason: string }[] };
    expect(json.rules.map((r) => r.reason)).toEqual(['overridden', 'no-events', 'never-fired', 'unreachable-after-stop']);
  });

  it('corrections shows the share per rule and field with example tickets', async () => {
    const out = await run('corrections');
    expect(out.code, out.err).toBe(0);
    expect(out.out).toContain('Corrections since 2026-03-01T00:00:00.000Z: 1 of 5 decided tickets corrected by hand (20.0%)');
    expect(out.out).toMatch(new RegExp(`^invoice-team-override\\s+team\\s+2\\s+1\\s+50\\.0%\\s+accounts → sales ×1\\s+${seed.numbers.invoice}$`, 'm'));
    expect(out.out).toMatch(new RegExp(`^invoice-category\\s+category\\s+3\\s+1\\s+33\\.3%\\s+billing → invoice-other ×1\\s+${seed.numbers.invoice}$`, 'm'));
    const json = JSON.parse((await run('corrections', '--format', 'json')).out) as { share: number };
    expect(json.share).toBe(0.2);
  });

  it('refuses a bad window or format with exit 2, an invalid rule set with exit 1', async () => {
    const badSince = await runCliCommand(env, ['rules', 'stats', '--rules', v1.dir, '--since', 'last week']);
    expect(badSince.code).toBe(2);
    expect(badSince.err).toContain('TRIAGE_GOVERNANCE_INVALID_SINCE Invalid window "last week"');
    expect((await run('stats', '--format', 'xml')).code).toBe(2);
    const broken = await writeRuleDir('rules:\n  - id: x\n    on: [ticket.created]\n    then: [ { set: { nonsense: 1 } } ]\n');
    try {
      const res = await runCliCommand(env, ['rules', 'dead', '--rules', broken.dir]);
      expect(res.code).toBe(1);
      expect(res.err).toContain('TRIAGE_REPLAY_RULES_INVALID');
    } finally {
      await broken.cleanup();
    }
  });
});
