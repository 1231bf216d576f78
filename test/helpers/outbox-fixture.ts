import type { Knex } from 'knex';
import type { ActionCall, ActionResult, ConnectorInstance } from '../../connectors/lib/connector.js';
import type { OutboxConnections } from '../../engine/outbox/connector-handler.js';
import { writeOutboxRows, type OutboxAdopter } from '../../engine/outbox/outbox-writer.js';
import type { Decide } from '../../engine/tickets/decide.js';
import { TicketService } from '../../engine/tickets/ticket-service.js';
import type { Decision, DecisionAction } from '../../rules/lib/rule-types.js';

export const OUTBOX_TEST_RULE_SET = 'sha256:outbox-test';

/** A clock the test moves by hand: back-off and leases cost no wall time. */
export class VirtualClock {
  private t: number;
  constructor(start = '2026-02-02T08:00:00.000Z') {
    this.t = Date.parse(start);
  }
  readonly now = (): Date => new Date(this.t);
  /** Move to `iso` (never backwards). */
  set(iso: string): void {
    this.t = Math.max(this.t, Date.parse(iso));
  }
  advance(ms: number): void {
    this.t += ms;
  }
  iso(): string {
    return new Date(this.t).toISOString();
  }
}

/**
 * A decide whose actions come from the ticket itself (`data.actions`, lifted
 * to `ticket.actions` by ticketFact): each test says which actions its
 * decision takes, without a rule set. Rule id `r-<type>`, index = position.
 */
export function actionsFromTicketDecide(): Decide {
  return (input) => {
    const wanted = Array.isArray(input.ticket.actions) ? (input.ticket.actions as { type: string; params?: Record<string, unknown> }[]) : [];
    const actions: DecisionAction[] = input.event === 'ticket.created' ? wanted.map((a, index) => ({ type: a.type, params: a.params ?? {}, ruleId: `r-${a.type}`, index })) : [];
    const decision: Decision = {
      ruleSetVersion: OUTBOX_TEST_RULE_SET,
      event: input.event,
      changes: {},
      changeLog: [],
      suggested: {},
      tags: { added: [], removed: [] },
      tagLog: [],
      actions,
      firedRules: [...new Set(actions.map((a) => a.ruleId))],
      confidence: null,
      review: false,
      reviewReasons: [],
    };
    return decision;
  };
}

/**
 * A TicketService writing outbox rows in the decision's transaction, as start-server wires it;
 * with `adopt`, new tickets' rows are handed to that worker at write time.
 */
export function outboxTicketService(db: Knex, clock: VirtualClock, onCommitted?: () => void, adopt?: OutboxAdopter): TicketService {
  return new TicketService({
    db,
    decide: actionsFromTicketDecide(),
    now: clock.now,
    afterDecision: async (ctx) => {
      await writeOutboxRows(ctx, { ...(onCommitted === undefined ? {} : { onCommitted }), ...(adopt === undefined ? {} : { adopt }) });
    },
  });
}

let counter = 0;
/** Create a ticket whose ticket.created decision takes `actions`. */
export async function ticketWithActions(service: TicketService, actions: { type: string; params?: Record<string, unknown> }[]): Promise<string> {
  counter += 1;
  const { ticket } = await service.createTicket({ source: 'test', externalId: `outbox-${counter}-${Math.random()}`, subject: `Outbox test ${counter}`, data: { actions } });
  return ticket.id;
}

export type ScriptedStep = (call: ActionCall) => Promise<ActionResult> | ActionResult;

/**
 * A connector instance for worker tests: records every call and answers with
 * the next scripted step (a result, or a thrown ConnectorError: the faults).
 * The end-to-end test uses the real webhook connector against a loopback receiver.
 */
export class ScriptedConnector implements ConnectorInstance {
  readonly calls: ActionCall[] = [];
  private readonly steps: ScriptedStep[] = [];
  constructor(private readonly otherwise: ScriptedStep = (call) => ({ externalId: `ext-${call.idempotencyKey}` })) {}
  script(...steps: ScriptedStep[]): this {
    this.steps.push(...steps);
    return this;
  }
  test(): Promise<{ ok: boolean; detail: string }> {
    return Promise.resolve({ ok: true, detail: 'scripted' });
  }
  async execute(call: ActionCall): Promise<ActionResult> {
    this.calls.push(call);
    const step = this.steps.shift() ?? this.otherwise;
    return step(call);
  }
}

/**
 * Connections by name over plain instances, resolved like connectors/lib/connections.ts:
 * the named connection, else the one named like the connector. `secrets` are scrubbed from errors.
 */
export function connectionsOf(instances: Record<string, ConnectorInstance>, secrets: string[] = []): OutboxConnections {
  const get = (name: string): ConnectorInstance => {
    const found = instances[name];
    if (found === undefined) throw new Error(`no connection named "${name}"`);
    return found;
  };
  return {
    connectionFor(connector, requested) {
      get(requested ?? connector);
      return { name: requested ?? connector };
    },
    instance: get,
    secrets: () => secrets,
  };
}
