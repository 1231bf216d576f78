import type { Knex } from 'knex';
import { toIsoUtc } from '../store/iso-time.js';
import type { Actor } from '../tickets/audit-event.js';
import type { Attachment, MessageInput } from '../tickets/message.js';
import type { TicketService } from '../tickets/ticket-service.js';
import { blobRef, MailBlobStore, sha256Hex, type Blob } from './mail-blob-store.js';
import { normalizeMessageId, rawMessageId, storedSpellings } from './message-id.js';
import { parseMail, type ParsedMail, type ParseMailOptions } from './parse-mail.js';
import { hasSubjectTag, resolveThreads, type ThreadMatch } from './resolve-thread.js';

/** Where a raw message came from. */
export interface MailOrigin {
  /** Configured mailbox name; `import` for `triage mail import`. */
  mailbox: string;
  /** IMAP UID in the mailbox's folder. */
  uid?: number;
  /** When the message arrived (IMAP INTERNALDATE); else its Date header; else now. The SLA clock starts here (R1). */
  arrivedAt?: Date | string | null;
}

export type IngestOutcome = 'created' | 'appended' | 'duplicate';

export interface IngestResult {
  outcome: IngestOutcome;
  ticketId: string;
  ticketNumber: string;
  /** The Message-ID the message is known by (its own, or one derived from the raw bytes). */
  messageId: string;
  rawSha256: string;
  unparseable: boolean;
  /** How a follow-up found its ticket; undefined for a new ticket. */
  threadedBy?: ThreadMatch['by'];
}

export type BatchItemResult = { ok: true; result: IngestResult } | { ok: false; error: unknown };

interface StoredRef {
  ticketId: string;
  ticketNumber: string;
}

/** A message parsed and keyed, not yet stored. */
export interface PreparedMail {
  raw: Buffer;
  rawSha256: string;
  origin: MailOrigin;
  parsed: ParsedMail | null;
  /** Why the message counts as unparseable; null when it parsed. */
  unparseable: string | null;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  subject: string;
}

export interface MailIngestOptions {
  db: Knex;
  tickets: Pick<TicketService, 'createTicket' | 'addMessage'>;
  now?: () => Date;
  /** Parallel ticket writes in ingestMany (group commit on SQLite shares their COMMIT). Default 64. */
  concurrency?: number;
  /** Our own X-Loop value (config `email.loopMarker`): inbound mail carrying it is flagged as ours. */
  loopMarker?: string;
}

export const UNPARSEABLE_TAG = 'unparseable';
const UNPARSEABLE_SUBJECT = '(unparseable message)';

/**
 * Raw mail → ticket or follow-up, exactly once (docs/email.md).
 *
 * 1. The raw bytes and every attachment go to mail_blobs (content-addressed,
 *    insert-if-absent), before any ticket refers to them.
 * 2. A Message-ID already stored on any message is a re-delivery: nothing is written.
 * 3. A message that answers a known one (In-Reply-To / References) or names
 *    a ticket in its subject joins that ticket (TicketService.addMessage:
 *    message.received, a customer reply reopens pending/solved); a closed
 *    ticket gets a new follow-up ticket instead (data.followUpOf).
 * 4. Otherwise a new ticket (source `email`, externalId = Message-ID): the
 *    unique (source, external_id) index settles a race between instances.
 * Mail that cannot be parsed still becomes a ticket, tagged `unparseable`,
 * with the raw message attached.
 */
export class MailIngest {
  private readonly db: Knex;
  private readonly tickets: MailIngestOptions['tickets'];
  private readonly blobs: MailBlobStore;
  private readonly clock: () => Date;
  private readonly concurrency: number;
  private readonly parseOptions: ParseMailOptions;

  constructor(options: MailIngestOptions) {
    this.db = options.db;
    this.tickets = options.tickets;
    this.blobs = new MailBlobStore(options.db);
    this.clock = options.now ?? (() => new Date());
    this.concurrency = Math.max(1, options.concurrency ?? 64);
    this.parseOptions = options.loopMarker === undefined ? {} : { loopMarker: options.loopMarker };
  }

  async ingest(raw: Buffer, origin: MailOrigin): Promise<IngestResult> {
    return this.commit(await prepareMail(raw, origin, this.parseOptions));
  }

