/* Generated from schemas/sla-policy.schema.json by `npm run gen:types`. Do not edit. */

/**
 * A duration of open time (15m, 4h, 3bd), or { target, calendar }.
 *
 * This interface was referenced by `SlaPolicyFile`'s JSON-Schema
 * via the `definition` "target".
 */
export type SlaTargetSpec =
  | string
  | {
      target: string;
      calendar?: string;
    };

/**
 * An SLA policy (docs/sla.md): calendars by name, alert thresholds, and first-response / next-response / resolution targets per priority, with overrides per customer contract level.
 */
export interface SlaPolicyFile {
  description?: string;
  /**
   * Open time of one business day: a target of N bd is N × this much open time, counted in the target's calendar.
   */
  businessDay?: string;
  /**
   * Percentages of a target at which sla.warning (below 100) and sla.breached (100 and above) fire; ascending.
   *
   * @minItems 1
   */
  thresholds?: [number, ...number[]];
  calendars: {
    /**
     * A calendar file (path relative to this policy file) or an inline calendar (schemas/sla-calendar.schema.json).
     */
    [k: string]: string | {};
  };
  targets: PriorityTable;
  /**
   * Overrides per customer contract level (customer.contract.level), e.g. premium: { P2: { firstResponse: 30m } }; metrics not overridden keep the priority's target.
   */
  contracts?: {
    [k: string]: PriorityTable1;
  };
}
/**
 * Targets per priority (P1..P9; `default` applies to tickets without a priority or with one not listed).
 */
export interface PriorityTable {
  [k: string]: SlaPriorityTargets;
}
/**
 * This interface was referenced by `SlaPolicyFile`'s JSON-Schema
 * via the `definition` "priorityTargets".
 */
export interface SlaPriorityTargets {
  /**
   * Calendar of the metrics below that name none.
   */
  calendar?: string;
  firstResponse?: SlaTargetSpec;
  nextResponse?: SlaTargetSpec;
  resolution?: SlaTargetSpec;
}
/**
 * This interface was referenced by `SlaPolicyFile`'s JSON-Schema
 * via the `definition` "priorityTable".
 */
export interface PriorityTable1 {
  [k: string]: SlaPriorityTargets;
}
