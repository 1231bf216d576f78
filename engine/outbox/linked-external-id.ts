import type { Knex } from 'knex';

/**
 * ActionCall.linkedExternalId for the outbox: the external id the newest done
 * `actionType` row of a ticket got (e.g. the Jira issue key of its
 * jira.createIssue). One query for the store and the Jira issue links, so the
 * two cannot disagree on which row counts.
 */
export async function linkedExternalId(db: Knex, ticketId: string, actionType: string): Promise<string | undefined> {
  const row = (await db('outbox').select('external_id').where({ ticket_id: ticketId, action_type: actionType, status: 'done' }).whereNotNull('external_id').orderBy('updated_at', 'desc').orderBy('id', 'desc').first()) as
    { external_id: string } | undefined;
  return row?.external_id;
}
