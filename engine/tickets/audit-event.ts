export type ActorType = 'rule' | 'user' | 'system';

/** Who made a change: a rule id, a user id, or `system` for the engine itself. */
export interface Actor {
  type: ActorType;
  id: string;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: 'system' };

/**
 * What the audit trail records. `field.suggested` is routing a rule wanted but
 * that was withheld for review (R11); `rule.refused` a rule's change the
 * lifecycle did not allow (e.g. new → closed).
 */
export type AuditAction =
  | 'ticket.create'
  | 'message.add'
  | 'field.set'
  | 'field.suggested'
  | 'tag.add'
  | 'tag.remove'
  | 'status.change'
  | 'rule.refused'
  | 'decision'
  /** The ticket's personal data was erased on request (R20, engine/privacy/erase-customer.ts). */
  | 'gdpr.erase'
  /** The customer answered a satisfaction survey (R18, engine/automations/csat-service.ts). */
  | 'csat.received';

/** One append-only row of a ticket's audit trail (R21). */
export interface AuditEvent {
  id: string;
  ticketId: string;
  /** Position in the ticket's trail (1, 2, 3…): rows of one transaction share `at`. */
  seq: number;
  at: string;
  actorType: ActorType;
  actorId: string;
  ruleSetVersion: string | null;
  /** The event being handled (`ticket.created`, `message.received`…), when there is one. */
  event: string | null;
  action: AuditAction;
  field: string | null;
  oldValue: unknown;
  newValue: unknown;
  data: Record<string, unknown> | null;
}
