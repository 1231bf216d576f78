import { decide, type EvaluateOptions } from '../../rules/lib/evaluate.js';
import type { RuleSet } from '../../rules/lib/rule-set.js';
import type { Decide, DecideInput } from './decide.js';

/**
 * The store's `Decide` over a compiled rule set. It calls the synchronous
 * `decide()` (CPU only), never the async `evaluate()`: the store calls it
 * inside its write transaction, where a lazy fact (a CRM call) must not run.
 * The store hands over facts that are already resolved: the ticket and
 * message as stored, and the customer row merged with the `customerFacts`
 * the caller loaded before the call.
 *
 * `getRuleSet` is called once per evaluation, so a hot-reloaded rule set is
 * used from the next evaluation on; every decision records the version it
 * ran with.
 */
export function ruleSetDecide(getRuleSet: () => RuleSet, options: EvaluateOptions = {}): Decide {
  return (input: DecideInput) => {
    const ruleSet = getRuleSet();
    const run = (sla: Record<string, unknown> | undefined) =>
      decide(
        ruleSet,
        input.event,
        { ticket: input.ticket, message: input.message, customer: input.customer, sla, now: input.now, order: input.order },
        options,
      );
    const source = input.sla;
    if (typeof source !== 'function') return run(source);
    // The sla fact depends on the ticket the rules produce (ticket.created sets the priority the
    // clocks run on): the decision is the one made with the clocks of the decided ticket.
    if (!ruleSet.factsFor(input.event).has('sla')) return run(undefined);
    if (!ruleSet.conditionFactsFor(input.event).has('sla')) {
      // Only templates read it (the shipped acknowledgement's due time): one run, those rendered last.
      const facts = { ticket: input.ticket, message: input.message, customer: input.customer, sla: undefined, now: input.now, order: input.order };
      return decide(ruleSet, input.event, facts, { ...options, lateSla: source });
    }
    // A condition reads it: decide once, and again with the clocks of the decided ticket if they differ.
    const before = source(input.ticket);
    const first = run(before);
    if (Object.keys(first.changes).length === 0) return first;
    const after = source({ ...input.ticket, ...first.changes });
    return JSON.stringify(after) === JSON.stringify(before) ? first : run(after);
  };
}
