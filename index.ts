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

// CRM enrichment (R8, docs/enrichment.md): the customer fact from a facts connector, cached, bounded, retried.
export type { CustomerFactsProvider, CustomerFactsRequest } from './engine/tickets/customer-facts-provider.js';
export { CustomerEnricher, factsFor, type CustomerEnricherOptions, type EnrichmentStatus, type LookupOutcome } from './engine/enrichment/customer-enricher.js';
export { EnrichmentJobStore, type EnrichmentJob, type EnrichmentJobState } from './engine/enrichment/enrichment-job-store.js';
export { EnrichmentRetrier, TICKET_ENRICHED_EVENT, type EnrichmentRetrierOptions, type EnrichmentRunSummary } from './engine/enrichment/enrichment-retrier.js';
export { OrderEnricher, type OrderEnricherOptions, type OrderLookupOutcome } from './engine/orders/order-enricher.js';
export { OrderJobStore, type OrderJob, type OrderQuery } from './engine/orders/order-job-store.js';
export { OrderRetrier, type OrderRetrierOptions, type OrderRunSummary } from './engine/orders/order-retrier.js';
export { OrderNumberExtractor, DEFAULT_ORDER_PATTERNS } from './engine/orders/order-number-extractor.js';
export type { OrderFactsProvider, OrderFactsRequest } from './engine/orders/order-facts-provider.js';
export { baselinkerConnector } from './connectors/baselinker/baselinker-connector.js';
export { shoperConnector } from './connectors/shoper/shoper-connector.js';

// Connectors (docs/connectors.md): the registry, connections.yaml, the shared HTTP transport and SSRF guard.
export type { ConnectorDefinition, ConnectorInstance, ConnectorOperation, ConnectorContext, ConnectorKind, ActionCall, ActionResult, ConnectorTestResult, CustomerLookup, JsonSchema } from './connectors/lib/connector.js';
export { ConnectorError, isConnectorError, createConnectorError } from './connectors/lib/connector-error.js';
export { connectorRegistry, createConnectorRegistry, type ConnectorRegistry } from './connectors/lib/registry.js';
export { loadConnections, type Connections, type Connection, type ConnectionSummary, type LoadConnectionsOptions } from './connectors/lib/connections.js';
export { createHttpTransport, parseRetryAfter, type HttpTransport, type HttpTransportOptions, type HttpRequest, type HttpResponse } from './connectors/lib/http-transport.js';
export { createSsrfGuard, blockReason, BlockedTargetError, type SsrfPolicy, type SsrfGuard } from './connectors/lib/ssrf-guard.js';
export { HTTP_SETTINGS_PROPERTIES, httpTransportOptions, httpSettingsProblems, type HttpSettings } from './connectors/lib/http-settings.js';
export { buildActionCatalogue, connectorActions } from './rules/lib/action-catalogue.js';

// Templates and privacy (R12, R20; docs/templates.md, docs/privacy.md).
export { checkTemplate, compileTemplate, renderTemplate, setTemplateLogger, levelTemplateLogger, type CompiledTemplate, type TemplateLogger, type TemplateLogEntry, type TemplateProblem } from './rules/lib/render-template.js';
export { maskPii, createPiiMasker, type PiiMasker, type PiiMaskerOptions } from './engine/privacy/mask-pii.js';
export { maskOutboundParams } from './engine/privacy/mask-outbound-params.js';
export { configurePrivacy, privacySettings, type PrivacySettings, type PrivacyOptions } from './engine/privacy/privacy-settings.js';
export { eraseCustomer, type EraseCustomerOptions, type ErasureResult, type ErasureCounts } from './engine/privacy/erase-customer.js';
export { runRetention, type RetentionOptions, type RetentionResult, type RetentionCounts } from './engine/privacy/run-retention.js';

