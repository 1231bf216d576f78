/**
 * triage as a library (R23): load and validate a rule set, evaluate tickets,
 * run rule tests, and use the ticket store. The CLI and the server are built
 * on exactly this API.
 */
export { loadRuleSet, compileRuleSet, readRuleSources, ruleSetVersion, type RuleSetResult, type RuleSourceFile } from './rules/lib/load-rule-set.js';
export { evaluate, decide, type EvaluateOptions } from './rules/lib/evaluate.js';
export { findRuleTestFiles, runRuleTests, type RuleTestReport, type RuleTestResult } from './rules/lib/run-rule-tests.js';
export { operators, type OperatorDefinition } from './rules/lib/operators.js';
export { actionCatalogue, type ActionDefinition } from './rules/lib/action-catalogue.js';
export type { RuleSet, CompiledRule, CompiledAction, RuleSetSettings } from './rules/lib/rule-set.js';
export type {
  Decision,
  DecisionAction,
  EvaluationInput,
  EventName,
  Facts,
  FieldChange,
  RuleTrace,
  ConditionTrace,
  TicketField,
} from './rules/lib/rule-types.js';
export { formatDiagnostic, type Diagnostic } from './engine/errors/diagnostic.js';
export { TriageError, isTriageError } from './engine/errors/triage-error.js';
export { errorCatalogue, type ErrorCode } from './engine/errors/error-catalogue.js';