  /**
   * Many messages, in parallel where that is safe: a message waits for the
   * earlier ones of the batch it could thread to (same Message-ID, In-Reply-To,
   * References; a subject tag waits for all earlier ones), so the outcome is
   * the same as one after the other. Every item gets its own result.
   */
  async ingestMany(items: ReadonlyArray<{ raw: Buffer; origin: MailOrigin }>): Promise<BatchItemResult[]> {
    const prepared: PreparedMail[] = [];
    for (const item of items) prepared.push(await prepareMail(item.raw, item.origin, this.parseOptions));
    // All blobs of the batch in few statements, and the duplicate and thread
    // look-ups of the whole batch in a few queries: on SQLite every write
    // outside a transaction is a commit (an fsync), and reads queued one per
    // message between the tickets would keep group commit from grouping.
    await this.putBlobs(prepared);
    const stored = await this.findStoredMany(prepared.map((m) => m.messageId));
    const threads = await resolveThreads(this.db, prepared);
    const done: Array<Promise<unknown>> = [];
    const byMessageId = new Map<string, number[]>();
    const limiter = new Limiter(this.concurrency);
    const results = prepared.map((mail, i) => {
      const deps = new Set<number>();
      if (hasSubjectTag(mail.subject)) for (let j = 0; j < i; j++) deps.add(j);
      for (const id of [mail.messageId, ...(mail.inReplyTo === null ? [] : [mail.inReplyTo]), ...mail.references]) {
        for (const j of byMessageId.get(id) ?? []) deps.add(j);
      }
      const list = byMessageId.get(mail.messageId) ?? [];
      list.push(i);
      byMessageId.set(mail.messageId, list);
      const before = [...deps].map((j) => done[j]);
      // An item that depends on earlier ones of the batch looks again once they are settled.
      const known = deps.size === 0 ? { stored: stored.get(mail.messageId) ?? null, thread: threads[i] ?? null } : undefined;
      // Dependencies first, then a slot: a slot holder never waits on another item, so this cannot deadlock.
      const run = (async (): Promise<BatchItemResult> => {
        await Promise.allSettled(before);
        try {
          return { ok: true, result: await limiter.run(() => this.commit(mail, { blobsStored: true, ...(known === undefined ? {} : { known }) })) };
        } catch (error) {
          return { ok: false, error };
        }
      })();
      done.push(run);
      return run;
    });
    return Promise.all(results);
  }

  /** Store blobs, then create or join a ticket; see the class comment. */
  async commit(mail: PreparedMail, options: { blobsStored?: boolean; known?: { stored: StoredRef | null; thread: ThreadMatch | null } } = {}): Promise<IngestResult> {
    const now = this.nowIso();
    const base = { messageId: mail.messageId, rawSha256: mail.rawSha256, unparseable: mail.unparseable !== null };
    const stored = options.known === undefined ? (await this.findStoredMany([mail.messageId])).get(mail.messageId) : (options.known.stored ?? undefined);
    if (stored !== undefined) return { ...base, outcome: 'duplicate', ...stored };

    if (options.blobsStored !== true) await this.putBlobs([mail]);

    const arrivedAt = arrival(mail, now);
    const message = messageInput(mail, arrivedAt);
    const actor: Actor = { type: 'system', id: `mail:${mail.origin.mailbox}` };
    const thread = options.known === undefined ? (await resolveThreads(this.db, [mail]))[0] : (options.known.thread ?? undefined);
    if (thread !== undefined && thread.status !== 'closed') {
      const added = await this.tickets.addMessage(thread.ticketId, message, actor);
      return { ...base, outcome: added.created ? 'appended' : 'duplicate', ticketId: added.ticket.id, ticketNumber: added.ticket.number, threadedBy: thread.by };
    }
    const created = await this.tickets.createTicket({
      source: 'email',
      externalId: mail.messageId,
      channel: 'email',
      subject: mail.subject,
      message,
      createdAt: arrivedAt,
      actor,
      tags: mail.unparseable === null ? [] : [UNPARSEABLE_TAG],
      data: { mailbox: mail.origin.mailbox, ...(thread === undefined ? {} : { followUpOf: thread.number }) },
    });
    return { ...base, outcome: created.created ? 'created' : 'duplicate', ticketId: created.ticket.id, ticketNumber: created.ticket.number };
  }

  /** Raw messages and attachment bytes, before any ticket refers to them; in chunks that stay under the statement limits. */
  private async putBlobs(mails: readonly PreparedMail[]): Promise<void> {
    const blobs: Blob[] = [];
    for (const mail of mails) {
      blobs.push({ sha256: mail.rawSha256, content: mail.raw });
      for (const a of mail.parsed?.attachments ?? []) blobs.push({ sha256: a.sha256, content: a.content });
    }
    for (let i = 0; i < blobs.length; i += 200) await this.blobs.put(blobs.slice(i, i + 200), this.nowIso());
  }

