import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Decision } from '../../rules/lib/rule-types.js';
import { TriageError } from '../errors/triage-error.js';
import { fromJsonColumn, toJsonColumn } from '../store/json-column.js';
import { toIsoUtc } from '../store/iso-time.js';
import { AuditTrail } from '../tickets/audit-trail.js';
import type { Attachment } from '../tickets/message.js';
import { lockTicket } from '../tickets/ticket-lock.js';
import type { AuditRow, DecisionRow, MessageRow } from '../tickets/ticket-row.js';
import { anonymizeAttachment, anonymizeAuditValues, anonymizeDecision, anonymizeTicketData, eraseStrings, ERASED } from './anonymize-records.js';
import { dropMailBlobs, mailBlobKeysOfTickets } from './drop-mail-blobs.js';
import { inChunks } from './in-chunks.js';

export interface EraseCustomerOptions {
  /** Who asked for it (e.g. `cli:anna`); recorded on every ticket and in gdpr_erasures. */
  actor: string;
  /** Count what would be erased, change nothing. */
  dryRun?: boolean;
  now?: () => Date;
}

/** Rows erased (or, in a dry run, that would be). */
export interface ErasureCounts {
  tickets: number;
  messages: number;
  attachments: number;
  identities: number;
  /** Audit rows whose values were nulled (the `gdpr.erase` rows written are not counted). */
  auditEvents: number;
  decisions: number;
  /** Outbox rows whose rendered params were erased; pending ones are also dropped. */
  outbox: number;
  /** Pending CRM and order lookups deleted (they hold the e-mail/phone and order number looked up). */
  enrichmentJobs: number;
  /** Raw mails and attachment bytes deleted from mail_blobs (kept while another customer's message shares them). */
  mailBlobs: number;
}

export interface ErasureResult {
  /** Id of the gdpr_erasures row; null in a dry run. */
  erasureId: string | null;
  customerId: string;
  dryRun: boolean;
  actor: string;
  at: string;
  /** Numbers of the customer's tickets, oldest first. */
  tickets: string[];
  counts: ErasureCounts;
}

/** Thrown inside the transaction to roll a dry run back after counting with the real code. */
class DryRunRollback extends Error {
  constructor(readonly result: ErasureResult) {
    super('dry run');
  }
}

/**
 * Erase a customer's personal data on request (GDPR art. 17; R20) in one
 * transaction, keeping anonymized statistics (docs/privacy.md):
 *
 * - customer: name → "[erased]", CRM data removed, identities (e-mail, phone,
 *   domain) deleted, so a new message from the same address makes a new,
 *   unlinked customer; the row (id, segment, created_at) stays for statistics;
 * - their tickets: subject → "[erased]", data reduced to how the ticket came
 *   in (channel details without the person); status, category, priority,
 *   team, assignee, tags, timestamps and external ids stay (the external id
 *   keeps a re-delivered mail from re-creating the ticket with the data);
 * - every message of those tickets, both directions and internal notes:
 *   from, to, cc, subject, text, html → "[erased]", headers and source data
 *   removed, attachments keep only type and size;
 * - audit rows: values and data that could hold personal data nulled; who
 *   did what when stays; stored decisions lose rendered action params and
 *   explain-trace values; outbox rows lose their rendered params, and pending
 *   ones are dropped (there is nothing left worth sending);
 * - one `gdpr.erase` audit row per ticket and one gdpr_erasures row for the
 *   customer (who, when, counts).
 *
 * A dry run does all of it inside the transaction and rolls back, so the
 * counts are exactly what a real run would touch.
 */