// The outbox (docs/outbox.md): decided actions written with the decision, dispatched exactly once or dead-lettered.
export { OutboxWorker, OUTBOX_WORKER_DEFAULTS, type OutboxWorkerOptions } from './engine/outbox/outbox-worker.js';
export { OutboxStore, type OutboxCursor, type OutboxPage, type OutboxTransition, type OutboxFinish, type OutboxEvent } from './engine/outbox/outbox-store.js';
export { writeOutboxRows, outboxRowsFor, type OutboxWriterOptions, type DecisionToDispatch } from './engine/outbox/outbox-writer.js';
export { createOutbox, type Outbox, type OutboxOptions } from './engine/outbox/create-outbox.js';
export { drainOutbox, type DrainOptions } from './engine/outbox/drain-outbox.js';
// Scheduled automations and CSAT (docs/automations.md): followUp rows, cron schedules, survey links.
export { AutomationSweeper, type AutomationSweeperOptions, type SweepSummary } from './engine/automations/automation-sweeper.js';
export { ScheduledEventStore, type ScheduledEvent, type ScheduledEventStatus } from './engine/automations/scheduled-event-store.js';
export { followUpHandler } from './engine/automations/follow-up-handler.js';
export { CsatService, resolveCsatSecret, type CsatResult, type CsatResponse } from './engine/automations/csat-service.js';
export { configureCsatLinks, type CsatLinkSettings } from './engine/automations/csat-links.js';
export { exponentialBackoff, DEFAULT_BACKOFF, type BackoffPolicy, type BackoffOptions } from './engine/outbox/backoff.js';
export { outboxIdempotencyKey, type OutboxKeyParts } from './engine/outbox/outbox-idempotency-key.js';
export { noteHandler, type NoteTarget } from './engine/outbox/note-handler.js';
export { connectorHandler, resolveConnection, type OutboxConnections, type MaskOutboundParams } from './engine/outbox/connector-handler.js';
export type { OutboxHandler, OutboxCall } from './engine/outbox/outbox-handler.js';
export { OUTBOX_STATUSES, isOutboxStatus, type OutboxEntry, type OutboxAttempt, type OutboxStatus, type OutboxError, type AttemptOutcome } from './engine/outbox/outbox-entry.js';
export { outboxEntryView, type OutboxEntryView } from './engine/outbox/outbox-view.js';

// SLA (R15): calendars, due times from open time, policies (docs/sla.md).
export { parseCalendar, ALWAYS_OPEN_UTC, WEEKDAYS, type Calendar, type OpenRange, type Weekday } from './engine/sla/calendar/calendar.js';
export { loadCalendarFile } from './engine/sla/calendar/load-calendar-file.js';
export { computeDue, openTimeBetween, type Interval } from './engine/sla/calendar/compute-due.js';
export { loadSlaPolicy, DEFAULT_THRESHOLDS } from './engine/sla/policy/load-sla-policy.js';
export { parseSlaDuration } from './engine/sla/policy/parse-sla-duration.js';
export type { SlaPolicy, SlaTarget, SlaMetric, SlaTargetsInput } from './engine/sla/policy/sla-policy.js';
// SLA clocks on tickets and their sweeper (docs/sla.md, Clocks on tickets).
export { SlaClocks, type TicketSlaHooks, type SlaClocksOptions } from './engine/sla/clocks/sla-clocks.js';
export type { SlaTimer, SlaTimerStatus } from './engine/sla/clocks/sla-timer.js';
export type { SlaEventFact } from './engine/sla/clocks/sla-fact.js';
export { SlaSweeper, type SlaSweeperOptions, type SweepResult } from './engine/scheduler/sla-sweeper.js';

// E-mail parsing (docs/email.md): one raw message → normalized fields, machine-mail flags, problems.
export { parseMail, toMailParseOutput, bareMessageId, type ParsedMail, type ParsedAttachment, type MailAddress, type MailParseOutput, type ParseMailOptions } from './engine/mail/parse-mail.js';
export { detectAutoFlags, type AutoFlags } from './engine/mail/auto-flags.js';

// --- rule governance (docs/governance.md) ---
export { ruleStats, type RuleStat, type RuleStatsReport, type ActionOutcomes } from './engine/governance/rule-stats.js';
export { deadRules, type DeadRule, type DeadRuleReason, type DeadRulesReport } from './engine/governance/dead-rules.js';
export { correctionStats, type CorrectionStat, type CorrectionsReport } from './engine/governance/correction-stats.js';
export { replayTickets, REPLAY_FIELDS, type ReplayField, type ReplayOptions, type ReplayReport, type FieldDiff } from './engine/governance/replay.js';
export { openReadOnlyDatabase } from './engine/governance/open-read-only-database.js';
export { sinceWindow } from './engine/governance/since-window.js';
