import type { Knex } from 'knex';
import type { Decision } from '../../rules/lib/rule-types.js';
import { TriageError } from '../errors/triage-error.js';
import { assertTransition, statusAfterCustomerMessage, type TicketStatus } from '../lifecycle/ticket-status.js';
import { statusChangeEvents } from '../lifecycle/status-change-events.js';
import { statusTimestamps } from '../lifecycle/status-timestamps.js';
import { isUniqueViolation } from '../store/is-unique-violation.js';
import { toIsoUtc } from '../store/iso-time.js';
import { timeOrderedUuid } from '../store/time-ordered-uuid.js';
import { insertRows, knexRunner, type SqlRunner } from '../store/sql-runner.js';
import { applyDecision, planDecision } from './apply-decision.js';
import { SYSTEM_ACTOR, type Actor, type AuditEvent } from './audit-event.js';
import { AuditTrail } from './audit-trail.js';
import type { Correction } from './correction.js';
import type { Customer, CustomerHints } from './customer.js';
import type { CustomerFactsProvider } from './customer-facts-provider.js';
import { orderCustomerHints, type OrderFactsProvider } from '../orders/order-facts-provider.js';
import { identitiesFromHints } from './customer-identity.js';
import { CustomerLookupCache } from './customer-lookup-cache.js';
import { resolveCustomer, loadCustomer, lookupCustomer } from './customer-resolver.js';
import type { Decide, DecisionRecord } from './decide.js';
import type { SlaEventFact } from '../sla/clocks/sla-fact.js';
import type { TicketSlaHooks } from '../sla/clocks/sla-clocks.js';
import { GroupCommit, transactionCommitHooks, type CommitHooks, type GroupCommitOptions } from './group-commit.js';
import { databaseDialect } from '../store/database-dialect.js';
import type { Message, MessageInput } from './message.js';
import { messageFromInput } from './message-input.js';
import { recordCorrections, type AgentFieldChange, type AgentTagChange } from './record-corrections.js';
import { EDITABLE_FIELDS, type Ticket, type TicketFilter, type TicketPage, type TicketUpdate } from './ticket.js';
import type { TicketCursor } from './ticket-cursor.js';
import { customerFact, customerFields, messageFact, ticketFact } from './ticket-facts.js';
import { normalizeCreateInput, normalizeTagChanges, validateFieldChanges, type CreateTicketInput } from './ticket-input.js';
import { lockTicket } from './ticket-lock.js';
import { allocateTicketNumber } from './ticket-number.js';
import {
  countCustomerTickets,
  findTicket,
  findTicketByExternalId,
  loadAudit,
  loadCorrections,
  loadCreateFingerprint,
  loadDecisions,
  loadMessages,
  queryTicketPage,
  queryTickets,
} from './ticket-queries.js';
import { decisionFromRow, decisionToRow, messageFromRow, messageToRow, ticketChangesToRow, ticketToRow, type DecisionRow, type MessageRow } from './ticket-row.js';

export interface AfterDecisionContext {
  trx: Knex.Transaction;
  /**
   * Runs plain SQL in the same transaction; on the create path with SQLite
   * straight on the connection, without knex's per-statement overhead
   * (engine/store/sql-runner.ts; `insertRows` builds an INSERT).
   */
  sql: SqlRunner;
  ticket: Ticket;
  decision: Decision;
  decisionId: string;
  message: Message | undefined;
  /**
   * On the create path only: tells when this ticket's writes are committed
   * and durable, or rolled back (engine/tickets/group-commit.ts). Other paths
   * may run inside an outer transaction, so they leave it out.
   */
  commit?: CommitHooks;
}

export interface TicketServiceOptions {
  db: Knex;
  /** Rule evaluation; runs inside the write transaction, so CPU only (see Decide). */
  decide: Decide;
  /** Injectable clock for tests and replays. */
  now?: () => Date;
  /** Domains that never link customers by domain; defaults to FREE_MAIL_DOMAINS. */
  freeMailDomains?: ReadonlySet<string>;
  /** Country calling code for phone numbers written without one (e.g. `48`). */
  defaultCountryCode?: string;
  /**
   * Runs in the same transaction right after a decision is applied, so the
   * outbox and SLA timers can write their rows atomically with it. Same rule as
   * decide: no network I/O.
   */
  afterDecision?: (context: AfterDecisionContext) => Promise<void> | void;
  /**
   * Facts about a new ticket's customer from the CRM (R8), asked BEFORE the
   * creating transaction when the caller passed no `customerFacts` and the
   * ticket has a customer. See engine/enrichment/customer-enricher.ts.
   */
  customerFacts?: CustomerFactsProvider;
  /**
   * The `order` fact of a new ticket (docs/orders.md), asked BEFORE the
   * creating transaction like `customerFacts`. See engine/orders/order-enricher.ts.
   */
  orderFacts?: OrderFactsProvider;
  /**
   * Group commit for createTicket (docs/store.md): creates arriving while a
   * transaction is busy share the next one, each in its own savepoint, and
   * are answered after its COMMIT. Default: on for SQLite (one writer, and a
   * commit is the dearest statement), off for PostgreSQL (per-ticket
   * transactions; grouping is as safe there, but each instance would then
   * hold the counter row lock for a whole group). `true` / options to force
   * it on, `false` to force it off.
   */
  groupCommit?: boolean | GroupCommitOptions;
  /**
   * SLA clocks (engine/sla/clocks, docs/sla.md): the `sla` fact before each
   * decision, and the timer rows brought in line after every write, both in
   * the write transaction.
   */
  sla?: TicketSlaHooks;
}

