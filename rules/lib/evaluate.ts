import { TriageError } from '../../engine/errors/triage-error.js';
import { renderTemplate } from './render-template.js';
import type { CompiledAction, CompiledRule, RuleSet } from './rule-set.js';
import {
  CONFIDENCE_FIELDS,
  REVIEW_TAG_RULE_ID,
  ROUTING_FIELDS,
  isEventName,
  type ConditionTrace,
  type Decision,
  type DecisionAction,
  type EvaluationInput,
  type FactName,
  type FactObject,
  type Facts,
  type FieldChange,
  type RuleTrace,
  type TagChange,
  type TicketField,
} from './rule-types.js';

export interface EvaluateOptions {
  /** Record, per rule, whether it fired and each condition with the actual fact value. */
  explain?: boolean;
}

/** decide()'s options: EvaluateOptions and one for the store (engine/tickets/rule-set-decide.ts). */
export interface DecideOptions extends EvaluateOptions {
  /**
   * The `sla` fact as a function of the ticket the rules leave (ticket.created:
   * the rules set the priority the clocks run on), instead of `facts.sla`.
   * Only for events whose conditions do not read `sla` (RuleSet.conditionFactsFor):
   * then which rules fire does not depend on it, and the templates that read
   * it are rendered after the last rule, with the clocks of the decided ticket
   * and every other fact as it was when their rule fired. The decision is the
   * one a second run with those clocks would give, for a single run.
   */
  lateSla?: (ticket: FactObject) => FactObject | undefined;
}

/** An action whose params wait for the late `sla` fact (DecideOptions.lateSla). */
interface LateAction {
  at: number;
  action: CompiledAction;
  ruleId: string;
  /** The ticket as it was when the rule fired (its own copy: later rules go on changing the working one). */
  ticket: FactObject;
}

/**
 * Evaluate a rule set for one event. Lazy facts (e.g. the customer from the
 * CRM) are loaded first, and only when a rule of this event reads them; the
 * rules then run synchronously on a private copy of the facts. Nothing is
 * shared between calls, so any number of evaluations may run concurrently on
 * one RuleSet (the json-rules-engine trap in DESIGN.md cannot happen here).
 */
export async function evaluate(ruleSet: RuleSet, input: EvaluationInput, options: EvaluateOptions = {}): Promise<Decision> {
  const event = input.event ?? 'ticket.created';
  if (!isEventName(event)) throw new TriageError('TRIAGE_EVAL_UNKNOWN_EVENT', [event]);
  if (!input.ticket || typeof input.ticket !== 'object' || Array.isArray(input.ticket)) {
    throw new TriageError('TRIAGE_EVAL_INVALID_INPUT', ['"ticket" must be an object']);
  }
  const { message: m, customer: c, sla: s, order: o } = input;
  if (typeof m !== 'function' && typeof c !== 'function' && typeof s !== 'function' && typeof o !== 'function') {
    // Nothing lazy (the stateless HTTP evaluate): no promises to make and wait for.
    return decide(ruleSet, event, { ticket: input.ticket, message: m, customer: c, sla: s, now: toIso(input.now), order: o }, options);
  }
  const needed = ruleSet.factsFor(event);
  const [message, customer, sla, order] = await Promise.all([
    loadFact('message', input.message, needed),
    loadFact('customer', input.customer, needed),
    loadFact('sla', input.sla, needed),
    loadFact('order', input.order, needed),
  ]);
  const facts: Facts = { ticket: input.ticket, message, customer, sla, now: toIso(input.now), order };
  return decide(ruleSet, event, facts, options);
}

async function loadFact(name: FactName, source: EvaluationInput['message'], needed: ReadonlySet<FactName>): Promise<FactObject | undefined> {
  if (typeof source !== 'function') return source;
  if (!needed.has(name)) return undefined; // nobody reads it: do not pay for a CRM call
  try {
    return await source();
  } catch (e) {
    throw new TriageError('TRIAGE_EVAL_FACT_FAILED', [name, e instanceof Error ? e.message : String(e)], { cause: e });
  }
}

