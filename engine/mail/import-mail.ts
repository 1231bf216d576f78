import type { Knex } from 'knex';
import type { TicketService } from '../tickets/ticket-service.js';
import { MailIngest, type IngestResult } from './mail-ingest.js';
import { readMailFiles } from './read-mail-files.js';

export interface ImportedMail {
  location: string;
  result?: IngestResult;
  error?: string;
}

export interface MailImportSummary {
  total: number;
  created: number;
  appended: number;
  duplicates: number;
  failed: number;
  items: ImportedMail[];
}

/** The mailbox name imported messages carry (message.mailbox, ticket.mailbox). */
export const IMPORT_MAILBOX = 'import';

/**
 * `triage mail import`: .eml files or an mbox through the same ingest as
 * IMAP (MailIngest), so a second import of the same files, or of mail the
 * IMAP ingest already took, creates nothing. Arrival time is the message's
 * Date header (there is no INTERNALDATE), else now.
 */
export async function importMail(options: { db: Knex; tickets: Pick<TicketService, 'createTicket' | 'addMessage'>; path: string; mailbox?: string; now?: () => Date }): Promise<MailImportSummary> {
  const files = await readMailFiles(options.path);
  const ingest = new MailIngest({ db: options.db, tickets: options.tickets, ...(options.now === undefined ? {} : { now: options.now }) });
  const mailbox = options.mailbox ?? IMPORT_MAILBOX;
  const results = await ingest.ingestMany(files.map((f) => ({ raw: f.raw, origin: { mailbox } })));
  const summary: MailImportSummary = { total: files.length, created: 0, appended: 0, duplicates: 0, failed: 0, items: [] };
  files.forEach((file, i) => {
    const r = results[i];
    if (r === undefined || !r.ok) {
      summary.failed++;
      const error = r === undefined ? 'not processed' : r.error instanceof Error ? r.error.message : String(r.error);
      summary.items.push({ location: file.location, error });
      return;
    }
    if (r.result.outcome === 'created') summary.created++;
    else if (r.result.outcome === 'appended') summary.appended++;
    else summary.duplicates++;
    summary.items.push({ location: file.location, result: r.result });
  });
  return summary;
}