export interface CreateTicketResult {
  ticket: Ticket;
  /** The ticket.created decision; for a re-delivery, the one stored at creation (null if none was). */
  decision: Decision | null;
  /** false when (source, externalId) already existed: nothing was changed. */
  created: boolean;
}

export interface TicketDetails {
  ticket: Ticket;
  messages: Message[];
  audit: AuditEvent[];
  decisions: DecisionRecord[];
  /** Rule values agents overrode on this ticket (R13), oldest first. */
  corrections: Correction[];
  customer: Customer | null;
}

/** A customer with their ticket history across channels (R7), newest first. */
export interface CustomerDetails {
  customer: Customer;
  /** The newest `limit` tickets (after `after`). */
  tickets: Ticket[];
  /** Where the next page of the history starts; null when there is none. */
  next: TicketCursor | null;
  /** All of the customer's tickets. */
  ticketCount: number;
}

/** Options of the calls that change an existing ticket and evaluate rules. */
export interface TicketChangeOptions {
  /** Facts loaded before the call (CRM, R8), merged into the `customer` fact; not stored. */
  customerFacts?: Record<string, unknown>;
  /** The `order` fact loaded before the call (docs/orders.md); not stored. */
  orderFacts?: Record<string, unknown>;
}

export interface TicketChangeResult {
  ticket: Ticket;
  /** The decisions of the events the change raised, in evaluation order; empty when nothing changed. */
  decisions: Decision[];
  /** The agent's overrides of rule-set values this change recorded (R13). */
  corrections: Correction[];
}

export interface AddMessageResult {
  ticket: Ticket;
  message: Message;
  /** The message.received decision; null for outbound messages and re-deliveries. */
  decision: Decision | null;
  /** false when the ticket already had a message with this Message-ID: nothing was changed. */
  created: boolean;
}

/**
 * Tickets and their lifecycle over the store (R1, R7, R14, R21, R24).
 *
 * Every write is one transaction that starts by taking a write lock (the
 * counter for new tickets, the ticket row otherwise), then writes rows,
 * evaluates rules through the injected `decide`, applies the decision and
 * appends audit rows. If anything throws, including decide, nothing is kept.
 */
export class TicketService {
  private readonly db: Knex;
  private readonly decide: Decide;
  private readonly clock: () => Date;
  private readonly identityOptions: { freeMailDomains?: ReadonlySet<string>; defaultCountryCode?: string };
  private readonly afterDecision: TicketServiceOptions['afterDecision'];
  private readonly customerFactsProvider: CustomerFactsProvider | undefined;
  private readonly orderFactsProvider: OrderFactsProvider | undefined;
  private readonly groupCommit: GroupCommit | undefined;
  /** Creates on their way, by source and external id (writer-thread group commit only, see createTicket). */
  private readonly creating = new Map<string, Promise<CreateTicketResult>>();
  private readonly sla: TicketSlaHooks | undefined;
  /** SQLite: settled customer lookups, kept while the customer data is unchanged (migration 0014). */
  private readonly customerCache: CustomerLookupCache | undefined;

  /**
   * The group commit new tickets are written in (SQLite by default), for
   * other short writes that may share its commits (the outbox worker's
   * outcomes); undefined without one.
   */
  get commits(): GroupCommit | undefined {
    return this.groupCommit;
  }

  /** Finish the creates in progress and stop the group commit's writer thread, if it runs one. */
  async close(): Promise<void> {
    await this.groupCommit?.close();
  }