function toIso(now: string | Date | undefined): string {
  if (now === undefined) return new Date().toISOString();
  const d = now instanceof Date ? now : new Date(now);
  if (Number.isNaN(d.getTime())) throw new TriageError('TRIAGE_EVAL_INVALID_INPUT', [`"now" is not a valid date: ${String(now)}`]);
  return d.toISOString();
}

/**
 * The synchronous core: run the rules of `event` against resolved facts. CPU
 * only, no I/O, so the store may call it inside its transaction.
 */
export function decide(ruleSet: RuleSet, event: string, facts: Facts, options: DecideOptions = {}): Decision {
  const explain = options.explain === true;
  const lateSla = options.lateSla;
  const late: LateAction[] = [];
  const originalTags = tagsOf(facts.ticket.tags);
  // A private, shallow copy: `set` and `tag` must be visible to later rules but never leak to the caller.
  const ticket = copyFacts(facts.ticket);
  ticket.tags = [...originalTags];
  const working: Facts = { ticket, message: facts.message, customer: facts.customer, sla: facts.sla, now: facts.now, order: facts.order };
  const changeLog: FieldChange[] = [];
  const tagLog: TagChange[] = [];
  const actions: DecisionAction[] = [];
  const fired: string[] = [];
  const trace: RuleTrace[] | undefined = explain ? [] : undefined;
  let confidence: number | null = null;
  const lowConfidenceRules: string[] = [];
  let stopped = false;

  for (const rule of ruleSet.rulesFor(event)) {
    if (stopped) {
      trace?.push(ruleTrace(rule, 'skipped-stopped', []));
      continue;
    }
    let matched: boolean;
    let conditions: ConditionTrace[] = [];
    if (rule.condition === undefined) matched = true;
    else if (explain) {
      conditions = [];
      matched = rule.condition.explain(working, conditions);
    } else matched = rule.condition.test(working);
    trace?.push(ruleTrace(rule, matched ? 'fired' : 'not-matched', conditions));
    if (!matched) continue;

    fired.push(rule.id);
    let routesOrClassifies = false;
    for (const action of rule.actions) {
      if (action.kind === 'set') {
        for (const [field, to] of Object.entries(action.params as Record<string, unknown>)) {
          const from = ticket[field];
          if (from === to) continue;
          ticket[field] = to;
          changeLog.push({ field: field as TicketField, from, to, ruleId: rule.id });
          if (CONFIDENCE_FIELDS.includes(field as TicketField)) routesOrClassifies = true;
        }
      } else if (action.kind === 'tag' || action.kind === 'untag') {
        const tags = ticket.tags as string[];
        for (const tag of toList(action.params)) {
          const i = tags.indexOf(tag);
          if (action.kind === 'tag' && i < 0) {
            tags.push(tag);
            tagLog.push({ tag, action: 'add', ruleId: rule.id });
          }
          if (action.kind === 'untag' && i >= 0) {
            tags.splice(i, 1);
            tagLog.push({ tag, action: 'remove', ruleId: rule.id });
          }
        }
      } else if (lateSla !== undefined && readsSla(action)) {
        const snapshot = copyFacts(ticket);
        snapshot.tags = [...(ticket.tags as string[])];
        late.push({ at: actions.length, action, ruleId: rule.id, ticket: snapshot });
        actions.push({ type: action.type, params: {}, ruleId: rule.id, index: action.index });
      } else {
        actions.push({ type: action.type, params: renderParams(action, working, rule.id), ruleId: rule.id, index: action.index });
      }
    }
    if (routesOrClassifies && rule.confidence !== undefined) {
      confidence = confidence === null ? rule.confidence : Math.min(confidence, rule.confidence);
      if (rule.confidence < ruleSet.settings.reviewThreshold) lowConfidenceRules.push(`${rule.id} (confidence ${rule.confidence})`);
    } else if (routesOrClassifies && confidence === null) {
      confidence = 1;
    }
    if (rule.stop) stopped = true;
  }

  const changes: Partial<Record<TicketField, unknown>> = {};
  for (const c of changeLog) changes[c.field] = c.to;
  for (const field of Object.keys(changes) as TicketField[]) if (facts.ticket[field] === changes[field]) delete changes[field];

  // R11: below the threshold, classify but do not route blindly — hold routing back for a human.
  const review = confidence !== null && confidence < ruleSet.settings.reviewThreshold;
  const suggested: Partial<Record<TicketField, unknown>> = {};
  let appliedLog = changeLog;
  const reviewReasons: string[] = [];
  if (review) {
    for (const field of ROUTING_FIELDS) {
      if (field in changes) {
        suggested[field] = changes[field];
        delete changes[field];
      }
    }
    appliedLog = changeLog.filter((c) => !ROUTING_FIELDS.includes(c.field));
    reviewReasons.push(`confidence ${confidence} is below the review threshold ${ruleSet.settings.reviewThreshold}: ${lowConfidenceRules.join(', ')}`);
    const tags = ticket.tags as string[];
    if (!tags.includes(ruleSet.settings.reviewTag)) {
      tags.push(ruleSet.settings.reviewTag);
      tagLog.push({ tag: ruleSet.settings.reviewTag, action: 'add', ruleId: REVIEW_TAG_RULE_ID });
    }
  }

  if (lateSla !== undefined && late.length > 0) {
    // The clocks of the ticket as decided: the caller's ticket with the changes applied (routing held back for review is not).
    const sla = lateSla({ ...facts.ticket, ...changes });
    for (const l of late) {
      const done = actions[l.at];
      if (done !== undefined) done.params = renderParams(l.action, { ...working, ticket: l.ticket, sla }, l.ruleId);
    }
  }

  const finalTags = ticket.tags as string[];
  const decision: Decision = {
    ruleSetVersion: ruleSet.version,
    event,
    changes,
    changeLog: appliedLog,
    suggested,
    tags: { added: finalTags.filter((t) => !originalTags.includes(t)), removed: originalTags.filter((t) => !finalTags.includes(t)) },
    tagLog,
    actions,
    firedRules: fired,
    confidence,
    review,
    reviewReasons,
  };
  if (trace) decision.trace = trace;
  return decision;
}