export async function eraseCustomer(db: Knex, customerId: string, options: EraseCustomerOptions): Promise<ErasureResult> {
  const at = toIsoUtc((options.now ?? (() => new Date()))());
  if (at === undefined) throw new Error('eraseCustomer: the clock returned an invalid date');
  const dryRun = options.dryRun === true;
  try {
    return await db.transaction(async (trx) => {
      // First statement is a write: it makes a SQLite transaction the writer
      // before it reads, and row-locks the customer on PostgreSQL.
      const found = await trx('customers').where({ id: customerId }).update({ name: trx.raw('??', ['name']) });
      if (Number(found) !== 1) throw new TriageError('TRIAGE_CUSTOMER_NOT_FOUND', [customerId]);
      const tickets = (await trx('tickets').where({ customer_id: customerId }).orderBy([{ column: 'created_at' }, { column: 'id' }]).select('id', 'number', 'data')) as {
        id: string;
        number: string;
        data: string | null;
      }[];
      // Lock in id order, as everyone else locks one ticket at a time: no deadlock.
      for (const id of tickets.map((t) => t.id).sort()) await lockTicket(trx, id);
      const ids = tickets.map((t) => t.id);
      const erasureId = randomUUID();

      const perTicket = new Map<string, { messages: number; attachments: number; auditEvents: number; decisions: number }>(
        ids.map((id) => [id, { messages: 0, attachments: 0, auditEvents: 0, decisions: 0 }]),
      );
      const bump = (ticketId: string, key: 'messages' | 'attachments' | 'auditEvents' | 'decisions', n = 1): void => {
        const c = perTicket.get(ticketId);
        if (c) c[key] += n;
      };

      for (const t of tickets) {
        await trx('tickets')
          .where({ id: t.id })
          .update({ subject: ERASED, data: toJsonColumn(anonymizeTicketData(fromJsonColumn<Record<string, unknown>>(t.data, {}))) });
      }

      // Read before the messages lose their references below; deleted once they have.
      const blobKeys = await mailBlobKeysOfTickets(trx, ids);
      await inChunks(ids, async (chunk) => {
        const messages = (await trx('messages').whereIn('ticket_id', chunk).select()) as MessageRow[];
        for (const m of messages) {
          const attachments = fromJsonColumn<Attachment[]>(m.attachments, []);
          await trx('messages')
            .where({ id: m.id })
            .update({
              from_address: m.from_address === null ? null : ERASED,
              from_name: m.from_name === null ? null : ERASED,
              to: toJsonColumn(fromJsonColumn<unknown[]>(m.to, []).map(() => ERASED)),
              cc: toJsonColumn(fromJsonColumn<unknown[]>(m.cc, []).map(() => ERASED)),
              subject: m.subject === null ? null : ERASED,
              text: m.text === null ? null : ERASED,
              html: m.html === null ? null : ERASED,
              headers: toJsonColumn({}),
              attachments: toJsonColumn(attachments.map(anonymizeAttachment)),
              data: toJsonColumn({}),
            });
          bump(m.ticket_id, 'messages');
          bump(m.ticket_id, 'attachments', attachments.length);
        }

        const audit = (await trx('audit_events').whereIn('ticket_id', chunk).select()) as AuditRow[];
        for (const row of audit) {
          const before = { old_value: row.old_value, new_value: row.new_value, data: row.data };
          const values = anonymizeAuditValues({
            action: row.action,
            field: row.field,
            oldValue: fromJsonColumn<unknown>(row.old_value, null),
            newValue: fromJsonColumn<unknown>(row.new_value, null),
            data: fromJsonColumn<Record<string, unknown> | null>(row.data, null),
          });
          const after = { old_value: toJsonColumn(values.oldValue), new_value: toJsonColumn(values.newValue), data: toJsonColumn(values.data) };
          if (JSON.stringify(before) === JSON.stringify(after)) continue;
          await trx('audit_events').where({ id: row.id }).update(after);
          bump(row.ticket_id, 'auditEvents');
        }

        const decisions = (await trx('decisions').whereIn('ticket_id', chunk).select('id', 'ticket_id', 'decision')) as Pick<DecisionRow, 'id' | 'ticket_id' | 'decision'>[];
        for (const row of decisions) {
          const decision = fromJsonColumn<Decision | null>(row.decision, null);
          if (decision === null) continue;
          const text = JSON.stringify(anonymizeDecision(decision));
          if (text === row.decision) continue;
          await trx('decisions').where({ id: row.id }).update({ decision: text });
          bump(row.ticket_id, 'decisions');
        }
      });

      const outbox = await eraseOutbox(trx, ids, options.actor, at);
      const crmJobs = (await trx.schema.hasTable('enrichment_jobs')) ? await inChunks(ids, (chunk) => trx('enrichment_jobs').whereIn('ticket_id', chunk).delete()) : 0;
      // Pending order lookups hold the order number and the sender's e-mail/phone (engine/orders).
      const orderJobs = (await trx.schema.hasTable('order_jobs')) ? await inChunks(ids, (chunk) => trx('order_jobs').whereIn('ticket_id', chunk).delete()) : 0;
      const enrichmentJobs = crmJobs + orderJobs;
      const mailBlobs = await dropMailBlobs(trx, blobKeys);
      // A CSAT comment is the customer's own words; the score stays (R18 reports).
      if (await trx.schema.hasTable('csat_responses')) await inChunks(ids, (chunk) => trx('csat_responses').whereIn('ticket_id', chunk).whereNotNull('comment').update({ comment: ERASED }));
      const identities = Number(await trx('customer_identities').where({ customer_id: customerId }).delete());
      await trx('customers').where({ id: customerId }).update({ name: ERASED, data: null });

      const sum = (key: 'messages' | 'attachments' | 'auditEvents' | 'decisions'): number => [...perTicket.values()].reduce((n, c) => n + c[key], 0);
      const counts: ErasureCounts = {
        tickets: ids.length,
        messages: sum('messages'),
        attachments: sum('attachments'),
        identities,
        auditEvents: sum('auditEvents'),
        decisions: sum('decisions'),
        outbox,
        enrichmentJobs,
        mailBlobs,
      };

      for (const id of ids) {
        const trail = await AuditTrail.resume(trx, id, at);
        trail.record({ actor: { type: 'user', id: options.actor }, action: 'gdpr.erase', data: { erasureId, counts: perTicket.get(id) ?? null } });
        await trail.flush();
      }
      await trx('gdpr_erasures').insert({ id: erasureId, customer_id: customerId, actor: options.actor, at, tickets: ids.length, counts: JSON.stringify(counts) });

      const result: ErasureResult = { erasureId, customerId, dryRun, actor: options.actor, at, tickets: tickets.map((t) => t.number), counts };
      if (dryRun) throw new DryRunRollback({ ...result, erasureId: null });
      return result;
    });
  } catch (e) {
    if (e instanceof DryRunRollback) return e.result;
    throw e;
  }
}

