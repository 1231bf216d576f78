import type { Knex } from 'knex';
import type { ConnectorInstance } from '../../connectors/lib/connector.js';
import type { FactObject } from '../../rules/lib/rule-types.js';
import { TriageError } from '../errors/triage-error.js';
import { autoReplyLimit, checkAutoReplyLimit, type AutoReplyLimit } from '../mail/auto-reply-limit.js';
import { DEFAULT_LOOP_MARKER } from '../mail/auto-flags.js';
import { bareMessageId } from '../mail/parse-mail.js';
import type { Actor } from '../tickets/audit-event.js';
import type { Message, MessageInput } from '../tickets/message.js';
import type { AddMessageResult, TicketDetails } from '../tickets/ticket-service.js';
import type { OutboxConnections } from './connector-handler.js';
import type { OutboxHandler } from './outbox-handler.js';

/** The part of TicketService the reply/acknowledge handlers use. */
export interface CustomerMailTickets {
  getTicket(idOrNumber: string): Promise<Pick<TicketDetails, 'ticket' | 'messages'>>;
  addMessage(idOrNumber: string, input: MessageInput, actor: Actor): Promise<AddMessageResult>;
}

/** `email:` of triage.config.yaml: which connection answers customers, and optional overrides of its sender. */
export interface CustomerMailSettings {
  connection?: string;
  from?: string;
  replyTo?: string;
  /** X-Loop of our mail (default `triage`); the inbound channel flags mail carrying it as our own. */
  loopMarker?: string;
  /** Automatic mails per recipient address and window (default 5 per 60 minutes). */
  autoReplyLimit?: Partial<AutoReplyLimit>;
}

export interface CustomerMailHandlerOptions {
  tickets: CustomerMailTickets;
  connections: OutboxConnections | undefined;
  email?: CustomerMailSettings;
  /** Where the per-recipient rate limit counts sent mail (the messages table); without it there is no limit. */
  db?: Knex;
  /** The worker's clock, for the rate-limit window. */
  now?: () => Date;
}

/**
 * `reply` and `acknowledge`: a public e-mail to the ticket's customer through
 * the email connection, then the sent message recorded on the ticket.
 *
 * - Recipient: reply-to, else from, of the ticket's first inbound message
 *   (the customer who opened it); none → dead with TRIAGE_OUTBOX_NO_RECIPIENT.
 * - Threading: In-Reply-To = the customer's newest Message-ID, References =
 *   their Message-IDs (data.references of that message first), so the answer
 *   lands in the customer's thread. Subject `Re: <subject> [#<number>]` unless
 *   the rule gives one.
 * - Loop protection (R3), for both actions since both are automatic mail:
 *   never sent when the customer's newest message (the one answered) is
 *   machine mail (auto-reply, bounce, bulk flags of the inbound channel, our
 *   own X-Loop, or an Auto-Submitted header other than `no`), and at most
 *   email.autoReplyLimit mails per recipient address and window. Either way
 *   the row ends done with "not sent: <why>" — a skip is a decision, not a
 *   failure to retry. Every mail carries X-Loop (email.loopMarker).
 * - Without a usable mail connection every row is dead-lettered with
 *   TRIAGE_OUTBOX_NO_CONNECTION, checked before anything else (also before
 *   the loop checks): a configuration error to fix, not a skip.
 * - Acknowledge is marked `Auto-Submitted: auto-replied` (RFC 3834), and
 *   recorded with data.automatic = true, which does NOT set firstResponseAt:
 *   an automatic receipt is not a response (R19 FRT counts the first human
 *   or rule reply).
 * - A reply is recorded as an outbound public message, which sets
 *   firstResponseAt the first time.
 * - Message-IDs are recorded bare (`<…>` stripped), as the inbound channel
 *   stores them, so a customer's answer threads by In-Reply-To/References.
 *
 * Delivery is at least once (SMTP has no dedupe): the Message-ID derives from
 * the idempotency key, so a repeat is recognizable, and TicketService ignores
 * a second record with the same Message-ID.
 */
