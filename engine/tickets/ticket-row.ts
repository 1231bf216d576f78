/**
 * The one place where rows and domain objects meet: column names, JSON text
 * columns and the boolean that SQLite returns as 0/1 are handled here and
 * nowhere else.
 */
import type { Decision } from '../../rules/lib/rule-types.js';
import { fromJsonColumn, toJsonColumn } from '../store/json-column.js';
import { isTicketStatus } from '../lifecycle/ticket-status.js';
import type { AuditAction, AuditEvent, ActorType } from './audit-event.js';
import type { Correction } from './correction.js';
import type { Customer, CustomerIdentity, IdentityKind } from './customer.js';
import type { DecisionRecord } from './decide.js';
import type { Attachment, Message, MessageDirection, MessageKind } from './message.js';
import type { Ticket, TicketFieldChanges } from './ticket.js';

export interface TicketRow {
  id: string;
  number: string;
  source: string;
  external_id: string;
  subject: string;
  status: string;
  category: string | null;
  priority: string | null;
  team: string | null;
  queue: string | null;
  assignee: string | null;
  language: string | null;
  type: string | null;
  customer_id: string | null;
  channel: string | null;
  review: boolean | number;
  created_at: string;
  updated_at: string;
  first_response_at: string | null;
  solved_at: string | null;
  closed_at: string | null;
  rule_set_version: string | null;
  data: string | null;
}

export interface MessageRow {
  id: string;
  ticket_id: string;
  direction: string;
  kind: string;
  from_address: string | null;
  from_name: string | null;
  to: string | null;
  cc: string | null;
  subject: string | null;
  text: string | null;
  html: string | null;
  headers: string | null;
  message_id: string | null;
  in_reply_to: string | null;
  attachments: string | null;
  data: string | null;
  created_at: string;
}

export interface CustomerRow {
  id: string;
  name: string | null;
  segment: string | null;
  data: string | null;
  created_at: string;
}

export interface CustomerIdentityRow {
  kind: string;
  value: string;
  customer_id: string;
  created_at: string;
}

export interface AuditRow {
  id: string;
  ticket_id: string;
  seq: number;
  at: string;
  actor_type: string;
  actor_id: string;
  rule_set_version: string | null;
  event: string | null;
  action: string;
  field: string | null;
  old_value: string | null;
  new_value: string | null;
  data: string | null;
}

export interface DecisionRow {
  id: string;
  ticket_id: string;
  event: string;
  rule_set_version: string;
  decision: string;
  created_at: string;
  seq: number;
}

export interface CorrectionRow {
  id: string;
  ticket_id: string;
  field: string;
  rule_id: string;
  rule_set_version: string | null;
  old_value: string | null;
  new_value: string | null;
  actor: string;
  at: string;
  audit_seq: number;
}

export function ticketFromRow(row: TicketRow, tags: readonly string[]): Ticket {
  return {
    id: row.id,
    number: row.number,
    source: row.source,
    externalId: row.external_id,
    subject: row.subject,
    // The column is only written through the lifecycle; a foreign value means
    // someone edited the database by hand, and `new` is the least surprising.
    status: isTicketStatus(row.status) ? row.status : 'new',
    category: row.category,
    priority: row.priority,
    team: row.team,
    queue: row.queue,
    assignee: row.assignee,
    language: row.language,
    type: row.type,
    customerId: row.customer_id,
    channel: row.channel,
    review: Boolean(row.review),
    tags: [...tags].sort(),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    firstResponseAt: row.first_response_at,
    solvedAt: row.solved_at,
    closedAt: row.closed_at,
    ruleSetVersion: row.rule_set_version,
    data: fromJsonColumn<Record<string, unknown>>(row.data, {}),
  };
}

/** A full row for insert. */
export function ticketToRow(ticket: Ticket): TicketRow {
  return {
    id: ticket.id,
    number: ticket.number,
    source: ticket.source,
    external_id: ticket.externalId,
    subject: ticket.subject,
    status: ticket.status,
    category: ticket.category,
    priority: ticket.priority,
    team: ticket.team,
    queue: ticket.queue,
    assignee: ticket.assignee,
    language: ticket.language,
    type: ticket.type,
    customer_id: ticket.customerId,
    channel: ticket.channel,
    review: ticket.review,
    created_at: ticket.createdAt,
    updated_at: ticket.updatedAt,
    first_response_at: ticket.firstResponseAt,
    solved_at: ticket.solvedAt,
    closed_at: ticket.closedAt,
    rule_set_version: ticket.ruleSetVersion,
    data: toJsonColumn(ticket.data),
  };
}

/** Column updates for the changed fields of a ticket (tags live in ticket_tags). */
export function ticketChangesToRow(changes: TicketFieldChanges & Partial<Pick<Ticket, 'updatedAt' | 'firstResponseAt' | 'solvedAt' | 'closedAt' | 'ruleSetVersion'>>): Partial<TicketRow> {
  const row: Partial<TicketRow> = {};
  const columns: Array<[keyof typeof changes, keyof TicketRow]> = [
    ['subject', 'subject'], ['status', 'status'], ['category', 'category'], ['priority', 'priority'], ['team', 'team'],
    ['queue', 'queue'], ['assignee', 'assignee'], ['language', 'language'], ['type', 'type'], ['customerId', 'customer_id'],
    ['review', 'review'], ['updatedAt', 'updated_at'], ['firstResponseAt', 'first_response_at'], ['solvedAt', 'solved_at'],
    ['closedAt', 'closed_at'], ['ruleSetVersion', 'rule_set_version'],
  ];
  for (const [key, column] of columns) {
    if (key in changes && changes[key] !== undefined) (row as Record<string, unknown>)[column] = changes[key];
  }
  return row;
}

