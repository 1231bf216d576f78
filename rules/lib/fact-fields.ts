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
    // Lifted from data: the form channel lists the required fields a submission lacked (docs/channels.md).
    'missingFields',
    // Lifted from data: the e-mail channel names the closed ticket a reply was split off from (docs/email.md).
    'followUpOf',
  ],
  message: [
    'id', 'direction', 'kind', 'from', 'to', 'cc', 'replyTo', 'subject', 'text', 'newText', 'html', 'headers',
    'messageId', 'inReplyTo', 'references', 'date', 'attachments', 'auto', 'mailbox', 'author', 'data',
    // Lifted from data by IMAP ingest (docs/email.md).
    'uid', 'rawRef', 'rawSha256', 'recipients', 'problems', 'unparseable',
  ],
  // engine/sla/clocks/sla-fact.ts builds it; docs/sla.md lists the fields.
  sla: ['firstResponse', 'nextResponse', 'resolution', 'firstResponseDue', 'nextResponseDue', 'resolutionDue', 'paused', 'event', 'metric', 'threshold', 'percent', 'elapsedMinutes', 'dueAt'],
  // engine/orders/order-fact.ts builds it; docs/orders.md lists the fields.
  order: [
    'lookup', 'number', 'status', 'date', 'total', 'currency', 'items', 'shippingMethod', 'trackingNumber', 'trackingUrl',
    'paymentStatus', 'customerEmail', 'customerPhone', 'ageDays', 'senderMatches', 'source',
  ],
};