  /** The tickets that already hold a message with these Message-IDs (any ticket, any direction), by Message-ID. */
  private async findStoredMany(messageIds: readonly string[]): Promise<Map<string, StoredRef>> {
    const out = new Map<string, StoredRef>();
    const ids = [...new Set(messageIds)];
    for (let i = 0; i < ids.length; i += 400) {
      const chunk = ids.slice(i, i + 400);
      const rows = (await this.db('messages')
        .join('tickets', 'tickets.id', 'messages.ticket_id')
        .whereIn('messages.message_id', storedSpellings(chunk))
        .select('messages.message_id as messageId', 'tickets.id as ticketId', 'tickets.number as ticketNumber')) as Array<{ messageId: string } & StoredRef>;
      for (const r of rows) out.set(normalizeMessageId(r.messageId) ?? r.messageId, { ticketId: r.ticketId, ticketNumber: r.ticketNumber });
      // A ticket whose first message was erased still owns its externalId.
      const tickets = (await this.db('tickets').where({ source: 'email' }).whereIn('external_id', chunk).select('id', 'number', 'external_id')) as Array<{ id: string; number: string; external_id: string }>;
      for (const t of tickets) if (!out.has(t.external_id)) out.set(t.external_id, { ticketId: t.id, ticketNumber: t.number });
    }
    return out;
  }

  private nowIso(): string {
    const iso = toIsoUtc(this.clock());
    if (iso === undefined) throw new Error('the mail ingest clock returned an invalid date');
    return iso;
  }
}

/**
 * Parse and key a raw message. parseMail does not throw on bad mail; a
 * message it could not find a single header in (or that made it throw
 * anyway) is unparseable and keyed by its raw hash.
 */
export async function prepareMail(raw: Buffer, origin: MailOrigin, options: ParseMailOptions = {}): Promise<PreparedMail> {
  const rawSha256 = sha256Hex(raw);
  let parsed: ParsedMail | null = null;
  let unparseable: string | null = null;
  try {
    parsed = await parseMail(raw, options);
    if (Object.keys(parsed.headers).length === 0) unparseable = parsed.problems[0] ?? 'no message header found';
  } catch (error) {
    unparseable = error instanceof Error ? error.message : String(error);
  }
  if (unparseable !== null) {
    return { raw, rawSha256, origin, parsed: null, unparseable, messageId: rawMessageId(rawSha256), inReplyTo: null, references: [], subject: UNPARSEABLE_SUBJECT };
  }
  const mail = parsed as ParsedMail;
  return {
    raw,
    rawSha256,
    origin,
    parsed: mail,
    unparseable: null,
    messageId: normalizeMessageId(mail.messageId) ?? rawMessageId(rawSha256),
    inReplyTo: normalizeMessageId(mail.inReplyTo),
    references: mail.references.map((r) => normalizeMessageId(r)).filter((r): r is string => r !== null),
    subject: mail.subject,
  };
}

function arrival(mail: PreparedMail, now: string): string {
  return toIsoUtc(mail.origin.arrivedAt ?? mail.parsed?.date ?? now) ?? now;
}

/** The stored message: columns for what every channel has, `data` for the mail specifics rules can use (message.auto.isAutoReply…). */
function messageInput(mail: PreparedMail, arrivedAt: string): MessageInput {
  const rawAttachment: Attachment = { filename: 'message.eml', contentType: 'message/rfc822', size: mail.raw.length, sha256: mail.rawSha256, ref: blobRef(mail.rawSha256), raw: true };
  const common = {
    direction: 'inbound' as const,
    kind: 'public' as const,
    messageId: mail.messageId,
    createdAt: arrivedAt,
  };
  const origin = { mailbox: mail.origin.mailbox, ...(mail.origin.uid === undefined ? {} : { uid: mail.origin.uid }), rawRef: blobRef(mail.rawSha256), rawSha256: mail.rawSha256 };
  if (mail.parsed === null) {
    return {
      ...common,
      subject: UNPARSEABLE_SUBJECT,
      attachments: [rawAttachment],
      data: { ...origin, unparseable: true, problems: [mail.unparseable], auto: { isAutoReply: false, isBounce: false, isBulk: false, reason: null }, references: [] },
    };
  }
  const p = mail.parsed;
  return {
    ...common,
    ...(p.from === null ? {} : { from: { address: p.from.address, name: p.from.name } }),
    to: p.to.map((a) => a.address),
    cc: p.cc.map((a) => a.address),
    subject: p.subject,
    text: p.text,
    ...(p.html === null ? {} : { html: p.html }),
    headers: p.headers,
    ...(mail.inReplyTo === null ? {} : { inReplyTo: mail.inReplyTo }),
    attachments: p.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
      sha256: a.sha256,
      contentId: a.contentId,
      inline: a.inline,
      ref: blobRef(a.sha256),
    })),
    data: {
      ...origin,
      references: mail.references,
      newText: p.newText,
      date: p.date,
      recipients: { to: p.to, cc: p.cc, replyTo: p.replyTo },
      replyTo: p.replyTo,
      auto: p.auto,
      ...(p.problems.length === 0 ? {} : { problems: p.problems }),
    },
  };
}

/** At most `size` tasks at a time, started in arrival order. */
class Limiter {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}
