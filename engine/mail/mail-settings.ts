import type { MailConfig } from '../../schemas/types/config.js';
import { TriageError } from '../errors/triage-error.js';

/** What happens on the server to a message once its ticket is committed. */
export type ProcessedAction = { moveTo: string } | { flag: string };

/** One IMAP mailbox, with every default filled in (docs/email.md). */
export interface MailboxSettings {
  name: string;
  host: string;
  port: number;
  tls: boolean;
  user: string;
  /** Already resolved from its ${env:NAME} reference; never logged. */
  password: string;
  folder: string;
  processed: ProcessedAction;
  idle: boolean;
  pollSeconds: number;
  batchSize: number;
}

export interface MailSettings {
  mailboxes: MailboxSettings[];
  /** Longest wait between reconnect attempts of a failing mailbox. */
  maxBackoffSeconds: number;
  /** How long a claim on a mailbox lasts without renewal. */
  leaseSeconds: number;
}

export const DEFAULT_PROCESSED: ProcessedAction = { moveTo: 'Processed' };

/** Defaults for the schema-validated `mail:` section; a mailbox name used twice is refused. */
export function mailSettings(raw: MailConfig | undefined): MailSettings {
  const pollSeconds = raw?.pollSeconds ?? 60;
  const seen = new Set<string>();
  const mailboxes = (raw?.mailboxes ?? []).map((m): MailboxSettings => {
    if (seen.has(m.name)) throw new TriageError('TRIAGE_CONFIG_INVALID', ['mail.mailboxes', `mailbox name "${m.name}" is used twice; names must be unique`]);
    seen.add(m.name);
    const tls = m.tls ?? true;
    return {
      name: m.name,
      host: m.host,
      port: m.port ?? (tls ? 993 : 143),
      tls,
      user: m.user,
      password: m.password,
      folder: m.folder ?? 'INBOX',
      processed: (m.processed as ProcessedAction | undefined) ?? DEFAULT_PROCESSED,
      idle: m.idle ?? true,
      pollSeconds: m.pollSeconds ?? pollSeconds,
      batchSize: m.batchSize ?? 100,
    };
  });
  return { mailboxes, maxBackoffSeconds: raw?.maxBackoffSeconds ?? 300, leaseSeconds: raw?.leaseSeconds ?? 60 };
}
