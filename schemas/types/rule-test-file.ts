/* Generated from schemas/rule-test-file.schema.json by `npm run gen:types`. Do not edit. */

/**
 * Rule tests: each case gives an event and facts and states what the decision must contain.
 */
export interface RuleTestFile {
  /**
   * @minItems 1
   */
  cases: [RuleTestCase, ...RuleTestCase[]];
}
/**
 * This interface was referenced by `RuleTestFile`'s JSON-Schema
 * via the `definition` "RuleTestCase".
 */
export interface RuleTestCase {
  name: string;
  event?: string;
  ticket: {
    [k: string]: unknown;
  };
  message?: {
    [k: string]: unknown;
  };
  customer?: {
    [k: string]: unknown;
  };
  sla?: {
    [k: string]: unknown;
  };
  /**
   * The order fact (docs/orders.md): lookup, number, status, ageDays, trackingUrl, …
   */
  order?: {
    [k: string]: unknown;
  };
  now?: string;
  expect: RuleTestExpectation;
}
/**
 * This interface was referenced by `RuleTestFile`'s JSON-Schema
 * via the `definition` "RuleTestExpectation".
 */
export interface RuleTestExpectation {
  /**
   * Field values the decision must set (null: the field must not be set).
   */
  fields?: {
    [k: string]: unknown;
  };
  /**
   * Routing the decision must hold back for review (R11).
   */
  suggested?: {
    [k: string]: unknown;
  };
  /**
   * Tags the decision must add.
   */
  tags?: string[];
  /**
   * Tags the decision must not add.
   */
  notTags?: string[];
  /**
   * Actions that must be present (type, and params as a subset match).
   */
  actions?: {
    type: string;
    params?: {
      [k: string]: unknown;
    };
    ruleId?: string;
  }[];
  /**
   * The decision must contain no actions.
   */
  noActions?: boolean;
  review?: boolean;
  fired?: string[];
  notFired?: string[];
}
