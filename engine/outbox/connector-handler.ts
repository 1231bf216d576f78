import type { ConnectorInstance } from '../../connectors/lib/connector.js';
import type { FactObject } from '../../rules/lib/rule-types.js';
import { TriageError } from '../errors/triage-error.js';
import { maskOutboundParams } from '../privacy/mask-outbound-params.js';
import { connectorTarget } from './outbox-action.js';
import type { OutboxEntry } from './outbox-entry.js';
import type { OutboxHandler } from './outbox-handler.js';

/**
 * What the outbox needs from the connections of connections.yaml; the
 * `Connections` of connectors/lib/connections.ts is one.
 */
export interface OutboxConnections {
  /** The connection an action of `connector` uses (named, named like the connector, or the only one); throws when none fits. */
  connectionFor(connector: string, requested?: string): { name: string };
  /** The bound connector of a connection. */
  instance(name: string): ConnectorInstance;
  /** Every configured secret value: scrubbed from stored error text. */
  secrets(): string[];
}

/**
 * Masks personal data in params before they leave (R20). Defaults to the
 * privacy module's `maskOutboundParams` (card numbers, PESEL, IBAN, extra
 * patterns; off with privacy.maskOutbound = false).
 */
export type MaskOutboundParams = (params: Record<string, unknown>, entry: OutboxEntry) => Record<string, unknown>;

export interface ConnectorHandlerOptions {
  connections: OutboxConnections | undefined;
  /** The ticket fact handed to the connector (id, number, subject, …); undefined when the ticket is gone. */
  loadTicket: (ticketId: string) => Promise<FactObject | undefined>;
  maskOutboundParams?: MaskOutboundParams;
  /** ActionCall.linkedExternalId: the external id of the ticket's newest done row of an action type. */
  linkedExternalId?: (ticketId: string, actionType: string) => Promise<string | undefined>;
}

/** The name of the connection a connector row uses, or undefined when none fits (yet). */
export function resolveConnection(connections: OutboxConnections | undefined, actionType: string, params: Record<string, unknown>): string | undefined {
  const target = connectorTarget(actionType, params);
  if (target === undefined) return undefined;
  if (connections === undefined) return target.requested;
  try {
    return connections.connectionFor(target.connector, target.requested).name;
  } catch {
    return target.requested;
  }
}

/**
 * `<connector>.<operation>` rows: resolve the connection, then
 * `execute({ operation, params, idempotencyKey, ticket, event, rule, signal, linkedExternalId })`
 * with PII masked in the params. A missing connection, or one of another
 * connector, is permanent (TRIAGE_OUTBOX_NO_CONNECTION): the row is
 * dead-lettered at once and can be retried once connections.yaml is fixed.
 */
export function connectorHandler(options: ConnectorHandlerOptions): OutboxHandler {
  const mask = options.maskOutboundParams ?? ((params: Record<string, unknown>) => maskOutboundParams(params));
  const linked = options.linkedExternalId;
  return async ({ entry, signal }) => {
    const target = connectorTarget(entry.actionType, entry.params);
    if (target === undefined) throw new TriageError('TRIAGE_OUTBOX_NO_HANDLER', [entry.actionType]);
    const named = entry.connection ?? target.requested ?? target.connector;
    const connections = options.connections;
    if (connections === undefined) throw new TriageError('TRIAGE_OUTBOX_NO_CONNECTION', [named, entry.actionType, 'no connections file is configured']);
    let instance: ConnectorInstance;
    try {
      instance = connections.instance(connections.connectionFor(target.connector, target.requested).name);
    } catch (error) {
      throw new TriageError('TRIAGE_OUTBOX_NO_CONNECTION', [named, entry.actionType, error instanceof Error ? error.message : String(error)], { cause: error });
    }
    if (instance.execute === undefined) throw new TriageError('TRIAGE_OUTBOX_NO_CONNECTION', [named, entry.actionType, 'its connector carries out no actions']);
    const ticket = await options.loadTicket(entry.ticketId);
    if (ticket === undefined) throw new TriageError('TRIAGE_TICKET_NOT_FOUND', [entry.ticketId]);
    return instance.execute({
      operation: target.operation,
      params: mask(entry.params, entry),
      idempotencyKey: entry.idempotencyKey,
      ticket,
      event: entry.event,
      rule: entry.ruleId,
      signal,
      ...(linked === undefined ? {} : { linkedExternalId: (actionType: string) => linked(entry.ticketId, actionType) }),
    });
  };
}
