import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { TriageError } from '../errors/triage-error.js';
import { isUniqueViolation } from '../store/is-unique-violation.js';
import { toIsoUtc } from '../store/iso-time.js';
import { timeOrderedUuid } from '../store/time-ordered-uuid.js';
import { AuditTrail } from '../tickets/audit-trail.js';
import { lockTicket } from '../tickets/ticket-lock.js';
import { verifyCsatToken, type CsatTokenClaims } from './csat-token.js';

/** The audit actor of a survey answer: the customer, reached through a signed link, not a user account. */
export const CSAT_ACTOR = { type: 'system', id: 'csat-survey' } as const;

/** Longest comment kept; a survey box is not a mail body. */
export const CSAT_COMMENT_MAX = 2000;

export interface CsatAnswer {
  /** 1..5; absent when only a comment is added to an answer given with the same link. */
  score?: unknown;
  comment?: unknown;
}

export interface CsatResult {
  ticketId: string;
  ticketNumber: string;
  score: number;
  comment: string | null;
  /** true: the score was recorded now; false: a comment was added to an earlier answer. */
  created: boolean;
}

/** One answer as stored. */
export interface CsatResponse {
  id: string;
  ticketId: string;
  score: number;
  comment: string | null;
  createdAt: string;
}

interface ResponseRow {
  id: string;
  token_id: string;
  ticket_id: string;
  score: number | string;
  comment: string | null;
  created_at: string;
}

/**
 * Records survey answers (R18): the token is verified (signature, expiry),
 * then, under the ticket's lock, the answer is stored under the token's nonce
 * (unique, so a link works once) with an audit row, in one transaction. The
 * only second use allowed is adding a comment to an answer that has none, so
 * the thank-you page can offer a comment box after a one-click score.
 */
export class CsatService {
  constructor(
    private readonly db: Knex,
    private readonly secret: Buffer,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Is the link genuine and unexpired? (The form page checks before showing itself.) Throws the coded error otherwise. */
  verify(token: string): CsatTokenClaims {
    return verifyCsatToken(token, this.secret, this.clock().getTime());
  }

  async answer(token: string, answer: CsatAnswer): Promise<CsatResult> {
    const nowMs = this.clock().getTime();
    const claims = verifyCsatToken(token, this.secret, nowMs);
    const score = answer.score === undefined || answer.score === '' ? undefined : parseScore(answer.score);
    const comment = parseComment(answer.comment);
    const now = toIsoUtc(new Date(nowMs)) ?? new Date(nowMs).toISOString();
    try {
      return await this.db.transaction(async (trx) => {
        if (!(await lockTicket(trx, claims.ticketId))) throw new TriageError('TRIAGE_CSAT_TICKET_GONE', [claims.ticketId]);
        const ticket = (await trx('tickets').where({ id: claims.ticketId }).first('number')) as { number: string };
        const audit = await AuditTrail.resume(trx, claims.ticketId, now);
        const existing = (await trx('csat_responses').where({ token_id: claims.nonce }).first()) as ResponseRow | undefined;
        if (existing !== undefined) {
          // A second score, or a second comment, is a reuse of the link.
          if (score !== undefined || comment === null || existing.comment !== null) throw new TriageError('TRIAGE_CSAT_USED');
          await trx('csat_responses').where({ id: existing.id }).update({ comment });
          audit.record({ actor: CSAT_ACTOR, action: 'csat.received', field: 'csat.comment', newValue: comment, data: { responseId: existing.id } });
          await audit.flush();
          return { ticketId: claims.ticketId, ticketNumber: ticket.number, score: Number(existing.score), comment, created: false };
        }
        if (score === undefined) throw new TriageError('TRIAGE_CSAT_BAD_SCORE', ['']);
        const id = timeOrderedUuid();
        await trx('csat_responses').insert({ id, token_id: claims.nonce, ticket_id: claims.ticketId, score, comment, created_at: now });
        audit.record({ actor: CSAT_ACTOR, action: 'csat.received', field: 'csat.score', newValue: score, data: { responseId: id, comment } });
        await audit.flush();
        return { ticketId: claims.ticketId, ticketNumber: ticket.number, score, comment, created: true };
      });
    } catch (error) {
      // Two clicks racing past the read: the unique nonce turns the second into a reuse.
      if (isUniqueViolation(error)) throw new TriageError('TRIAGE_CSAT_USED');
      throw error;
    }
  }

  /** The answers of a ticket, oldest first. */
  async responses(ticketId: string): Promise<CsatResponse[]> {
    const rows = (await this.db('csat_responses').where({ ticket_id: ticketId }).orderBy('created_at').orderBy('id')) as ResponseRow[];
    return rows.map((r) => ({ id: r.id, ticketId: r.ticket_id, score: Number(r.score), comment: r.comment, createdAt: r.created_at }));
  }
}

/**
 * The signing key: the configured one (automations.csat.secret, a
 * ${env:…} reference), else one generated once per database and kept in
 * `automation_secrets`, so every instance on the same database signs alike
 * and links survive restarts. Insert-or-ignore then read: two instances
 * starting together agree on the first one written.
 */
export async function resolveCsatSecret(db: Knex, configured: string | undefined, now: string): Promise<Buffer> {
  if (configured !== undefined && configured !== '') return Buffer.from(configured, 'utf8');
  await db('automation_secrets').insert({ name: 'csat', value: randomBytes(32).toString('base64url'), created_at: now }).onConflict('name').ignore();
  const row = (await db('automation_secrets').where({ name: 'csat' }).first('value')) as { value: string };
  return Buffer.from(row.value, 'utf8');
}

function parseScore(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 5) throw new TriageError('TRIAGE_CSAT_BAD_SCORE', [String(value)]);
  return n;
}

function parseComment(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return text === '' ? null : text.slice(0, CSAT_COMMENT_MAX);
}
