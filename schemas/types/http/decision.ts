/* Generated from schemas/http/decision.schema.json by `npm run gen:types`. Do not edit. */

/**
 * What the rules decided for one event.
 */
export interface DecisionResponse {
  ruleSetVersion: string;
  event: string;
  /**
   * Final values of the fields the rules set.
   */
  changes: {
    [k: string]: unknown;
  };
  changeLog: {
    field?: string;
    from?: unknown;
    to?: unknown;
    ruleId?: string;
  }[];
  /**
   * Routing held back because the decision needs review.
   */
  suggested: {
    [k: string]: unknown;
  };
  tags: {
    added?: string[];
    removed?: string[];
  };
  tagLog: {
    tag?: string;
    action?: 'add' | 'remove';
    ruleId?: string;
  }[];
  actions: {
    type?: string;
    params?: {
      [k: string]: unknown;
    };
    ruleId?: string;
    index?: number;
  }[];
  firedRules: string[];
  confidence: number | null;
  review: boolean;
  reviewReasons: string[];
  trace?: {
    ruleId?: string;
    file?: string;
    line?: number;
    priority?: number;
    outcome?: 'fired' | 'not-matched' | 'skipped-stopped';
    conditions?: {
      fact?: string;
      path?: string;
      operator?: string;
      value?: unknown;
      actual?: unknown;
      result?: boolean;
    }[];
  }[];
}
