import type { Knex } from 'knex';

/**
 * The link between a ticket and its Jira issue is the outbox row of the
 * ticket's `jira.createIssue`: once done, its external_id holds the issue
 * key. Nothing else is stored, so the link cannot drift from what was
 * actually created, and erasing a ticket (its outbox rows cascade) removes
 * the link with it.
 */
const CREATE_ISSUE = 'jira.createIssue';

/**
 * The ticket whose jira.createIssue created `issueKey`; the oldest such row
 * wins (a key belongs to one createIssue unless the same key exists on two
 * Jira sites, which the docs rule out). Keys are compared as Jira spells
 * them, upper case.
 */
export async function ticketIdForIssueKey(db: Knex, issueKey: string): Promise<string | undefined> {
  const row = (await db('outbox')
    .select('ticket_id')
    .where({ action_type: CREATE_ISSUE, external_id: issueKey.toUpperCase() })
    .orderBy('created_at')
    .orderBy('id')
    .first()) as { ticket_id: string } | undefined;
  return row?.ticket_id;
}

/**
 * ActionCall.linkedExternalId for the outbox (for `jira.addComment`, the issue
 * key of the ticket's `jira.createIssue`): the outbox's own query.
 */
export { linkedExternalId } from '../../engine/outbox/linked-external-id.js';
