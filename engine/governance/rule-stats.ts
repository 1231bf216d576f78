import type { Knex } from 'knex';
import type { RuleSet } from '../../rules/lib/rule-set.js';
import { storedDecisions } from './stored-decisions.js';

/** Outcomes of the outbox rows (actions) a rule's decisions wrote. */
export interface ActionOutcomes {
  succeeded: number;
  failed: number;
  /** Not delivered yet (pending or in flight). */
  pending: number;
  /** Given up on by an operator. */
  dropped: number;
}

export interface RuleStat {
  ruleId: string;
  ruleSetVersion: string;
  /** Whether a rule with this id is in the active rule set. */
  active: boolean;
  /**
   * Decisions of this version for the events the rule listens to in the
   * active set; null for a rule that is not in the active set (its events are
   * not known any more: only the decisions are stored, not the old rules).
   */
  evaluated: number | null;
  fired: number;
  /** fired / evaluated, rounded to 4 places; null when nothing was evaluated. */
  fireRate: number | null;
  actions: ActionOutcomes;
}

export interface RuleStatsReport {
  since: string;
  activeVersion: string;
  decisions: number;
  rules: RuleStat[];
}

/** The bookkeeping one pass over the decisions of a window produces; shared by stats and dead rules. */
export interface DecisionTally {
  decisions: number;
  /** version → event → decisions */
  byVersionEvent: Map<string, Map<string, number>>;
  /** version → rule id → times fired */
  firedByVersion: Map<string, Map<string, number>>;
}

export async function tallyDecisions(db: Knex, since: string): Promise<DecisionTally> {
  const tally: DecisionTally = { decisions: 0, byVersionEvent: new Map(), firedByVersion: new Map() };
  for await (const d of storedDecisions(db, since)) {
    tally.decisions++;
    const events = mapOf(tally.byVersionEvent, d.ruleSetVersion);
    events.set(d.event, (events.get(d.event) ?? 0) + 1);
    const fired = mapOf(tally.firedByVersion, d.ruleSetVersion);
    for (const id of new Set(d.decision.firedRules)) fired.set(id, (fired.get(id) ?? 0) + 1);
  }
  return tally;
}

/**
 * Hit statistics per rule id and rule-set version over a window: how often
 * the rule was evaluated (decisions of its events), how often it fired, and
 * how the actions it decided fared in the outbox. Read-only.
 */
export async function ruleStats(db: Knex, ruleSet: RuleSet, since: string): Promise<RuleStatsReport> {
  const tally = await tallyDecisions(db, since);
  const outcomes = await actionOutcomes(db, since);
  const activeRules = new Map(ruleSet.rules.map((r) => [r.id, r]));

  const keys = new Map<string, { ruleId: string; version: string }>();
  const add = (version: string, ruleId: string): void => void keys.set(`${version}\u0000${ruleId}`, { ruleId, version });
  for (const rule of ruleSet.rules) if (rule.enabled) add(ruleSet.version, rule.id);
  for (const [version, fired] of tally.firedByVersion) for (const id of fired.keys()) add(version, id);
  for (const [version, rules] of tally.byVersionEvent) {
    // Active rules also count under older versions that made decisions for their events.
    if (version === ruleSet.version) continue;
    for (const rule of ruleSet.rules) if (rule.enabled && rule.events.some((e) => (rules.get(e) ?? 0) > 0)) add(version, rule.id);
  }
  for (const key of outcomes.keys()) {
    const [version = '', ruleId = ''] = key.split('\u0000');
    add(version, ruleId);
  }

  const rules: RuleStat[] = [];
  for (const [key, { ruleId, version }] of keys) {
    const rule = activeRules.get(ruleId);
    const events = tally.byVersionEvent.get(version);
    const evaluated = rule === undefined ? null : rule.events.reduce((n, e) => n + (events?.get(e) ?? 0), 0);
    const fired = tally.firedByVersion.get(version)?.get(ruleId) ?? 0;
    rules.push({
      ruleId,
      ruleSetVersion: version,
      active: rule !== undefined,
      evaluated,
      fired,
      fireRate: evaluated === null || evaluated === 0 ? null : Math.round((fired / evaluated) * 10_000) / 10_000,
      actions: outcomes.get(key) ?? { succeeded: 0, failed: 0, pending: 0, dropped: 0 },
    });
  }
  const order = new Map(ruleSet.rules.map((r, i) => [r.id, i]));
  rules.sort(
    (a, b) =>
      Number(b.ruleSetVersion === ruleSet.version) - Number(a.ruleSetVersion === ruleSet.version) ||
      a.ruleSetVersion.localeCompare(b.ruleSetVersion) ||
      (order.get(a.ruleId) ?? Infinity) - (order.get(b.ruleId) ?? Infinity) ||
      a.ruleId.localeCompare(b.ruleId),
  );
  return { since, activeVersion: ruleSet.version, decisions: tally.decisions, rules };
}

async function actionOutcomes(db: Knex, since: string): Promise<Map<string, ActionOutcomes>> {
  // Outbox rows are written in the decision's transaction, so their created_at is the decision's time.
  const rows = (await db('outbox')
    .select('rule_id', 'rule_set_version', 'status')
    .count({ n: '*' })
    .where('created_at', '>=', since)
    .groupBy('rule_id', 'rule_set_version', 'status')) as Array<{ rule_id: string; rule_set_version: string; status: string; n: number | string }>;
  const out = new Map<string, ActionOutcomes>();
  for (const r of rows) {
    const key = `${r.rule_set_version}\u0000${r.rule_id}`;
    const o = out.get(key) ?? { succeeded: 0, failed: 0, pending: 0, dropped: 0 };
    const n = Number(r.n);
    if (r.status === 'done') o.succeeded += n;
    else if (r.status === 'dead') o.failed += n;
    else if (r.status === 'dropped') o.dropped += n;
    else o.pending += n;
    out.set(key, o);
  }
  return out;
}

function mapOf<V>(outer: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = outer.get(key);
  if (inner === undefined) {
    inner = new Map();
    outer.set(key, inner);
  }
  return inner;
}
