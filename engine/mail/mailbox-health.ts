import type { Knex } from 'knex';
import type { MailSettings } from './mail-settings.js';
import { MailboxStateStore, type MailboxState } from './mailbox-state-store.js';

/** `ok`: the last round succeeded; `failing`: rounds fail (see lastError); `starting`: no round finished yet. */
export type MailboxCondition = 'ok' | 'failing' | 'starting';

export interface MailboxHealth {
  name: string;
  condition: MailboxCondition;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  failures: number;
  backlog: number | null;
  ingested: number;
  /** The instance reading it (several instances on PostgreSQL). */
  leaseOwner: string | null;
  uidValidity: string | null;
  lastUid: number;
}

/**
 * Health of the configured mailboxes, read from mail_mailboxes, so every
 * instance (and `triage mail status`) reports the same, whichever instance
 * reads the mailbox. Configured mailboxes without a row yet are `starting`.
 */
export async function readMailboxHealth(db: Knex, settings: Pick<MailSettings, 'mailboxes'>): Promise<MailboxHealth[]> {
  const rows = new Map((await new MailboxStateStore(db).list()).map((s) => [s.name, s]));
  return settings.mailboxes.map((m) => toHealth(m.name, rows.get(m.name)));
}

export function toHealth(name: string, state: MailboxState | undefined): MailboxHealth {
  if (state === undefined) {
    return { name, condition: 'starting', lastSuccessAt: null, lastError: null, lastErrorAt: null, failures: 0, backlog: null, ingested: 0, leaseOwner: null, uidValidity: null, lastUid: 0 };
  }
  const condition: MailboxCondition = state.failures > 0 ? 'failing' : state.lastSuccessAt === null ? 'starting' : 'ok';
  return {
    name,
    condition,
    lastSuccessAt: state.lastSuccessAt,
    lastError: state.lastError,
    lastErrorAt: state.lastErrorAt,
    failures: state.failures,
    backlog: state.backlog,
    ingested: state.ingested,
    leaseOwner: state.leaseOwner,
    uidValidity: state.uidValidity,
    lastUid: state.lastUid,
  };
}
