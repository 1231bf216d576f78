/**
 * Shapes of the API answers the dashboard reads (schemas/http/ is the
 * contract; only the fields shown are listed). Decision types come from the
 * rule language itself.
 */
import type { Decision } from '../../rules/lib/rule-types.js';
import type { TicketSlaState } from '../../engine/sla/clocks/ticket-sla-state.js';

export type { Decision, RuleTrace, ConditionTrace } from '../../rules/lib/rule-types.js';
export type { TicketSlaState } from '../../engine/sla/clocks/ticket-sla-state.js';

export interface Ticket {
  id: string;
  number: string;
  subject: string;
  status: string;
  category: string | null;
  priority: string | null;
  team: string | null;
  assignee: string | null;
  channel: string | null;
  review: boolean;
  tags: string[];
  createdAt: string;
  ruleSetVersion: string | null;
  sla?: TicketSlaState;
}

export interface TicketList {
  tickets: Ticket[];
  nextCursor: string | null;
}

export interface TicketMessage {
  id: string;
  direction: 'inbound' | 'outbound';
  kind: 'public' | 'internal';
  from: { address: string; name: string | null } | null;
  subject: string | null;
  text: string | null;
  createdAt: string;
}

export interface AuditEvent {
  id: string;
  seq: number;
  at: string;
  actorType: 'rule' | 'user' | 'system';
  actorId: string;
  event: string | null;
  action: string;
  field: string | null;
  oldValue: unknown;
  newValue: unknown;
}

export interface DecisionRecord {
  id: string;
  event: string;
  ruleSetVersion: string;
  decision: Decision;
  createdAt: string;
}

export interface Correction {
  id: string;
  field: string;
  ruleId: string;
  oldValue: unknown;
  newValue: unknown;
  actor: string;
  at: string;
}

export interface TicketDetails {
  ticket: Ticket;
  messages: TicketMessage[];
  audit: AuditEvent[];
  decisions: DecisionRecord[];
  corrections: Correction[];
  customer: { name: string | null } | null;
}

export interface TicketExplanation {
  number: string;
  decidedAt: string;
  storedRuleSetVersion: string;
  ruleSetVersion: string;
  differs: string[];
  decision: Decision;
}

export interface HeatmapData {
  timeZone: string;
  weekdays: string[];
  cells: number[][];
  groups?: Array<{ group: string | null; cells: number[][] }>;
}

export interface ReportAnswer {
  report: string;
  from: string;
  to: string;
  groupBy: string | null;
  columns: string[];
  rows: Array<Record<string, unknown>>;
  total: Record<string, unknown>;
  heatmap?: HeatmapData;
}

export interface RuleStats {
  since: string;
  activeVersion: string;
  decisions: number;
  rules: Array<{ ruleId: string; ruleSetVersion: string; active: boolean; evaluated: number | null; fired: number; fireRate: number | null; actions: { succeeded: number; failed: number; pending: number; dropped: number } }>;
}

export interface DeadRules {
  since: string;
  decisions: number;
  rules: Array<{ ruleId: string; file: string; line: number; reason: string; evaluated: number; fired: number; by: string[] }>;
}

export interface CorrectionStats {
  since: string;
  tickets: number;
  correctedTickets: number;
  share: number | null;
  rules: Array<{ ruleId: string; field: string; decided: number; corrected: number; share: number | null; top: Array<{ from: string | null; to: string | null; count: number }> }>;
}

export interface OutboxEntry {
  id: string;
  ticketId: string;
  ruleId: string;
  actionType: string;
  connection: string | null;
  status: 'pending' | 'in_flight' | 'done' | 'dead' | 'dropped';
  attempts: number;
  lastError: { code: string; message: string } | null;
  updatedAt: string;
}

export interface OutboxList {
  entries: OutboxEntry[];
  nextCursor: string | null;
  counts: Record<OutboxEntry['status'], number>;
}
