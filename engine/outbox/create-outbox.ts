import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Knex } from 'knex';
import type { AfterDecisionContext } from '../tickets/ticket-service.js';
import { resolveConnection, type OutboxConnections } from './connector-handler.js';
import { followUpHandler } from '../automations/follow-up-handler.js';
import { customerMailHandler, type CustomerMailSettings, type CustomerMailTickets } from './customer-mail-handler.js';
import { escalateHandler, type EscalationSettings } from './escalate-handler.js';
import { loadTicketFacts } from './load-ticket-facts.js';
import { noteHandler, type NoteTarget } from './note-handler.js';
import type { OutboxAttempt, OutboxEntry } from './outbox-entry.js';
import { OutboxStore } from './outbox-store.js';
import { OutboxWorker, type OutboxWorkerOptions } from './outbox-worker.js';
import { writeOutboxRows } from './outbox-writer.js';

export interface OutboxOptions {
  db: Knex;
  connections: OutboxConnections | undefined;
  /** For `note`, `reply` and `acknowledge` rows; called by the worker only, so it may be bound lazily. */
  tickets: NoteTarget & CustomerMailTickets;
  /** `email:` of triage.config.yaml: the connection (and sender overrides) for reply, acknowledge and escalation mail. */
  email?: CustomerMailSettings;
  /** `escalation:` of triage.config.yaml: targets per role for `escalate`. */
  escalation?: EscalationSettings;
  /** After every recorded attempt (the server counts triage_outbox_attempts_total). */
  onAttempt?: (entry: OutboxEntry, attempt: OutboxAttempt) => void;
  onError?: (error: unknown) => void;
  /** Worker settings beyond the defaults (batchSize, leaseMs, maxAttempts, backoff…). */
  worker?: Partial<Omit<OutboxWorkerOptions, 'db' | 'connections' | 'handlers' | 'onAttempt' | 'onError'>>;
}

/** The outbox of one server process: the writer hook, the store and one worker. */
export interface Outbox {
  store: OutboxStore;
  worker: OutboxWorker;
  /** For TicketService's `afterDecision`: writes the decision's rows in its transaction and wakes the worker after commit. */
  afterDecision(context: AfterDecisionContext): Promise<void>;
}

/**
 * Wire the outbox as the server runs it: rows written in the decision's
 * transaction, `note` carried out by the ticket service, `reply` /
 * `acknowledge` / `escalate` by the email (and Slack) connections, connector
 * operations by connections.yaml, everything else dead-lettered with
 * TRIAGE_OUTBOX_NO_HANDLER until a handler exists (docs/outbox.md). The
 * caller decides whether to start() the worker.
 */
export function createOutbox(options: OutboxOptions): Outbox {
  const { db, connections } = options;
  const customerMail = { tickets: options.tickets, connections, db, ...(options.email === undefined ? {} : { email: options.email }), ...(options.worker?.now === undefined ? {} : { now: options.worker.now }) };
  const worker = new OutboxWorker({
    workerId: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    ...options.worker,
    db,
    connections,
    handlers: {
      note: noteHandler(options.tickets),
      // Writes a durable scheduled_events row; the automation sweeper raises it when due (docs/automations.md).
      followUp: followUpHandler(db),
      reply: customerMailHandler('reply', customerMail),
      acknowledge: customerMailHandler('acknowledge', customerMail),
      escalate: escalateHandler({
        connections,
        escalation: options.escalation,
        loadTicket: async (id) => (await loadTicketFacts(db, [id])).get(id),
        ...(options.email?.connection === undefined ? {} : { emailConnection: options.email.connection }),
      }),
    },
    ...(options.onAttempt === undefined ? {} : { onAttempt: options.onAttempt }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  });
  const writerOptions = {
    onCommitted: () => worker.wake(),
    adopt: worker,
    resolveConnection: (type: string, params: Record<string, unknown>) => resolveConnection(connections, type, params),
  };
  return {
    store: new OutboxStore(db),
    worker,
    afterDecision: async (context) => {
      await writeOutboxRows({ trx: context.trx, sql: context.sql, ticket: context.ticket, decision: context.decision, decisionId: context.decisionId, ...(context.commit === undefined ? {} : { commit: context.commit }) }, writerOptions);
    },
  };
}