export function messageFromRow(row: MessageRow): Message {
  const address = row.from_address;
  return {
    id: row.id,
    ticketId: row.ticket_id,
    direction: (row.direction === 'outbound' ? 'outbound' : 'inbound') satisfies MessageDirection,
    kind: (row.kind === 'internal' ? 'internal' : 'public') satisfies MessageKind,
    from: address === null ? null : { address, name: row.from_name, domain: domainOf(address) },
    to: fromJsonColumn<string[]>(row.to, []),
    cc: fromJsonColumn<string[]>(row.cc, []),
    subject: row.subject,
    text: row.text,
    html: row.html,
    headers: fromJsonColumn<Record<string, unknown>>(row.headers, {}),
    messageId: row.message_id,
    inReplyTo: row.in_reply_to,
    attachments: fromJsonColumn<Attachment[]>(row.attachments, []),
    data: fromJsonColumn<Record<string, unknown>>(row.data, {}),
    createdAt: row.created_at,
  };
}

export function messageToRow(message: Message): MessageRow {
  return {
    id: message.id,
    ticket_id: message.ticketId,
    direction: message.direction,
    kind: message.kind,
    from_address: message.from?.address ?? null,
    from_name: message.from?.name ?? null,
    to: toJsonColumn(message.to),
    cc: toJsonColumn(message.cc),
    subject: message.subject,
    text: message.text,
    html: message.html,
    headers: toJsonColumn(message.headers),
    message_id: message.messageId,
    in_reply_to: message.inReplyTo,
    attachments: toJsonColumn(message.attachments),
    data: toJsonColumn(message.data),
    created_at: message.createdAt,
  };
}

export function customerFromRow(row: CustomerRow, identities: readonly CustomerIdentityRow[]): Customer {
  return {
    id: row.id,
    name: row.name,
    segment: row.segment,
    data: fromJsonColumn<Record<string, unknown>>(row.data, {}),
    createdAt: row.created_at,
    identities: identities.map(identityFromRow),
  };
}

export function customerToRow(customer: Customer): CustomerRow {
  return {
    id: customer.id,
    name: customer.name,
    segment: customer.segment,
    data: toJsonColumn(customer.data),
    created_at: customer.createdAt,
  };
}

export function identityFromRow(row: CustomerIdentityRow): CustomerIdentity {
  return { kind: row.kind as IdentityKind, value: row.value };
}

export function identityToRow(identity: CustomerIdentity, customerId: string, createdAt: string): CustomerIdentityRow {
  return { kind: identity.kind, value: identity.value, customer_id: customerId, created_at: createdAt };
}

export function auditFromRow(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    seq: Number(row.seq),
    at: row.at,
    actorType: row.actor_type as ActorType,
    actorId: row.actor_id,
    ruleSetVersion: row.rule_set_version,
    event: row.event,
    action: row.action as AuditAction,
    field: row.field,
    oldValue: fromJsonColumn<unknown>(row.old_value, null),
    newValue: fromJsonColumn<unknown>(row.new_value, null),
    data: fromJsonColumn<Record<string, unknown> | null>(row.data, null),
  };
}

export function auditToRow(event: AuditEvent): AuditRow {
  return {
    id: event.id,
    ticket_id: event.ticketId,
    seq: event.seq,
    at: event.at,
    actor_type: event.actorType,
    actor_id: event.actorId,
    rule_set_version: event.ruleSetVersion,
    event: event.event,
    action: event.action,
    field: event.field,
    old_value: toJsonColumn(event.oldValue),
    new_value: toJsonColumn(event.newValue),
    data: toJsonColumn(event.data),
  };
}

export function decisionFromRow(row: DecisionRow): DecisionRecord {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    event: row.event,
    ruleSetVersion: row.rule_set_version,
    decision: fromJsonColumn<Decision>(row.decision, emptyDecision(row)),
    createdAt: row.created_at,
    seq: Number(row.seq),
  };
}

export function decisionToRow(record: DecisionRecord): DecisionRow {
  return {
    id: record.id,
    ticket_id: record.ticketId,
    event: record.event,
    rule_set_version: record.ruleSetVersion,
    decision: JSON.stringify(record.decision),
    created_at: record.createdAt,
    seq: record.seq,
  };
}

export function correctionFromRow(row: CorrectionRow): Correction {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    field: row.field,
    ruleId: row.rule_id,
    ruleSetVersion: row.rule_set_version,
    oldValue: fromJsonColumn<unknown>(row.old_value, null),
    newValue: fromJsonColumn<unknown>(row.new_value, null),
    actor: row.actor,
    at: row.at,
    auditSeq: Number(row.audit_seq),
  };
}

export function correctionToRow(correction: Correction): CorrectionRow {
  return {
    id: correction.id,
    ticket_id: correction.ticketId,
    field: correction.field,
    rule_id: correction.ruleId,
    rule_set_version: correction.ruleSetVersion,
    old_value: toJsonColumn(correction.oldValue),
    new_value: toJsonColumn(correction.newValue),
    actor: correction.actor,
    at: correction.at,
    audit_seq: correction.auditSeq,
  };
}

function emptyDecision(row: DecisionRow): Decision {
  return {
    ruleSetVersion: row.rule_set_version, event: row.event, changes: {}, changeLog: [], suggested: {},
    tags: { added: [], removed: [] }, tagLog: [], actions: [], firedRules: [], confidence: null, review: false, reviewReasons: [],
  };
}

function domainOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  return at < 0 ? null : address.slice(at + 1).toLowerCase() || null;
}
