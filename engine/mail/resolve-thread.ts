import type { Knex } from 'knex';
import { normalizeMessageId, storedSpellings } from './message-id.js';

export interface ThreadHints {
  /** Normalized (see normalizeMessageId). */
  inReplyTo: string | null;
  /** Normalized, oldest first as in the header. */
  references: readonly string[];
  subject: string;
}

export interface ThreadMatch {
  ticketId: string;
  number: string;
  status: string;
  /** What joined the message to the ticket. */
  by: 'in-reply-to' | 'references' | 'subject-tag';
}

type Candidate = Omit<ThreadMatch, 'by'>;

/** `[#T-000123]` anywhere in the subject (our outbound mail puts it there). */
const SUBJECT_TAG = /\[#(T-\d{6,})\]/g;

/**
 * Which existing ticket a message belongs to (R2): the ticket of the message
 * it answers (In-Reply-To), else of the newest message in References that we
 * know, else the ticket whose number is tagged in the subject.
 */
export async function resolveThread(db: Knex, hints: ThreadHints): Promise<ThreadMatch | undefined> {
  return (await resolveThreads(db, [hints]))[0];
}

/**
 * resolveThread for many messages with two queries in all (messages by
 * message_id, tickets by number), so a batch does not queue one read per
 * message on SQLite's single connection.
 */
export async function resolveThreads(db: Knex, all: readonly ThreadHints[]): Promise<Array<ThreadMatch | undefined>> {
  const ids = [...new Set(all.flatMap((h) => [...(h.inReplyTo === null ? [] : [h.inReplyTo]), ...h.references]))];
  const numbers = [...new Set(all.flatMap((h) => subjectTags(h.subject)))];
  const byId = new Map<string, Candidate>();
  for (let i = 0; i < ids.length; i += 400) {
    const rows = (await db('messages')
      .join('tickets', 'tickets.id', 'messages.ticket_id')
      .whereIn('messages.message_id', storedSpellings(ids.slice(i, i + 400)))
      .select('messages.message_id as messageId', 'tickets.id as ticketId', 'tickets.number as number', 'tickets.status as status')) as Array<{ messageId: string } & Candidate>;
    for (const r of rows) byId.set(normalizeMessageId(r.messageId) ?? r.messageId, { ticketId: r.ticketId, number: r.number, status: r.status });
  }
  const byNumber = new Map<string, Candidate>();
  for (let i = 0; i < numbers.length; i += 400) {
    const rows = (await db('tickets').whereIn('number', numbers.slice(i, i + 400)).select('id', 'number', 'status')) as Array<{ id: string; number: string; status: string }>;
    for (const r of rows) byNumber.set(r.number, { ticketId: r.id, number: r.number, status: r.status });
  }
  return all.map((hints) => pickThread(hints, byId, byNumber));
}

function pickThread(hints: ThreadHints, byId: ReadonlyMap<string, Candidate>, byNumber: ReadonlyMap<string, Candidate>): ThreadMatch | undefined {
  const direct = hints.inReplyTo === null ? undefined : byId.get(hints.inReplyTo);
  if (direct !== undefined) return { ...direct, by: 'in-reply-to' };
  // The newest reference is the closest ancestor.
  for (const id of [...hints.references].reverse()) {
    const found = byId.get(id);
    if (found !== undefined) return { ...found, by: 'references' };
  }
  // The first tag in the subject wins (a forwarded chain may carry several).
  for (const n of subjectTags(hints.subject)) {
    const found = byNumber.get(n);
    if (found !== undefined) return { ...found, by: 'subject-tag' };
  }
  return undefined;
}

function subjectTags(subject: string): string[] {
  return [...subject.matchAll(SUBJECT_TAG)].map((m) => m[1] as string);
}

export function hasSubjectTag(subject: string): boolean {
  return subjectTags(subject).length > 0;
}