  constructor(options: TicketServiceOptions) {
    this.db = options.db;
    this.decide = options.decide;
    this.clock = options.now ?? (() => new Date());
    this.identityOptions = {
      ...(options.freeMailDomains === undefined ? {} : { freeMailDomains: options.freeMailDomains }),
      ...(options.defaultCountryCode === undefined ? {} : { defaultCountryCode: options.defaultCountryCode }),
    };
    this.afterDecision = options.afterDecision;
    this.customerFactsProvider = options.customerFacts;
    this.orderFactsProvider = options.orderFacts;
    this.sla = options.sla;
    const sqlite = databaseDialect(options.db) === 'sqlite';
    this.customerCache = sqlite ? new CustomerLookupCache(options.db) : undefined;
    const group = options.groupCommit ?? sqlite;
    this.groupCommit = group === false ? undefined : new GroupCommit(options.db, group === true ? {} : group);
  }

  /**
   * Create a ticket with its first message, evaluate `ticket.created` and
   * apply the decision, all in one transaction. Idempotent on
   * (source, externalId), also when two deliveries race. With group commit
   * (the default on SQLite) that transaction is a savepoint in a transaction
   * shared with concurrent creates, and the answer comes after its COMMIT.
   */
  async createTicket(input: CreateTicketInput): Promise<CreateTicketResult> {
    const now = this.now();
    const normalized = normalizeCreateInput(input, now);
    if (this.groupCommit?.usesWriterThread !== true) return this.createNormalized(input, normalized, now);
    // On the writer thread a create that loses the (source, external_id) race fails only when its batch is
    // written, and the creates collected after it must then run again (their numbers follow its number). So a
    // delivery of an item whose create is still on its way waits for that one and answers with its ticket.
    const key = `${normalized.source}\u0000${normalized.externalId}`;
    const earlier = this.creating.get(key);
    if (earlier !== undefined) {
      await earlier.catch(() => undefined);
      const existing = await findTicketByExternalId(this.db, normalized.source, normalized.externalId);
      if (existing !== undefined) return this.redelivered(existing, normalized.fingerprint);
    }
    const running = this.createNormalized(input, normalized, now);
    this.creating.set(key, running);
    try {
      return await running;
    } finally {
      if (this.creating.get(key) === running) this.creating.delete(key);
    }
  }

