import { timeOrderedUuid } from '../store/time-ordered-uuid.js';
import type { Knex } from 'knex';
import type { Actor, AuditAction, AuditEvent } from './audit-event.js';
import { insertRows, type SqlRunner } from '../store/sql-runner.js';
import { auditToRow } from './ticket-row.js';

export interface AuditEntry {
  actor: Actor;
  action: AuditAction;
  event?: string | null;
  ruleSetVersion?: string | null;
  field?: string | null;
  oldValue?: unknown;
  newValue?: unknown;
  data?: Record<string, unknown> | null;
}

/**
 * Collects a transaction's audit rows for one ticket and writes them in one
 * insert. Rows are only ever inserted, never updated (append-only trail, R21).
 * `seq` continues the ticket's trail; callers hold the ticket's row lock, so
 * two transactions cannot take the same numbers.
 */
export class AuditTrail {
  private readonly pending: AuditEvent[] = [];

  private constructor(
    private readonly trx: Knex.Transaction,
    private readonly ticketId: string,
    private readonly at: string,
    private nextSeq: number,
  ) {}

  /** For a ticket created in this transaction. */
  static start(trx: Knex.Transaction, ticketId: string, at: string): AuditTrail {
    return new AuditTrail(trx, ticketId, at, 1);
  }

  /** For an existing ticket; call after locking it. */
  static async resume(trx: Knex.Transaction, ticketId: string, at: string): Promise<AuditTrail> {
    const row = (await trx('audit_events').where({ ticket_id: ticketId }).max({ seq: 'seq' }).first()) as { seq: number | string | null } | undefined;
    return new AuditTrail(trx, ticketId, at, Number(row?.seq ?? 0) + 1);
  }

  /** Queue one row; returns its seq. */
  record(entry: AuditEntry): number {
    const seq = this.nextSeq++;
    this.pending.push({
      id: timeOrderedUuid(),
      ticketId: this.ticketId,
      seq,
      at: this.at,
      actorType: entry.actor.type,
      actorId: entry.actor.id,
      ruleSetVersion: entry.ruleSetVersion ?? null,
      event: entry.event ?? null,
      action: entry.action,
      field: entry.field ?? null,
      oldValue: entry.oldValue ?? null,
      newValue: entry.newValue ?? null,
      data: entry.data ?? null,
    });
    return seq;
  }

  /** Insert the queued rows (through `sql` when given, else knex on the transaction). */
  async flush(sql?: SqlRunner): Promise<AuditEvent[]> {
    const rows = this.pending.splice(0);
    if (rows.length === 0) return rows;
    if (sql !== undefined) await insertRows(sql, 'audit_events', rows.map(auditToRow) as unknown as Array<Record<string, unknown>>);
    else await this.trx('audit_events').insert(rows.map(auditToRow));
    return rows;
  }
}