/**
 * Shallow copy by a key loop. On Node 20's V8, writing properties into an
 * object made by `{ ...spread }` takes a slow path (~0.5 µs per write), and
 * `set` writes into this copy on every fired rule.
 */
function copyFacts(source: FactObject): FactObject {
  const out: FactObject = {};
  for (const key of Object.keys(source)) {
    // JSON input may carry an own "__proto__" key; assignment would set the prototype instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value: source[key], enumerable: true, writable: true, configurable: true });
    else out[key] = source[key];
  }
  return out;
}

function ruleTrace(rule: CompiledRule, outcome: RuleTrace['outcome'], conditions: ConditionTrace[]): RuleTrace {
  return { ruleId: rule.id, file: rule.file, line: rule.line, priority: rule.priority, outcome, conditions };
}

function tagsOf(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
}

function toList(v: unknown): string[] {
  return typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
}

/**
 * Whether one of the action's templates reads the `sla` fact (asked once per
 * action). A template not compiled ahead counts as reading it: rendering late
 * is right for any template, rendering early only for those that do not read it.
 */
const slaReaders = new WeakMap<CompiledAction, boolean>();
function readsSla(action: CompiledAction): boolean {
  let reads = slaReaders.get(action);
  if (reads === undefined) {
    reads = action.templates.some((field) => {
      const compiled = action.compiledTemplates?.[field];
      return compiled === undefined || compiled.facts.includes('sla');
    });
    slaReaders.set(action, reads);
  }
  return reads;
}

/** Only actions of fired rules get here: templates cost nothing for rules that do not match. */
function renderParams(action: CompiledAction, facts: Facts, ruleId: string): Record<string, unknown> {
  const params = action.params && typeof action.params === 'object' ? { ...(action.params as Record<string, unknown>) } : {};
  for (const field of action.templates) {
    const t = params[field];
    if (typeof t !== 'string') continue;
    params[field] = renderTemplate(action.compiledTemplates?.[field] ?? t, facts, { ruleId, action: action.type, field });
  }
  return params;
}