  private async createNormalized(input: CreateTicketInput, normalized: ReturnType<typeof normalizeCreateInput>, now: string): Promise<CreateTicketResult> {
    const ticketId = timeOrderedUuid();
    const message = input.message === undefined ? undefined : messageFromInput(input.message, ticketId, { subject: normalized.subject, now: normalized.createdAt });
    // The sender of an inbound first message is the customer unless the caller says otherwise.
    const sender = message?.direction === 'inbound' && message.from !== null ? { email: message.from.address, name: message.from.name } : {};
    const hints: CustomerHints = { ...sender, ...input.customer };
    const identities = identitiesFromHints(hints, this.identityOptions);

    // --- order facts (docs/orders.md): the shop is asked here, outside the transaction, like the CRM below.
    let orderFacts: Record<string, unknown> | undefined;
    if (this.orderFactsProvider !== undefined) {
      const existing = await findTicketByExternalId(this.db, normalized.source, normalized.externalId);
      if (existing !== undefined) return this.redelivered(existing, normalized.fingerprint);
      orderFacts = await this.orderFactsProvider({ ticketId, subject: normalized.subject, text: message?.text ?? null, data: normalized.data, hints, now });
      // A ticket that names nobody (chat, hidden caller id) belongs to the order's customer.
      if (identities.length === 0) identities.push(...identitiesFromHints(Object.assign(hints, orderCustomerHints(orderFacts)), this.identityOptions));
    }
    // --- end order facts

    // Customer lookup happens before the transaction: it may create the
    // customer, and its short transactions must not nest in ours (SQLite has a
    // single connection). A rollback below keeps the customer, which is fine.
    const lookup = identities.length === 0 ? undefined : await (this.customerCache?.lookup(identities) ?? lookupCustomer(this.db, identities));
    // A re-delivery must write nothing and ask no CRM. When resolving the
    // customer writes nothing and no CRM is asked, the unique
    // (source, external_id) index is the only check needed (it refuses the
    // insert below, see the catch); otherwise look first.
    const asksCrm = input.customerFacts === undefined && this.customerFactsProvider !== undefined && identities.length > 0;
    if (asksCrm || (lookup !== undefined && !lookup.settled)) {
      const existing = await findTicketByExternalId(this.db, normalized.source, normalized.externalId);
      if (existing !== undefined) return this.redelivered(existing, normalized.fingerprint);
    }
    const customer = lookup === undefined ? null : lookup.settled ? lookup.customer : await resolveCustomer(this.db, hints, { ...this.identityOptions, now }, lookup);
    // The CRM is asked here, outside the transaction, for the same reason.
    const customerFacts = input.customerFacts ?? (await this.loadCustomerFacts(ticketId, customer, hints, now));
    const actor = input.actor ?? SYSTEM_ACTOR;

    const create = async (trx: Knex.Transaction, sql: SqlRunner, commit: CommitHooks): Promise<CreateTicketResult> => {
      const number = await allocateTicketNumber(sql, databaseDialect(this.db));
      const ticket: Ticket = {
        id: ticketId,
        number,
        source: normalized.source,
        externalId: normalized.externalId,
        subject: normalized.subject,
        status: 'new',
        category: normalized.fields.category ?? null,
        priority: normalized.fields.priority ?? null,
        team: normalized.fields.team ?? null,
        queue: normalized.fields.queue ?? null,
        assignee: normalized.fields.assignee ?? null,
        language: normalized.fields.language ?? null,
        type: normalized.fields.type ?? null,
        customerId: customer?.id ?? null,
        channel: normalized.channel,
        review: false,
        tags: normalized.tags,
        createdAt: normalized.createdAt,
        updatedAt: now,
        firstResponseAt: null,
        solvedAt: null,
        closedAt: null,
        ruleSetVersion: null,
        data: normalized.data,
      };
      const audit = AuditTrail.start(trx, ticket.id, now);
      audit.record({
        actor,
        action: 'ticket.create',
        event: 'ticket.created',
        data: {
          number,
          source: ticket.source,
          externalId: ticket.externalId,
          channel: ticket.channel,
          arrivedAt: ticket.createdAt,
          customerId: ticket.customerId,
          fields: normalized.fields,
          tags: ticket.tags,
          ...(normalized.fingerprint === null ? {} : { fingerprint: normalized.fingerprint }),
        },
      });
      if (message !== undefined) audit.record({ actor, action: 'message.add', event: 'ticket.created', data: messageSummary(message) });

      // Decide before writing, so the ticket row is inserted as decided: one
      // INSERT instead of an INSERT and an UPDATE. The rows, audit trail and
      // afterDecision are the same as for applyDecision on an inserted ticket.
      const decision = await this.decideEvent({ event: 'ticket.created', ticket, message, customer, customerFacts, orderFacts, now, sql, creating: true });
      const planned = planDecision(ticket, decision, audit, now);
      await insertRows(sql, 'tickets', [ticketToRow(planned.ticket) as unknown as Row]);
      await insertRows(sql, 'ticket_tags', planned.ticket.tags.map((tag) => ({ ticket_id: ticket.id, tag })));
      if (message !== undefined) await insertRows(sql, 'messages', [messageToRow(message) as unknown as Row]);
      await insertRows(sql, 'decisions', [decisionToRow(planned.record) as unknown as Row]);
      if (this.afterDecision !== undefined) {
        await this.afterDecision({ trx, sql, ticket: planned.ticket, decision, decisionId: planned.record.id, message, commit });
      }
      if (this.sla !== undefined) await this.sla.sync({ sql, ticket: planned.ticket, customer: customerFields(customer, customerFacts), message, now, creating: true });
      await audit.flush(sql);
      return { ticket: planned.ticket, decision, created: true };
    };

    try {
      return await (this.groupCommit === undefined ? this.db.transaction((trx) => create(trx, knexRunner(trx), transactionCommitHooks(trx))) : this.groupCommit.run(create));
    } catch (error) {
      // A delivery of an item that is already stored, or that lost the race
      // against a concurrent delivery: the unique (source, external_id) index
      // refused our row, theirs stands (committed by now: a transaction that
      // failed on the index waited for it, and a group answers after its end).
      if (isUniqueViolation(error)) {
        const winner = await findTicketByExternalId(this.db, normalized.source, normalized.externalId);
        if (winner !== undefined) return this.redelivered(winner, normalized.fingerprint);
      }
      throw error;
    }
  }

  /** By id or number; with messages, audit trail, decisions and customer. */
  async getTicket(idOrNumber: string): Promise<TicketDetails> {
    const ticket = await findTicket(this.db, idOrNumber);
    if (ticket === undefined) throw new TriageError('TRIAGE_TICKET_NOT_FOUND', [idOrNumber]);
    // Sequential on purpose: SQLite has one connection, parallel reads would only queue.
    const messages = await loadMessages(this.db, ticket.id);
    const audit = await loadAudit(this.db, ticket.id);
    const decisions = await loadDecisions(this.db, ticket.id);
    const corrections = await loadCorrections(this.db, ticket.id);
    const customer = ticket.customerId === null ? null : await loadCustomer(this.db, ticket.customerId);
    return { ticket, messages, audit, decisions, corrections, customer };
  }

