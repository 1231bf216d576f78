/**
 * An agent overriding a value a rule had set (R13): the raw data for
 * "which decisions did agents correct", per rule and rule-set version.
 *
 * For `field: 'tags'` one correction is one tag: `oldValue` is the tag a rule
 * added and the agent removed (`newValue` null), or `newValue` the tag a rule
 * removed and the agent added back (`oldValue` null), like the audit trail's
 * tag.add / tag.remove rows.
 */
export interface Correction {
  id: string;
  ticketId: string;
  /** A ticket field (`status`, `priority`, `team`…) or `tags`. */
  field: string;
  /** The rule whose value was overridden (the actor of the latest audit row that set it). */
  ruleId: string;
  ruleSetVersion: string | null;
  /** The rule's value. */
  oldValue: unknown;
  /** The agent's value. */
  newValue: unknown;
  /** Who corrected it (the user actor id, e.g. the API key's name). */
  actor: string;
  at: string;
  /** seq of the agent's audit row that made the change. */
  auditSeq: number;
}
