/**
 * Rule governance over stored decisions (docs/governance.md): hit statistics,
 * dead rules, corrections and replay, on SQLite and PostgreSQL, with tickets
 * made by the real TicketService.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseOptionsOf, RULES_V0, rulesV1, seedGovernance, writeRuleDir, type GovernanceSeed, type RuleDir } from '../../test/helpers/governance-fixture.js';
import { rowCounts } from '../../test/helpers/row-counts.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import { correctionStats } from './correction-stats.js';
import { deadRules } from './dead-rules.js';
import { loadRulesOrThrow } from './load-rules-or-throw.js';
import { openReadOnlyDatabase } from './open-read-only-database.js';
import { replayTickets } from './replay.js';
import { ruleStats } from './rule-stats.js';
import { storedDecisions } from './stored-decisions.js';

const SINCE = '2026-03-01T00:00:00.000Z';

describe.each<StoreKind>(['sqlite', 'postgres'])('rule governance (%s)', (kind) => {
  let harness: StoreHarness;
  let db: Knex;
  let seed: GovernanceSeed;
  const dirs: RuleDir[] = [];

  beforeAll(async () => {
    harness = createStoreHarness(kind);
    db = await harness.open();
    const v0 = await writeRuleDir(RULES_V0);
    const v1 = await writeRuleDir(rulesV1());
    dirs.push(v0, v1);
    seed = await seedGovernance(db, { v0: v0.dir, v1: v1.dir });
  });
  afterAll(async () => {
    await harness.close();
    await Promise.all(dirs.map((d) => d.cleanup()));
  });

  it('counts per rule and version: evaluated, fired, and how the actions fared in the outbox', async () => {
    const report = await ruleStats(db, seed.v1, SINCE);
    // four ticket.created decisions of v1, one of v0, one ticket.updated (the agent's change)
    expect(report.decisions).toBe(6);
    const v1 = Object.fromEntries(report.rules.filter((r) => r.ruleSetVersion === seed.v1.version).map((r) => [r.ruleId, [r.evaluated, r.fired, r.actions.succeeded, r.actions.failed]]));
    expect(v1).toEqual({
      'spam-stop': [4, 1, 0, 0],
      'invoice-category': [4, 2, 2, 0],
      'legacy-team': [4, 2, 0, 0],
      'invoice-team-override': [4, 2, 0, 0],
      outage: [4, 1, 0, 1],
      'never-used': [4, 0, 0, 0],
      'spam-followup': [4, 0, 0, 0],
      closing: [0, 0, 0, 0],
    });
    // active rows first, in execution order
    expect(report.rules.slice(0, 3).map((r) => r.ruleId)).toEqual(['spam-stop', 'invoice-category', 'legacy-team']);
    const old = report.rules.find((r) => r.ruleSetVersion === seed.v0.version && r.ruleId === 'invoice-category');
    expect(old).toMatchObject({ active: true, evaluated: 1, fired: 1, fireRate: 1 });
    expect(report.rules.find((r) => r.ruleId === 'outage' && r.ruleSetVersion === seed.v1.version)?.fireRate).toBe(0.25);

    // a window after everything: the rules are listed, nothing counted
    const empty = await ruleStats(db, seed.v1, '2026-04-01T00:00:00.000Z');
    expect(empty.decisions).toBe(0);
    expect(empty.rules.every((r) => r.fired === 0 && r.evaluated === 0)).toBe(true);
  });

  it('finds rules that never fired, never had an event, were stopped, or whose set is always overridden', async () => {
    const report = await deadRules(db, seed.v1, SINCE);
    expect(report.rules.map((r) => [r.ruleId, r.reason, r.by, r.fields])).toEqual([
      ['legacy-team', 'overridden', ['invoice-team-override'], ['team']],
      // closing has the default priority (50): execution order puts it here
      ['closing', 'no-events', [], []],
      ['never-used', 'never-fired', [], []],
      ['spam-followup', 'unreachable-after-stop', ['spam-stop'], []],
    ]);
    expect(report.rules[0]).toMatchObject({ evaluated: 5, fired: 2, hasOtherEffects: false, file: expect.stringContaining('rules.yaml') as unknown });
  });

  it('reports the share of decisions agents corrected, per rule and field, with example tickets', async () => {
    const report = await correctionStats(db, SINCE);
    expect(report).toMatchObject({ tickets: 5, correctedTickets: 1, share: 0.2 });
    const corrected = report.rules.filter((r) => r.corrected > 0).map((r) => [r.ruleId, r.field, r.decided, r.corrected, r.share, r.examples, r.top]);
    expect(corrected).toEqual([
      ['invoice-team-override', 'team', 2, 1, 0.5, [seed.numbers.invoice], [{ from: 'accounts', to: 'sales', count: 1 }]],
      ['invoice-category', 'category', 3, 1, 0.3333, [seed.numbers.invoice], [{ from: 'billing', to: 'invoice-other', count: 1 }]],
    ]);
    expect(report.rules.find((r) => r.ruleId === 'outage' && r.field === 'priority')).toMatchObject({ decided: 1, corrected: 0, share: 0 });
  });

  it('replays stored tickets with a changed rule set: exactly the expected tickets change, nothing is written', async () => {
    const before = await rowCounts(db);
    const changed = await writeRuleDir(rulesV1(['invoice', 'hello']));
    dirs.push(changed);
    const candidate = await loadRulesOrThrow(changed.dir);
    const report = await replayTickets(db, { base: seed.v1, candidate, since: SINCE });
    expect(report.replayed).toBe(5);
    // the baseline reproduces every stored decision of its own version from the reconstructed facts
    expect(report.reproduction).toEqual({ compared: 4, matched: 4 });
    expect(report.changedTickets).toBe(1);
    expect(report.fields.category).toMatchObject({ changed: 1, transitions: [{ from: '-', to: 'billing', count: 1 }], examples: [{ ticket: seed.numbers.hello, from: '-', to: 'billing' }] });
    expect(report.fields.team.examples).toEqual([{ ticket: seed.numbers.hello, from: '-', to: 'accounts' }]);
    expect(report.fields.actions.examples).toEqual([{ ticket: seed.numbers.hello, from: '-', to: 'note(invoice-category)' }]);
    expect(report.fields.priority.changed).toBe(0);
    expect(report.fields.review.changed).toBe(0);

    // the same set against itself changes nothing; a ticket list limits the replay
    // pages of two tickets give the same report as one page
    expect(await replayTickets(db, { base: seed.v1, candidate, since: SINCE, batchSize: 2 })).toEqual(report);
    const same = await replayTickets(db, { base: seed.v1, candidate: seed.v1, tickets: [seed.numbers.hello, seed.numbers.spam, seed.numbers.old], batchSize: 2 });
    expect(same).toMatchObject({ replayed: 3, changedTickets: 0, since: null });
    expect(await rowCounts(db)).toEqual(before);
  });

  it('reads the decisions of a window in pages, each exactly once', async () => {
    const all: string[] = [];
    for await (const d of storedDecisions(db, SINCE, 2)) all.push(d.id);
    expect(all).toHaveLength(6);
    expect(new Set(all).size).toBe(6);
    const one: string[] = [];
    for await (const d of storedDecisions(db, SINCE)) one.push(d.id);
    expect(new Set(one)).toEqual(new Set(all));
    // the window filters: the v0 ticket's decision is the first minute's
    const later: string[] = [];
    for await (const d of storedDecisions(db, '2026-03-01T08:01:30.000Z', 2)) later.push(d.id);
    expect(later).toHaveLength(5);
  });

  it('opens the database read-only: reads work, a write is refused', async () => {
    const { env: _env, ...options } = databaseOptionsOf(db);
    const ro = await openReadOnlyDatabase(options);
    try {
      expect((await ruleStats(ro, seed.v1, SINCE)).decisions).toBe(6);
      await expect(ro('counters').update({ value: 99 })).rejects.toThrow(/read.?only/i);
    } finally {
      await ro.destroy();
    }
  });
});
