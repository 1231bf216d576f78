/** What makes one outbox row: one action of one decision. */
export interface OutboxKeyParts {
  ticketId: string;
  ruleId: string;
  event: string;
  /** The stored decision's id: a re-evaluation of the same event is a new decision, hence new rows. */
  decisionId: string;
  /** Position of the action within the rule's `then` list. */
  actionIndex: number;
}

/**
 * `${ticketId}:${ruleId}:${event}:${decisionId}:${actionIndex}` — unique per
 * decision action. The outbox column is UNIQUE on it, so writing the same
 * decision twice cannot add a second row; receivers that support a key
 * (webhooks: Idempotency-Key) get it, so a repeated call after a crash is
 * deduplicated there. The decision id (not the event) is in it on purpose:
 * the same event evaluated again (replay, a second status change) is a new
 * decision and must be delivered again.
 */
export function outboxIdempotencyKey(parts: OutboxKeyParts): string {
  return `${parts.ticketId}:${parts.ruleId}:${parts.event}:${parts.decisionId}:${parts.actionIndex}`;
}
