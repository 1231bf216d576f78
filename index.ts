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
  TagChange,
  TicketField,
} from './rules/lib/rule-types.js';
export { REVIEW_TAG_RULE_ID } from './rules/lib/rule-types.js';
export { formatDiagnostic, type Diagnostic } from './engine/errors/diagnostic.js';
export { TriageError, isTriageError } from './engine/errors/triage-error.js';
export { errorCatalogue, type ErrorCode } from './engine/errors/error-catalogue.js';

// The store (R24): open, migrate, and the ticket service over it.
export { createDatabase, DEFAULT_SQLITE_PATH, type DatabaseOptions } from './engine/store/create-database.js';
export { migrateToLatest, type MigrationResult } from './engine/store/migrate-to-latest.js';
export {
  TicketService,
  type TicketServiceOptions,
  type AfterDecisionContext,
  type CreateTicketResult,
  type AddMessageResult,
  type TicketChangeOptions,
  type TicketChangeResult,
  type TicketDetails,
  type CustomerDetails,
} from './engine/tickets/ticket-service.js';
export { ruleSetDecide } from './engine/tickets/rule-set-decide.js';
export type { Decide, DecideInput, DecisionRecord } from './engine/tickets/decide.js';
export type { Ticket, TicketFieldChanges, TicketFilter, TicketPage, TicketUpdate, TagChanges, EditableField } from './engine/tickets/ticket.js';
export { encodeTicketCursor, decodeTicketCursor, type TicketCursor } from './engine/tickets/ticket-cursor.js';
export type { Correction } from './engine/tickets/correction.js';
export type { CreateTicketInput } from './engine/tickets/ticket-input.js';
export type { Message, MessageInput, MessageAddress, MessageDirection, MessageKind, Attachment } from './engine/tickets/message.js';
export type { Customer, CustomerHints, CustomerIdentity, IdentityKind } from './engine/tickets/customer.js';
export { SYSTEM_ACTOR, type Actor, type ActorType, type AuditAction, type AuditEvent } from './engine/tickets/audit-event.js';
export { FREE_MAIL_DOMAINS } from './engine/tickets/free-mail-domains.js';

// The lifecycle (R14): statuses, allowed moves, and the events a status change raises.
export {
  TICKET_STATUSES,
  STATUS_TRANSITIONS,
  isTicketStatus,
  canTransition,
  assertTransition,
  statusAfterCustomerMessage,
  type TicketStatus,
} from './engine/lifecycle/ticket-status.js';
export { statusChangeEvents, type StatusChangeEvent } from './engine/lifecycle/status-change-events.js';
