import type { Knex } from 'knex';
import type { TicketService } from '../tickets/ticket-service.js';
import { MailIngest } from './mail-ingest.js';
import type { MailSettings } from './mail-settings.js';
import { MailboxPoller, type MailLog, type RoundResult } from './mailbox-poller.js';
import { MailboxStateStore } from './mailbox-state-store.js';

export interface MailIngestRunner {
  pollers: MailboxPoller[];
  /** Finish the rounds in progress, log out, release the leases. */
  stop(): Promise<void>;
}

/**
 * One poller per configured mailbox, all in this process (the composition
 * root starts it after the HTTP app; docs/email.md). With several instances
 * each mailbox is read by the instance holding its lease.
 */
export function startMailIngest(options: {
  db: Knex;
  tickets: Pick<TicketService, 'createTicket' | 'addMessage'>;
  settings: MailSettings;
  /** Our X-Loop value (config `email.loopMarker`), so our own mail coming back is flagged. */
  loopMarker?: string;
  log: MailLog;
  onRound?: (result: RoundResult) => void;
  onFailure?: (mailbox: string, error: unknown) => void;
}): MailIngestRunner {
  const ingest = new MailIngest({ db: options.db, tickets: options.tickets, ...(options.loopMarker === undefined ? {} : { loopMarker: options.loopMarker }) });
  const state = new MailboxStateStore(options.db);
  const pollers = options.settings.mailboxes.map(
    (mailbox) =>
      new MailboxPoller({
        mailbox,
        ingest,
        state,
        maxBackoffSeconds: options.settings.maxBackoffSeconds,
        leaseSeconds: options.settings.leaseSeconds,
        log: options.log,
        ...(options.onRound === undefined ? {} : { onRound: options.onRound }),
        ...(options.onFailure === undefined ? {} : { onFailure: options.onFailure }),
      }),
  );
  for (const poller of pollers) poller.start();
  if (pollers.length > 0) options.log('info', 'mail ingest started', { mailboxes: pollers.map((p) => p.name) });
  return {
    pollers,
    stop: async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    },
  };
}
