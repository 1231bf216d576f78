import type { CompiledCondition } from './compile-condition.js';
import type { ActionDefinition } from './action-catalogue.js';
import type { CompiledTemplate } from './render-template.js';
import type { FactName } from './rule-types.js';
import type { RuleSchedule } from './rule-schedules.js';

export interface CompiledAction {
  type: string;
  kind: ActionDefinition['kind'];
  params: unknown;
  templates: readonly string[];
  /** The template params parsed once at compile time, by param name (render-template.ts). */
  compiledTemplates?: Readonly<Record<string, CompiledTemplate>>;
  index: number;
}

export interface CompiledRule {
  id: string;
  description: string | undefined;
  file: string;
  line: number;
  column: number;
  priority: number;
  /** Position across the rule set (file order, then order in file): the tie-breaker after priority. */
  order: number;
  events: readonly string[];
  enabled: boolean;
  confidence: number | undefined;
  stop: boolean;
  /** The condition as written (for explain output and replay). */
  when: unknown;
  condition: CompiledCondition | undefined;
  actions: readonly CompiledAction[];
}

export interface RuleSetSettings {
  reviewThreshold: number;
  reviewTag: string;
}

export interface RuleSetFile {
  /** Path as given (relative to the working directory when loaded from disk). */
  path: string;
  /** sha256 of the normalized content. */
  hash: string;
  rules: number;
}

/** An immutable, compiled rule set. Build once per version; share freely between concurrent evaluations. */
export interface RuleSet {
  /** Content hash of the normalized files, recorded with every decision. */
  version: string;
  files: readonly RuleSetFile[];
  /** Enabled and disabled rules in execution order (priority desc, then order). */
  rules: readonly CompiledRule[];
  settings: RuleSetSettings;
  lists: ReadonlyMap<string, readonly (string | number)[]>;
  /** Cron schedules (`schedules:`) raising `schedule.<name>` on selected tickets (docs/automations.md). */
  schedules: readonly RuleSchedule[];
  /** Enabled rules that react to an event, in execution order. */
  rulesFor(event: string): readonly CompiledRule[];
  /** Facts read by the rules of an event (conditions and templates), to preload lazy facts. */
  factsFor(event: string): ReadonlySet<FactName>;
  /** Of those, the facts the rules' conditions read (which rules fire depends on these alone). */
  conditionFactsFor(event: string): ReadonlySet<FactName>;
}
