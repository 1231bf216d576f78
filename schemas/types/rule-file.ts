/* Generated from schemas/rule-file.schema.json by `npm run gen:types`. Do not edit. */

/**
 * A json-rules-engine condition tree: all / any / not, or a fact comparison.
 *
 * This interface was referenced by `RuleFile`'s JSON-Schema
 * via the `definition` "Condition".
 */
export type Condition = AllCondition | AnyCondition | NotCondition | FactCondition;

/**
 * A triage rule file: rules (json-rules-engine conditions + actions), optional named lists, cron schedules and rule-set settings.
 */
export interface RuleFile {
  settings?: RuleSetSettings;
  /**
   * Named lists usable with the inList / notInList operators.
   */
  lists?: {
    [k: string]: (string | number)[];
  };
  /**
   * Cron schedules: at each tick `schedule.<name>` is raised on every selected ticket (docs/automations.md).
   */
  schedules?: Schedule[];
  rules?: Rule[];
}
/**
 * This interface was referenced by `RuleFile`'s JSON-Schema
 * via the `definition` "Settings".
 */
export interface RuleSetSettings {
  /**
   * Decisions whose confidence is below this are flagged for manual review (R11).
   */
  reviewThreshold?: number;
  /**
   * Tag added to tickets flagged for review.
   */
  reviewTag?: string;
}
/**
 * This interface was referenced by `RuleFile`'s JSON-Schema
 * via the `definition` "Schedule".
 */
export interface Schedule {
  /**
   * Rules react to it with `on: [schedule.<name>]`; unique across the rule set.
   */
  name: string;
  description?: string;
  /**
   * Five-field cron expression (minute hour day-of-month month day-of-week), read in `timezone`, e.g. "0 8 * * *".
   */
  cron: string;
  /**
   * IANA time zone of the cron fields, e.g. Europe/Warsaw.
   */
  timezone?: string;
  tickets?: TicketSelector;
}
/**
 * Which tickets get the event: each list is any-of, lists combine with and. Default: every ticket that is not closed.
 */
export interface TicketSelector {
  /**
   * @minItems 1
   */
  status?: ['new' | 'open' | 'pending' | 'solved' | 'closed', ...('new' | 'open' | 'pending' | 'solved' | 'closed')[]];
  /**
   * @minItems 1
   */
  category?: [string, ...string[]];
  /**
   * @minItems 1
   */
  priority?: ['P1' | 'P2' | 'P3' | 'P4', ...('P1' | 'P2' | 'P3' | 'P4')[]];
  /**
   * @minItems 1
   */
  team?: [string, ...string[]];
  /**
   * @minItems 1
   */
  queue?: [string, ...string[]];
  /**
   * @minItems 1
   */
  channel?: [string, ...string[]];
  /**
   * The ticket has at least one of these tags.
   *
   * @minItems 1
   */
  tags?: [string, ...string[]];
}
/**
 * This interface was referenced by `RuleFile`'s JSON-Schema
 * via the `definition` "Rule".
 */
export interface Rule {
  /**
   * Unique id across the rule set (lower-case, digits, . _ -); `review` is reserved for the review tag.
   */
  id: string;
  description?: string;
  /**
   * Events the rule reacts to.
   *
   * @minItems 1
   */
  on: [string, ...string[]];
  /**
   * Higher runs first; ties run in file order.
   */
  priority?: number;
  enabled?: boolean;
  /**
   * How sure this rule is of the category/priority/team it sets (R11).
   */
  confidence?: number;
  /**
   * When the rule fires, no later rule runs in this evaluation.
   */
  stop?: boolean;
  when?: Condition;
  /**
   * @minItems 1
   */
  then: [Action, ...Action[]];
}
/**
 * This interface was referenced by `RuleFile`'s JSON-Schema
 * via the `definition` "AllCondition".
 */
export interface AllCondition {
  all: Condition[];
  name?: string;
}
/**
 * This interface was referenced by `RuleFile`'s JSON-Schema
 * via the `definition` "AnyCondition".
 */
export interface AnyCondition {
  any: Condition[];
  name?: string;
}
/**
 * This interface was referenced by `RuleFile`'s JSON-Schema
 * via the `definition` "NotCondition".
 */
export interface NotCondition {
  not: Condition;
  name?: string;
}
/**
 * This interface was referenced by `RuleFile`'s JSON-Schema
 * via the `definition` "FactCondition".
 */
export interface FactCondition {
  /**
   * ticket, message, customer, sla, now or order.
   */
  fact: string;
  /**
   * Plain dotted path inside the fact, e.g. subject, from.domain, attachments.length. Never JSONPath.
   */
  path?: string;
  operator: string;
  /**
   * The value to compare with, or { fact, path } to compare with another fact.
   */
  value: {
    [k: string]: unknown;
  };
  params?: {
    [k: string]: unknown;
  };
  name?: string;
}
/**
 * One action: an object with exactly one key, the action type (set, tag, untag, reply, note, acknowledge, escalate, followUp, slack.postMessage, jira.createIssue, jira.addComment, webhook.post, email.send).
 *
 * This interface was referenced by `RuleFile`'s JSON-Schema
 * via the `definition` "Action".
 */
export interface Action {}