/**
 * Outbox rows carry the params a rule rendered (customer names, message
 * excerpts). Erase them; drop the pending ones, with the operator trail the
 * outbox keeps for drops. A row in flight is left to its worker: it already
 * holds the params, and it reports back on its own.
 */
async function eraseOutbox(trx: Knex.Transaction, ticketIds: readonly string[], actor: string, at: string): Promise<number> {
  if (!(await trx.schema.hasTable('outbox'))) return 0;
  let count = 0;
  await inChunks(ticketIds, async (chunk) => {
    const rows = (await trx('outbox').whereIn('ticket_id', chunk).select('id', 'params', 'status')) as { id: string; params: string; status: string }[];
    for (const row of rows) {
      const pending = row.status === 'pending';
      await trx('outbox')
        .where({ id: row.id })
        .update({
          params: JSON.stringify(eraseStrings(fromJsonColumn<unknown>(row.params, {}))),
          last_error: null,
          ...(pending ? { status: 'dropped', updated_at: at } : {}),
        });
      if (pending) await trx('outbox_events').insert({ id: randomUUID(), outbox_id: row.id, action: 'drop', actor, from_status: 'pending', at });
      count++;
    }
    const outboxIds = rows.map((r) => r.id);
    if (outboxIds.length > 0) await trx('outbox_attempts').whereIn('outbox_id', outboxIds).update({ error_message: null, detail: null });
  });
  return count;
}