  /**
   * The ticket and its messages only: what a reply or acknowledgement needs
   * to address and thread a mail. Three queries instead of getTicket's eight,
   * for the outbox worker, which reads one ticket per mail it sends.
   */
  async getTicketMessages(idOrNumber: string): Promise<Pick<TicketDetails, 'ticket' | 'messages'>> {
    const ticket = await findTicket(this.db, idOrNumber);
    if (ticket === undefined) throw new TriageError('TRIAGE_TICKET_NOT_FOUND', [idOrNumber]);
    return { ticket, messages: await loadMessages(this.db, ticket.id) };
  }

  /** Newest first. */
  async listTickets(filter: TicketFilter = {}): Promise<Ticket[]> {
    return queryTickets(this.db, filter);
  }

  /**
   * Newest first by (createdAt, id), one page at a time: pass the returned
   * `next` as `filter.after` for the following page. Tickets created while
   * paging never shift later pages (keyset, not offset).
   */
  async listTicketPage(filter: TicketFilter = {}): Promise<TicketPage> {
    return queryTicketPage(this.db, filter);
  }

  /** A customer, their identities, and their tickets across channels, newest first (R7). */
  async getCustomer(id: string, options: { limit?: number; after?: TicketCursor } = {}): Promise<CustomerDetails> {
    const customer = await loadCustomer(this.db, id);
    if (customer === null) throw new TriageError('TRIAGE_CUSTOMER_NOT_FOUND', [id]);
    const page = await queryTicketPage(this.db, { customerId: id, ...options });
    const ticketCount = await countCustomerTickets(this.db, id);
    return { customer, tickets: page.tickets, next: page.next, ticketCount };
  }

  /**
   * Move a ticket through the lifecycle; illegal moves throw
   * TRIAGE_TICKET_ILLEGAL_TRANSITION and change nothing. In the same
   * transaction, `status.changed` is evaluated and applied, then
   * `ticket.closed` when the ticket was closed. A status the decisions set
   * raises no further events (see statusChangeEvents). Same → same is a no-op.
   * A user moving a status a rule set records a correction (R13).
   */
  async changeStatus(idOrNumber: string, to: TicketStatus, actor: Actor, options: TicketChangeOptions = {}): Promise<TicketChangeResult> {
    const now = this.now();
    return this.withLockedTicket(idOrNumber, now, async (trx, ticket, audit) => {
      assertTransition(ticket.number, ticket.status, to);
      if (to === ticket.status) return { ticket, decisions: [], corrections: [] };
      const update = { status: to, ...statusTimestamps(ticket.status, to, now), updatedAt: now };
      await trx('tickets').where({ id: ticket.id }).update(ticketChangesToRow(update));
      const auditSeq = audit.record({ actor, action: 'status.change', event: 'status.changed', field: 'status', oldValue: ticket.status, newValue: to });
      const corrections = await recordCorrections(trx, ticket.id, { fields: [{ field: 'status', from: ticket.status, to, auditSeq }], tags: [] }, actor, now);
      const raised = await this.raise(trx, audit, statusChangeEvents(ticket.status, to), { ...ticket, ...update }, options.customerFacts, now);
      return { ...raised, corrections };
    });
  }

  /**
   * Append a message. An inbound (customer) message reopens a pending or
   * solved ticket (audited as a system status change), then `message.received`
   * is evaluated and applied in the same transaction. The reopen raises no
   * `status.changed`: the message is the event, and its rules see the ticket
   * already open. A closed ticket stays closed: whether to open a follow-up
   * ticket is the caller's decision.
   * An outbound public message sets firstResponseAt once (R19 FRT).
   * Re-delivery of a Message-ID the ticket already has changes nothing.
   */
  async addMessage(idOrNumber: string, input: MessageInput, actor: Actor, options: TicketChangeOptions = {}): Promise<AddMessageResult> {
    const now = this.now();
    return this.withLockedTicket(idOrNumber, now, async (trx, ticket, audit) => {
      const message = messageFromInput(input, ticket.id, { subject: ticket.subject, now });
      if (message.messageId !== null) {
        const duplicate = (await trx('messages').where({ ticket_id: ticket.id, message_id: message.messageId }).first()) as MessageRow | undefined;
        if (duplicate !== undefined) return { ticket, message: messageFromRow(duplicate), decision: null, created: false };
      }
      await trx('messages').insert(messageToRow(message));
      audit.record({ actor, action: 'message.add', event: message.direction === 'inbound' ? 'message.received' : null, data: messageSummary(message) });

      let current: Ticket = { ...ticket, updatedAt: now };
      if (message.direction === 'outbound') {
        // An automatic acknowledgement (data.automatic, engine/outbox/customer-mail-handler.ts) is a receipt, not a response.
        const firstResponse = message.kind === 'public' && message.data.automatic !== true && current.firstResponseAt === null ? message.createdAt : undefined;
        if (firstResponse !== undefined) current = { ...current, firstResponseAt: firstResponse };
        await trx('tickets').where({ id: ticket.id }).update(ticketChangesToRow({ updatedAt: now, ...(firstResponse === undefined ? {} : { firstResponseAt: firstResponse }) }));
        if (this.sla !== undefined) await this.sla.sync({ sql: knexRunner(trx), ticket: current, customer: customerFields(null, options.customerFacts), message, now });
        return { ticket: current, message, decision: null, created: true };
      }

      const reopened = statusAfterCustomerMessage(current.status);
      if (reopened !== current.status) {
        const update = { status: reopened, ...statusTimestamps(current.status, reopened, now), updatedAt: now };
        await trx('tickets').where({ id: ticket.id }).update(ticketChangesToRow(update));
        audit.record({ actor: SYSTEM_ACTOR, action: 'status.change', event: 'message.received', field: 'status', oldValue: current.status, newValue: reopened, data: { reason: 'customer message' } });
        current = { ...current, ...update };
      }
      const customer = current.customerId === null ? null : await loadCustomer(trx, current.customerId);
      const result = await this.evaluate(trx, audit, { event: 'message.received', ticket: current, message, customer, customerFacts: options.customerFacts, orderFacts: options.orderFacts, now });
      return { ticket: result.ticket, message, decision: result.decision, created: true };
    });
  }

