import type { Knex } from 'knex';
import type { CompiledRule, RuleSet } from '../../rules/lib/rule-set.js';
import type { Decision } from '../../rules/lib/rule-types.js';
import { createdFacts } from './reconstruct-facts.js';
import { loadBatch, type CreatedRow } from './replay.js';
import { storedDecisions } from './stored-decisions.js';

/** Stopped decisions checked per rule for "would it have matched": enough to be sure, bounded in cost. */
const STOP_CHECKS_PER_RULE = 500;

/**
 * Why a rule of the active set does nothing useful over the window:
 * - `never-fired`: it listens to events that happened but never matched;
 * - `no-events`: none of its events happened in the window;
 * - `unreachable-after-stop`: it never fired, and an earlier rule with
 *   `stop: true` fired in every decision of its events, or in decisions
 *   where its own condition would have matched (so it never got the chance);
 * - `overridden`: it fired, but every field it sets was set again by a later
 *   rule in every decision where it fired (its `set` never stands).
 */
export type DeadRuleReason = 'never-fired' | 'no-events' | 'unreachable-after-stop' | 'overridden';

export interface DeadRule {
  ruleId: string;
  file: string;
  line: number;
  reason: DeadRuleReason;
  /** Decisions of the events the rule listens to. */
  evaluated: number;
  fired: number;
  /** The rules that stopped it (unreachable-after-stop) or overrode its fields (overridden). */
  by: string[];
  /** For `overridden`: the fields always set again by a later rule. */
  fields: string[];
  /** For `overridden`: the rule also tags or acts, so it is not useless, only its `set` is. */
  hasOtherEffects: boolean;
}

export interface DeadRulesReport {
  since: string;
  activeVersion: string;
  decisions: number;
  rules: DeadRule[];
}

interface RuleTally {
  evaluated: number;
  fired: number;
  stoppedBy: Set<string>;
  stoppedDecisions: number;
  /** Stopped `ticket.created` decisions kept to test the rule's condition on (see wouldHaveMatched). */
  stoppedCreated: CreatedRow[];
  /** field → [decisions where the rule fired, decisions where a later rule set the field again] */
  fieldOverrides: Map<string, { fired: number; overridden: number; by: Set<string> }>;
}

/**
 * Dead and shadowed rules of the active rule set over a window. Decisions do
 * not store the per-rule trace, so shadowing is read from what they do store
 * (firedRules in execution order, changeLog with the rule behind every
 * change); the heuristics are documented in docs/governance.md. Rules are
 * matched by id across rule-set versions.
 */
export async function deadRules(db: Knex, ruleSet: RuleSet, since: string): Promise<DeadRulesReport> {
  const enabled = ruleSet.rules.filter((r) => r.enabled);
  const position = new Map(enabled.map((r, i) => [r.id, i]));
  const stopRules = enabled.filter((r) => r.stop);
  const tallies = new Map<string, RuleTally>(
    enabled.map((r) => [r.id, { evaluated: 0, fired: 0, stoppedBy: new Set(), stoppedDecisions: 0, stoppedCreated: [], fieldOverrides: new Map(setFields(r).map((f) => [f, { fired: 0, overridden: 0, by: new Set<string>() }])) }]),
  );
  let decisions = 0;

  for await (const stored of storedDecisions(db, since)) {
    decisions++;
    const d = stored.decision;
    const fired = new Set(d.firedRules);
    const stoppersFired = stopRules.filter((s) => fired.has(s.id) && s.events.includes(stored.event));
    for (const rule of enabled) {
      if (!rule.events.includes(stored.event)) continue;
      const t = tallies.get(rule.id)!;
      t.evaluated++;
      const firedAt = d.firedRules.indexOf(rule.id);
      if (firedAt < 0) {
        const stoppers = stoppersFired.filter((s) => (position.get(s.id) ?? Infinity) < (position.get(rule.id) ?? -1));
        if (stoppers.length > 0) {
          t.stoppedDecisions++;
          for (const s of stoppers) t.stoppedBy.add(s.id);
          if (stored.event === 'ticket.created' && t.stoppedCreated.length < STOP_CHECKS_PER_RULE) {
            t.stoppedCreated.push({ id: stored.id, ticket_id: stored.ticketId, rule_set_version: stored.ruleSetVersion, decision: '', created_at: stored.createdAt, parsed: d });
          }
        }
        continue;
      }
      t.fired++;
      for (const [field, o] of t.fieldOverrides) {
        o.fired++;
        // A later rule (fired after this one) changed the field: this rule's value did not stand.
        const later = d.changeLog.filter((c) => c.field === field && c.ruleId !== rule.id && d.firedRules.indexOf(c.ruleId) > firedAt);
        if (later.length > 0) {
          o.overridden++;
          for (const c of later) o.by.add(c.ruleId);
        }
      }
    }
  }

  const rules: DeadRule[] = [];
  for (const rule of enabled) {
    const t = tallies.get(rule.id)!;
    const base = { ruleId: rule.id, file: rule.file, line: rule.line, evaluated: t.evaluated, fired: t.fired };
    if (t.evaluated === 0) rules.push({ ...base, reason: 'no-events', by: [], fields: [], hasOtherEffects: false });
    else if (t.fired === 0 && (t.stoppedDecisions === t.evaluated || (await wouldHaveMatched(db, rule, t.stoppedCreated)) > 0)) rules.push({ ...base, reason: 'unreachable-after-stop', by: [...t.stoppedBy].sort(), fields: [], hasOtherEffects: false });
    else if (t.fired === 0) rules.push({ ...base, reason: 'never-fired', by: [], fields: [], hasOtherEffects: false });
    else if (t.fieldOverrides.size > 0 && [...t.fieldOverrides.values()].every((o) => o.overridden === o.fired)) {
      const by = new Set<string>();
      for (const o of t.fieldOverrides.values()) for (const id of o.by) by.add(id);
      rules.push({ ...base, reason: 'overridden', by: [...by].sort(), fields: [...t.fieldOverrides.keys()].sort(), hasOtherEffects: rule.actions.some((a) => a.kind !== 'set') });
    }
  }
  return { since, activeVersion: ruleSet.version, decisions, rules };
}

function setFields(rule: CompiledRule): string[] {
  const fields = new Set<string>();
  for (const a of rule.actions) if (a.kind === 'set') for (const f of Object.keys(a.params as Record<string, unknown>)) fields.add(f);
  return [...fields];
}

/**
 * How many of the stopped decisions the rule would have matched had it run.
 * When an earlier rule stopped the evaluation, every rule that fired ran
 * before this one, so the ticket this rule would have seen is the ticket as
 * created plus all of the decision's changes and tags: exact, up to the
 * limits of the reconstructed facts (docs/governance.md).
 */
async function wouldHaveMatched(db: Knex, rule: CompiledRule, stopped: readonly CreatedRow[]): Promise<number> {
  if (rule.condition === undefined) return stopped.length;
  let matched = 0;
  for (const item of await loadBatch(db, stopped)) {
    const decision = stopped.find((s) => s.id === item.decisionId)?.parsed;
    if (decision === undefined) continue;
    const facts = createdFacts(item.initial, item.message, item.customer, item.decidedAt);
    const ticket = { ...facts.ticket, ...decision.changes, tags: tagsAfter(item.initial.tags, decision) };
    if (rule.condition.test({ ...facts, ticket })) matched++;
  }
  return matched;
}

function tagsAfter(initial: readonly string[], d: Decision): string[] {
  const tags = new Set(initial);
  for (const t of d.tags.added) tags.add(t);
  for (const t of d.tags.removed) tags.delete(t);
  return [...tags];
}
