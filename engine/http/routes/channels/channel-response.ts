import type { Decision } from '../../../../rules/lib/rule-types.js';
import channelResponseSchema from '../../../../schemas/http/channel-response.schema.json' with { type: 'json' };
import decisionSchema from '../../../../schemas/http/decision.schema.json' with { type: 'json' };
import errorSchema from '../../../../schemas/http/error.schema.json' with { type: 'json' };
import type { ChannelResponse, ChannelTicket } from '../../../../schemas/types/http/channel-response.js';
import type { Ticket } from '../../../tickets/ticket.js';
import { withoutSchemaMeta } from '../../schema-for-route.js';

const base = withoutSchemaMeta(channelResponseSchema);

/**
 * The channel response schema with `decision` spelled out: the JSON file
 * leaves it open so its generated type stays small, the route gives the
 * serializer and /openapi.json the full decision schema.
 */
const responseBody = {
  ...base,
  properties: {
    ...base.properties,
    decision: { description: base.properties.decision.description, anyOf: [withoutSchemaMeta(decisionSchema), { type: 'null' }] },
  },
};

/** `response` of every channel route: 201 created a ticket, 200 added to / re-delivered, 202 ignored. */
export const CHANNEL_RESPONSES = {
  200: responseBody,
  201: responseBody,
  202: responseBody,
  '4xx': withoutSchemaMeta(errorSchema),
} as const;

/** The part of a ticket a channel caller needs to link back to it. */
export function channelTicket(ticket: Ticket): ChannelTicket {
  return {
    id: ticket.id,
    number: ticket.number,
    status: ticket.status,
    subject: ticket.subject,
    channel: ticket.channel,
    category: ticket.category,
    priority: ticket.priority,
    team: ticket.team,
    customerId: ticket.customerId,
    tags: ticket.tags,
    createdAt: ticket.createdAt,
  };
}

/** The common body; `extra` adds the channel's own fields (missingFields, messageAdded…). */
export function channelResponse(
  ticket: Ticket,
  outcome: { created: boolean; duplicate: boolean; decision: Decision | null },
  extra: Partial<ChannelResponse> = {},
): ChannelResponse {
  return { created: outcome.created, duplicate: outcome.duplicate, ticket: channelTicket(ticket), decision: outcome.decision as ChannelResponse['decision'], ...extra };
}