  /**
   * An agent's change to ticket fields and tags; unchanged values are not
   * audited. Status goes through the lifecycle exactly as in changeStatus and
   * raises the same events; a change to any other field or to the tags raises
   * `ticket.updated`. All are evaluated and applied in the same transaction,
   * status events first. Changes the decisions make raise no further events.
   * When a user overrides a value a rule had set, a correction is recorded in
   * the same transaction (R13, see recordCorrections).
   */
  async updateFields(idOrNumber: string, changes: TicketUpdate, actor: Actor, options: TicketChangeOptions = {}): Promise<TicketChangeResult> {
    validateFieldChanges(changes);
    const tagChanges = normalizeTagChanges(changes.tags);
    const now = this.now();
    return this.withLockedTicket(idOrNumber, now, async (trx, ticket, audit) => {
      const update: Parameters<typeof ticketChangesToRow>[0] = {};
      let next: Ticket = { ...ticket };
      const events: string[] = [];
      const fieldChanges: AgentFieldChange[] = [];
      if (changes.status !== undefined) {
        assertTransition(ticket.number, ticket.status, changes.status);
        if (changes.status !== ticket.status) {
          const stamps = { status: changes.status, ...statusTimestamps(ticket.status, changes.status, now) };
          Object.assign(update, stamps);
          next = { ...next, ...stamps };
          const auditSeq = audit.record({ actor, action: 'status.change', event: 'status.changed', field: 'status', oldValue: ticket.status, newValue: changes.status });
          fieldChanges.push({ field: 'status', from: ticket.status, to: changes.status, auditSeq });
          events.push(...statusChangeEvents(ticket.status, changes.status));
        }
      }
      if (changes.customerId !== undefined && changes.customerId !== null && changes.customerId !== ticket.customerId) {
        if ((await loadCustomer(trx, changes.customerId)) === null) throw new TriageError('TRIAGE_TICKET_INVALID', [`unknown customer ${changes.customerId}`]);
      }
      let fieldsChanged = false;
      for (const field of [...EDITABLE_FIELDS, 'subject', 'review', 'customerId'] as const) {
        const value = changes[field];
        if (value === undefined || value === ticket[field]) continue;
        Object.assign(update, { [field]: value });
        next = { ...next, [field]: value };
        const auditSeq = audit.record({ actor, action: 'field.set', event: 'ticket.updated', field, oldValue: ticket[field], newValue: value });
        // Only rule-settable fields can correct a rule; subject, review and customer are not decisions.
        if ((EDITABLE_FIELDS as readonly string[]).includes(field)) fieldChanges.push({ field, from: ticket[field], to: value, auditSeq });
        fieldsChanged = true;
      }
      const tagsAdded = tagChanges.add.filter((t) => !ticket.tags.includes(t));
      const tagsRemoved = tagChanges.remove.filter((t) => ticket.tags.includes(t));
      const tagRows: AgentTagChange[] = [];
      if (tagsAdded.length > 0) {
        await trx('ticket_tags').insert(tagsAdded.map((tag) => ({ ticket_id: ticket.id, tag })));
        for (const tag of tagsAdded) tagRows.push({ tag, action: 'add', auditSeq: audit.record({ actor, action: 'tag.add', event: 'ticket.updated', newValue: tag }) });
      }
      if (tagsRemoved.length > 0) {
        await trx('ticket_tags').where({ ticket_id: ticket.id }).whereIn('tag', tagsRemoved).delete();
        for (const tag of tagsRemoved) tagRows.push({ tag, action: 'remove', auditSeq: audit.record({ actor, action: 'tag.remove', event: 'ticket.updated', oldValue: tag }) });
      }
      if (Object.keys(update).length === 0 && tagRows.length === 0) return { ticket, decisions: [], corrections: [] };
      next.tags = [...ticket.tags.filter((t) => !tagsRemoved.includes(t)), ...tagsAdded].sort();
      next.updatedAt = now;
      await trx('tickets').where({ id: ticket.id }).update(ticketChangesToRow({ ...update, updatedAt: now }));
      const corrections = await recordCorrections(trx, ticket.id, { fields: fieldChanges, tags: tagRows }, actor, now);
      if (fieldsChanged || tagRows.length > 0) events.push('ticket.updated');
      const raised = await this.raise(trx, audit, events, next, options.customerFacts, now);
      return { ...raised, corrections };
    });
  }

