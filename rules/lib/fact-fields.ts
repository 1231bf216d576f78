import type { FactName } from './rule-types.js';

/**
 * Top-level fields of the facts whose shape triage owns. A condition on
 * `ticket.subjekt` is a typo that would silently never match, so validation
 * refuses unknown first path segments here. Below the first segment (and for
 * `customer`, whose fields come from the CRM) paths are open.
 */
export const KNOWN_FACT_FIELDS: Partial<Record<FactName, readonly string[]>> = {
  ticket: [
    'id', 'number', 'subject', 'status', 'category', 'priority', 'team', 'queue', 'assignee', 'language', 'type',
    'channel', 'source', 'externalId', 'mailbox', 'tags', 'review', 'customerId', 'createdAt', 'updatedAt',
    'firstResponseAt', 'solvedAt', 'closedAt', 'fields', 'data', 'form', 'call',
  ],
  message: [
    'id', 'direction', 'kind', 'from', 'to', 'cc', 'replyTo', 'subject', 'text', 'newText', 'html', 'headers',
    'messageId', 'inReplyTo', 'references', 'date', 'attachments', 'auto', 'mailbox', 'author', 'data',
  ],
};