export function customerMailHandler(action: 'reply' | 'acknowledge', options: CustomerMailHandlerOptions): OutboxHandler {
  const handler: OutboxHandler = async ({ entry, signal }) => {
    // First, before reading the ticket: without a mail connection nothing can be sent, and the configuration
    // error (dead letter, TRIAGE_OUTBOX_NO_CONNECTION) is the answer for every such row, whatever the ticket
    // holds. It also spares an install without mail (the shipped default) three reads per new ticket.
    const { connection, instance } = emailInstance(options.connections, options.email?.connection, action);
    const { ticket, messages } = await options.tickets.getTicket(entry.ticketId);
    const inbound = messages.filter((m) => m.direction === 'inbound');
    const first = inbound[0];
    const to = first === undefined ? undefined : customerAddress(first);
    if (to === undefined) throw new TriageError('TRIAGE_OUTBOX_NO_RECIPIENT', [ticket.number, action]);
    const loopMarker = options.email?.loopMarker ?? DEFAULT_LOOP_MARKER;
    const answered = inbound[inbound.length - 1];
    const machine = answered === undefined ? undefined : machineMailReason(answered, loopMarker);
    if (machine !== undefined) return { detail: `not sent: the customer's message is machine mail (${machine})` };
    if (options.db !== undefined) {
      const verdict = await checkAutoReplyLimit(options.db, to, autoReplyLimit(options.email?.autoReplyLimit), (options.now ?? (() => new Date()))());
      if (!verdict.allowed) return { detail: `not sent: ${verdict.reason ?? 'rate limit'}` };
    }
    const params = entry.params;
    const last = [...inbound].reverse().find((m) => m.messageId !== null);
    const references = last === undefined ? [] : [...referencesOf(last), last.messageId as string];
    const subject = typeof params.subject === 'string' && params.subject !== '' ? params.subject : replySubject(ticket.subject, ticket.number);
    const text = action === 'acknowledge' ? acknowledgementText(ticket.number, params) : typeof params.text === 'string' ? params.text : '';
    const result = await instance.execute({
      operation: 'send',
      params: {
        connection,
        to,
        subject,
        text,
        ...(options.email?.from === undefined ? {} : { from: options.email.from }),
        ...(options.email?.replyTo === undefined ? {} : { replyTo: options.email.replyTo }),
        ...(last === undefined ? {} : { inReplyTo: last.messageId, references: [...new Set(references)] }),
        autoSubmitted: action === 'acknowledge' ? 'auto-replied' : 'auto-generated',
        loopMarker,
      },
      idempotencyKey: entry.idempotencyKey,
      ticket: { id: ticket.id, number: ticket.number, subject: ticket.subject } as FactObject,
      event: entry.event,
      rule: entry.ruleId,
      signal,
    });
    const recorded = await options.tickets.addMessage(
      ticket.id,
      {
        direction: 'outbound',
        kind: 'public',
        to: [to],
        subject,
        text,
        ...(result.externalId === undefined ? {} : { messageId: bareMessageId(result.externalId) }),
        ...(last === undefined ? {} : { inReplyTo: bareMessageId(last.messageId as string) }),
        data: { outboxId: entry.id, ruleId: entry.ruleId, action, ...(action === 'acknowledge' ? { automatic: true } : {}) },
      },
      { type: 'rule', id: entry.ruleId },
    );
    return { externalId: result.externalId ?? recorded.message.id, detail: `${action} sent to the customer: ${result.detail ?? 'accepted'}` };
  };
  // Without a usable mail connection every such row fails the same way: the writer dead-letters it at once.
  // Asked once: the connections and the email settings are fixed for the handler's life, and an error per
  // ticket (two, with its cause) was 3 % of the ingest path's CPU.
  let verdict: { error: unknown } | undefined;
  handler.preflight = () => {
    if (verdict === undefined) {
      try {
        emailInstance(options.connections, options.email?.connection, action);
        verdict = { error: undefined };
      } catch (error) {
        verdict = { error };
      }
    }
    return verdict.error;
  };
  return handler;
}

/** The email connection customer mail goes through (`email.connection`, else the one named `email`, else the only one). */
export function emailInstance(connections: OutboxConnections | undefined, requested: string | undefined, action: string): { connection: string; instance: ConnectorInstance & Required<Pick<ConnectorInstance, 'execute'>> } {
  const named = requested ?? 'email';
  if (connections === undefined) throw new TriageError('TRIAGE_OUTBOX_NO_CONNECTION', [named, action, 'no connections file is configured']);
  let name: string;
  let instance: ConnectorInstance;
  try {
    name = connections.connectionFor('email', requested).name;
    instance = connections.instance(name);
  } catch (error) {
    throw new TriageError('TRIAGE_OUTBOX_NO_CONNECTION', [named, action, `${error instanceof Error ? error.message : String(error)} (set email.connection in triage.config.yaml)`], { cause: error });
  }
  const execute = instance.execute;
  if (execute === undefined) throw new TriageError('TRIAGE_OUTBOX_NO_CONNECTION', [name, action, 'its connector sends no mail']);
  return { connection: name, instance: { ...instance, execute: execute.bind(instance) } };
}

/** `Re: <subject> [#<number>]`, without stacking `Re:` or the number twice. */
export function replySubject(subject: string, number: string): string {
  const base = /^re:/i.test(subject.trim()) ? subject.trim() : `Re: ${subject.trim()}`;
  return base.includes(`[#${number}]`) ? base : `${base} [#${number}]`;
}

function acknowledgementText(number: string, params: Record<string, unknown>): string {
  const text = typeof params.text === 'string' && params.text !== '' ? params.text : `We received your request ${number}.`;
  return typeof params.faqUrl === 'string' ? `${text}\n\n${params.faqUrl}` : text;
}

/** Reply-To of the message (data.replyTo or the header), else its From. */
function customerAddress(message: Message): string | undefined {
  const data = message.data.replyTo ?? message.headers['reply-to'];
  const replyTo = typeof data === 'string' ? data : typeof (data as { address?: unknown } | undefined)?.address === 'string' ? (data as { address: string }).address : undefined;
  const address = replyTo ?? message.from?.address;
  return address !== undefined && address.includes('@') ? address : undefined;
}

function referencesOf(message: Message): string[] {
  const refs = message.data.references ?? message.headers.references;
  if (Array.isArray(refs)) return refs.filter((r): r is string => typeof r === 'string');
  if (typeof refs === 'string') return refs.split(/\s+/).filter((r) => r !== '');
  return [];
}

/** Why a message is machine mail (the auto flags the inbound channel stores, or the headers themselves), or undefined. */
function machineMailReason(message: Message, loopMarker: string): string | undefined {
  const auto = message.data.auto as Record<string, unknown> | undefined;
  for (const flag of ['isAutoReply', 'isBounce', 'isBulk']) if (auto?.[flag] === true) return typeof auto.reason === 'string' ? `${flag}: ${auto.reason}` : flag;
  const header = message.headers['auto-submitted'];
  if (typeof header === 'string' && header.trim().toLowerCase() !== 'no') return `Auto-Submitted: ${header.trim()}`;
  const loop = message.headers['x-loop'];
  if ([loop].flat().some((v) => typeof v === 'string' && v.trim().toLowerCase() === loopMarker.toLowerCase())) return `X-Loop: ${loopMarker}`;
  return undefined;
}