  /**
   * Evaluate one event the engine raises on an existing ticket (e.g.
   * `ticket.enriched` when the CRM answers late, R8) with facts loaded before
   * the call, and apply the decision; `within` runs in the same transaction
   * (to settle the work that raised the event atomically with its decision).
   */
  async raiseEvent(
    idOrNumber: string,
    event: string,
    options: TicketChangeOptions & {
      within?: (trx: Knex.Transaction) => Promise<void>;
      /** Runs first under the ticket's lock; false: raise nothing (the reason for the event went away). */
      guard?: (trx: Knex.Transaction) => Promise<boolean>;
      /** For sla.warning / sla.breached: the threshold that fired (the `sla.event` fact). */
      slaEvent?: SlaEventFact;
    } = {},
  ): Promise<TicketChangeResult> {
    const now = this.now();
    return this.withLockedTicket(idOrNumber, now, async (trx, ticket, audit) => {
      if (options.guard !== undefined && !(await options.guard(trx))) return { ticket, decisions: [], corrections: [] };
      const raised = await this.raise(trx, audit, [event], ticket, options.customerFacts, now, options.slaEvent, options.orderFacts);
      if (options.within !== undefined) await options.within(trx);
      return { ...raised, corrections: [] };
    });
  }

  /** Lock, load, run `work`, flush the audit rows it recorded; one transaction. */
  private async withLockedTicket<T>(idOrNumber: string, now: string, work: (trx: Knex.Transaction, ticket: Ticket, audit: AuditTrail) => Promise<T>): Promise<T> {
    // Resolve a number to the id first: the lock must be the transaction's first statement.
    const ref = await findTicket(this.db, idOrNumber);
    if (ref === undefined) throw new TriageError('TRIAGE_TICKET_NOT_FOUND', [idOrNumber]);
    return this.db.transaction(async (trx) => {
      if (!(await lockTicket(trx, ref.id))) throw new TriageError('TRIAGE_TICKET_NOT_FOUND', [idOrNumber]);
      const ticket = await findTicket(trx, ref.id);
      if (ticket === undefined) throw new TriageError('TRIAGE_TICKET_NOT_FOUND', [idOrNumber]);
      const audit = await AuditTrail.resume(trx, ticket.id, now);
      const result = await work(trx, ticket, audit);
      await audit.flush();
      return result;
    });
  }

  /**
   * Evaluate and apply `events` one after the other on the locked ticket;
   * each sees the ticket as the previous decision left it.
   */
  private async raise(
    trx: Knex.Transaction,
    audit: AuditTrail,
    events: readonly string[],
    ticket: Ticket,
    customerFacts: Record<string, unknown> | undefined,
    now: string,
    slaEvent?: SlaEventFact,
    orderFacts?: Record<string, unknown>,
  ): Promise<{ ticket: Ticket; decisions: Decision[] }> {
    let current = ticket;
    const decisions: Decision[] = [];
    if (events.length === 0) return { ticket: current, decisions };
    // Loaded once: no decision changes the customer.
    const customer = current.customerId === null ? null : await loadCustomer(trx, current.customerId);
    for (const event of events) {
      const result = await this.evaluate(trx, audit, { event, ticket: current, message: undefined, customer, customerFacts, orderFacts, now, slaEvent });
      current = result.ticket;
      decisions.push(result.decision);
    }
    return { ticket: current, decisions };
  }

  private async evaluate(trx: Knex.Transaction, audit: AuditTrail, input: EvaluationContext): Promise<{ ticket: Ticket; decision: Decision }> {
    const sql = knexRunner(trx);
    const decision = await this.decideEvent({ ...input, sql });
    const applied = await applyDecision(trx, input.ticket, decision, audit, input.now);
    if (this.afterDecision !== undefined) {
      await this.afterDecision({ trx, sql, ticket: applied.ticket, decision, decisionId: applied.record.id, message: input.message });
    }
    if (this.sla !== undefined) await this.sla.sync({ sql, ticket: applied.ticket, customer: customerFields(input.customer, input.customerFacts), message: input.message, now: input.now });
    return { ticket: applied.ticket, decision };
  }

