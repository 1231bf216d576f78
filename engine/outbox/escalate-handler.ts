import type { ConnectorInstance } from '../../connectors/lib/connector.js';
import { TriageError } from '../errors/triage-error.js';
import { maskOutboundParams } from '../privacy/mask-outbound-params.js';
import type { OutboxConnections } from './connector-handler.js';
import { emailInstance } from './customer-mail-handler.js';
import type { OutboxHandler } from './outbox-handler.js';
import type { FactObject } from '../../rules/lib/rule-types.js';

/** One role of `escalation:` in triage.config.yaml. */
export interface EscalationTarget {
  email?: string;
  slack?: { connection?: string; channel: string };
}

export type EscalationSettings = Readonly<Record<string, EscalationTarget>>;

export interface EscalateHandlerOptions {
  connections: OutboxConnections | undefined;
  escalation: EscalationSettings | undefined;
  /** The ticket fact (id, number, subject, priority…); undefined when the ticket is gone. */
  loadTicket: (ticketId: string) => Promise<FactObject | undefined>;
  /** `email.connection` of triage.config.yaml: the connection escalation mail goes through. */
  emailConnection?: string;
}

/**
 * `escalate: { to: <role>, reason? }` notifies the role's configured targets:
 * an e-mail (email connector) and/or a Slack message (Slack connector). A role
 * without a target is dead-lettered at once naming the config key to set
 * (TRIAGE_OUTBOX_NO_ESCALATION_TARGET); `triage outbox retry` delivers it
 * after the config is fixed. With both targets, a failure of the second
 * repeats the first on retry: at least once, like the connectors themselves.
 */
export function escalateHandler(options: EscalateHandlerOptions): OutboxHandler {
  return async ({ entry, signal }) => {
    const role = typeof entry.params.to === 'string' ? entry.params.to : '';
    const target = Object.hasOwn(options.escalation ?? {}, role) ? options.escalation?.[role] : undefined;
    if (target === undefined || (target.email === undefined && target.slack === undefined)) {
      throw new TriageError('TRIAGE_OUTBOX_NO_ESCALATION_TARGET', [role, `escalation.${role}.email or escalation.${role}.slack.channel`]);
    }
    const ticket = await options.loadTicket(entry.ticketId);
    if (ticket === undefined) throw new TriageError('TRIAGE_TICKET_NOT_FOUND', [entry.ticketId]);
    const number = String(ticket.number ?? entry.ticketId);
    const reason = typeof entry.params.reason === 'string' ? entry.params.reason : 'no reason given';
    // An internal notification like slack.postMessage: PII is masked before it leaves (R20, privacy.maskOutbound).
    const { subject, text } = maskOutboundParams({
      subject: `[#${number}] Escalated to ${role}: ${String(ticket.subject ?? '')}`,
      text: `Ticket ${number} (${String(ticket.priority ?? 'no priority')}) was escalated to ${role} by rule ${entry.ruleId}.\nReason: ${reason}`,
    });
    const base = { idempotencyKey: entry.idempotencyKey, ticket, event: entry.event, rule: entry.ruleId, signal };
    const sent: string[] = [];
    let externalId: string | undefined;
    if (target.email !== undefined) {
      const { connection, instance } = emailInstance(options.connections, options.emailConnection, 'escalate');
      const result = await instance.execute({ ...base, operation: 'send', params: { connection, to: target.email, subject, text } });
      externalId = result.externalId;
      sent.push(`e-mail to ${target.email}`);
    }
    if (target.slack !== undefined) {
      const slack = slackInstance(options.connections, target.slack.connection);
      const result = await slack.execute?.({ ...base, operation: 'postMessage', params: { channel: target.slack.channel, text: `${subject}\n${text}` } });
      externalId ??= result?.externalId;
      sent.push(`Slack ${target.slack.channel}`);
    }
    return { ...(externalId === undefined ? {} : { externalId }), detail: `escalated to ${role}: ${sent.join(', ')}` };
  };
}

function slackInstance(connections: OutboxConnections | undefined, requested: string | undefined): ConnectorInstance {
  const named = requested ?? 'slack';
  if (connections === undefined) throw new TriageError('TRIAGE_OUTBOX_NO_CONNECTION', [named, 'escalate', 'no connections file is configured']);
  try {
    const instance = connections.instance(connections.connectionFor('slack', requested).name);
    if (instance.execute === undefined) throw new Error('its connector posts no messages');
    return instance;
  } catch (error) {
    throw new TriageError('TRIAGE_OUTBOX_NO_CONNECTION', [named, 'escalate', error instanceof Error ? error.message : String(error)], { cause: error });
  }
}
