/**
 * Types shared by the rule language: the facts an evaluation sees, compiled
 * rules and the decision an evaluation returns. The on-disk shape of a rule
 * file is generated from schemas/rule-file.schema.json (schemas/types/).
 */

export const FACT_NAMES = ['ticket', 'message', 'customer', 'sla', 'now', 'order'] as const;
export type FactName = (typeof FACT_NAMES)[number];

export const BASE_EVENTS = [
  'ticket.created',
  'message.received',
  'ticket.updated',
  'status.changed',
  // The CRM answered after the ticket was created without it (R8, docs/enrichment.md).
  'ticket.enriched',
  'sla.warning',
  'sla.breached',
  'ticket.closed',
] as const;
export type BaseEvent = (typeof BASE_EVENTS)[number];
/** `schedule.<name>` events come from the scheduler (follow-ups, reminders). */
export type EventName = BaseEvent | `schedule.${string}`;

export function isEventName(e: string): e is EventName {
  return (BASE_EVENTS as readonly string[]).includes(e) || /^schedule\.[a-z0-9][a-z0-9._-]*$/i.test(e);
}

/** Plain JSON-ish value as facts carry them. */
export type FactValue = unknown;
export type FactObject = Record<string, unknown>;

/** A fact may be given as a value or loaded lazily (e.g. customer from the CRM). */
export type FactSource = FactValue | (() => FactValue | Promise<FactValue>);

export interface EvaluationInput {
  event?: string;
  ticket: FactObject;
  message?: FactObject | (() => Promise<FactObject | undefined>);
  customer?: FactObject | (() => Promise<FactObject | undefined>);
  sla?: FactObject | (() => Promise<FactObject | undefined>);
  /** The e-commerce order the ticket mentions (BaseLinker, Shoper; docs/orders.md). */
  order?: FactObject | (() => Promise<FactObject | undefined>);
  /** Injectable clock: ISO string or Date; defaults to the real time. */
  now?: string | Date;
}

/** The resolved facts one evaluation runs against. `now` is an ISO string. */
export interface Facts {
  ticket: FactObject;
  message: FactObject | undefined;
  customer: FactObject | undefined;
  sla: FactObject | undefined;
  now: string;
  /** The order fact (docs/orders.md); optional so callers that know no order need not name it. */
  order?: FactObject | undefined;
}

/** Where something came from in a rule file, for error messages and traces. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export type TicketField = 'category' | 'priority' | 'team' | 'queue' | 'assignee' | 'status' | 'language' | 'type';
/** Fields whose change routes a ticket; withheld when a decision needs review (R11). */
export const ROUTING_FIELDS: readonly TicketField[] = ['team', 'queue', 'assignee'];
/** Fields whose setting makes a rule's confidence count (R11). */
export const CONFIDENCE_FIELDS: readonly TicketField[] = ['category', 'priority', 'team', 'queue', 'assignee'];

export interface FieldChange {
  field: TicketField;
  from: unknown;
  to: unknown;
  ruleId: string;
}

/**
 * One tag a rule added or removed, so the audit trail can name the rule
 * (R13 "which rule did what"). The review tag added for R11 has the ruleId
 * `review` (REVIEW_TAG_RULE_ID): no single rule adds it, the decision's
 * confidence does.
 */
export interface TagChange {
  tag: string;
  action: 'add' | 'remove';
  ruleId: string;
}

export const REVIEW_TAG_RULE_ID = 'review';

export interface DecisionAction {
  type: string;
  /** Params with {{placeholders}} rendered against the facts at decision time. */
  params: Record<string, unknown>;
  ruleId: string;
  /** Position of the action within the rule's `then` list; part of the idempotency key. */
  index: number;
}

export interface ConditionTrace {
  /** e.g. `ticket.subject containsAnyWord ["faktura*"]` */
  fact: string;
  path: string | undefined;
  operator: string;
  value: unknown;
  /** The value the fact had at evaluation time (undefined when missing). */
  actual: unknown;
  result: boolean;
}

export interface RuleTrace {
  ruleId: string;
  file: string;
  line: number;
  priority: number;
  /** `fired`, `not-matched`, or skipped because an earlier rule stopped the evaluation. */
  outcome: 'fired' | 'not-matched' | 'skipped-stopped';
  conditions: ConditionTrace[];
}

export interface Decision {
  ruleSetVersion: string;
  event: string;
  /** Final values of fields the rules set (routing fields withheld under review are in `suggested`). */
  changes: Partial<Record<TicketField, unknown>>;
  /** Every field change in order, with the rule that made it. */
  changeLog: FieldChange[];
  /** Routing the rules wanted but that was held back because the decision needs review. */
  suggested: Partial<Record<TicketField, unknown>>;
  tags: { added: string[]; removed: string[] };
  /** Every tag change in order, with the rule that made it; a tag already there (or already gone) is no change. */
  tagLog: TagChange[];
  actions: DecisionAction[];
  firedRules: string[];
  /** Lowest confidence of the rules that set category/priority/routing; null when none did. */
  confidence: number | null;
  review: boolean;
  reviewReasons: string[];
  trace?: RuleTrace[];
}