  /** Run the rules on copies of the facts; a decide that returns garbage fails the transaction. */
  private async decideEvent(input: EvaluationContext): Promise<Decision> {
    const { event, ticket, message, customer, customerFacts, now } = input;
    const customerInput = customerFact(customer, customerFacts);
    const sla =
      this.sla === undefined || input.sql === undefined
        ? undefined
        : await this.sla.fact({ sql: input.sql, ticket, customer: customerInput, event, now, slaEvent: input.slaEvent, creating: input.creating === true });
    // Assigned, not spread: this runs for every decision, and each conditional spread built and copied an object.
    const facts: Parameters<Decide>[0] = { event, ticket: ticketFact(ticket), now };
    if (message !== undefined) facts.message = messageFact(message);
    if (customerInput !== undefined) facts.customer = customerInput;
    if (sla !== undefined) facts.sla = sla;
    if (input.orderFacts !== undefined) facts.order = structuredClone(input.orderFacts);
    const decision = await this.decide(facts);
    assertDecision(decision, event);
    return decision;
  }

  private async redelivered(ticket: Ticket, fingerprint: string | null): Promise<CreateTicketResult> {
    if (fingerprint !== null) {
      // A ticket made by a channel (no fingerprint stored) keeps the plain re-delivery semantics.
      const stored = await loadCreateFingerprint(this.db, ticket.id);
      if (stored !== null && stored !== fingerprint) {
        throw new TriageError('TRIAGE_TICKET_IDEMPOTENCY_CONFLICT', [ticket.number, ticket.externalId], {
          details: { ticket: ticket.number, source: ticket.source, externalId: ticket.externalId },
        });
      }
    }
    const row = (await this.db('decisions').where({ ticket_id: ticket.id, event: 'ticket.created' }).orderBy('seq').first()) as DecisionRow | undefined;
    return { ticket, decision: row === undefined ? null : decisionFromRow(row).decision, created: false };
  }

  /** The CRM's facts for a new ticket's customer; its own identities go first, so the CRM is asked about this sender. */
  private async loadCustomerFacts(ticketId: string, customer: Customer | null, hints: CustomerHints, now: string): Promise<Record<string, unknown> | undefined> {
    if (this.customerFactsProvider === undefined || customer === null) return undefined;
    const own = identitiesFromHints(hints, this.identityOptions);
    const others = customer.identities.filter((i) => !own.some((o) => o.kind === i.kind && o.value === i.value));
    return this.customerFactsProvider({ ticketId, customer, identities: [...own, ...others], now });
  }

  private now(): string {
    const iso = toIsoUtc(this.clock());
    if (iso === undefined) throw new Error('the ticket service clock returned an invalid date');
    return iso;
  }
}

type Row = Record<string, unknown>;

/** What one evaluation inside a write transaction is about. */
interface EvaluationContext {
  event: string;
  ticket: Ticket;
  message: Message | undefined;
  customer: Customer | null;
  customerFacts: Record<string, unknown> | undefined;
  /** The `order` fact (docs/orders.md), when the caller loaded one. */
  orderFacts?: Record<string, unknown> | undefined;
  now: string;
  /** The write transaction's runner, for the SLA clocks' `sla` fact. */
  sql?: SqlRunner;
  /** ticket.created: no SLA timer rows exist yet. */
  creating?: boolean;
  slaEvent?: SlaEventFact | undefined;
}

/** A decide that returns garbage must fail the transaction, not store garbage. */
function assertDecision(decision: unknown, event: string): asserts decision is Decision {
  const d = decision as Partial<Decision> | null;
  const ok =
    typeof d === 'object' && d !== null &&
    typeof d.ruleSetVersion === 'string' &&
    typeof d.changes === 'object' && d.changes !== null &&
    Array.isArray(d.changeLog) &&
    typeof d.tags === 'object' && d.tags !== null && Array.isArray(d.tags.added) && Array.isArray(d.tags.removed) &&
    // tagLog is optional here: without it tags are attributed as before tagLog existed (see applyDecision).
    (d.tagLog === undefined || Array.isArray(d.tagLog)) &&
    Array.isArray(d.firedRules) && Array.isArray(d.actions);
  if (!ok) throw new Error(`decide returned an invalid decision for ${event}`);
}

function messageSummary(message: Message): Record<string, unknown> {
  return {
    messageId: message.id,
    direction: message.direction,
    kind: message.kind,
    from: message.from?.address ?? null,
    externalMessageId: message.messageId,
  };
}
