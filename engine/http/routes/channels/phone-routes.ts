import type { FastifyInstance } from 'fastify';
import phoneCallSchema from '../../../../schemas/http/channel-phone-call.schema.json' with { type: 'json' };
import type { PhoneCallEvent } from '../../../../schemas/types/http/channel-phone-call.js';
import { normalizePhoneCall } from '../../../channels/phone-call.js';
import type { AppDeps } from '../../app-deps.js';
import { withoutSchemaMeta } from '../../schema-for-route.js';
import { CHANNEL_RESPONSES, channelResponse } from './channel-response.js';
import { requestActor } from '../../request-actor.js';

/**
 * POST /v1/channels/phone — the PBX webhook (R5). Authenticated by an API key
 * with scope `channels`, or signed with channels.phone.secret.
 */
export function registerPhoneRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post<{ Body: PhoneCallEvent }>(
    '/v1/channels/phone',
    {
      config: { scope: 'channels', signedBy: 'phone' },
      // JSON bodies keep their types: a number where a string belongs is a client bug to report.
      schema: {
        tags: ['channels'],
        summary: 'Receive a PBX call event',
        description:
          'An answered call creates a ticket tagged `phone` (the agent note as its message, recording/transcript links in `data.call`); ' +
          'an inbound missed, abandoned or voicemail call creates a call-back ticket tagged `phone` and `callback` at the call-back priority (P2 unless configured); ' +
          'an unanswered outbound call is ignored (202). The caller number links the ticket to the customer known by that phone (R7). ' +
          'The same callId never creates a second ticket (200 with duplicate: true). ' +
          'Authenticate with an API key (scope channels) or sign the body: X-Triage-Timestamp + X-Triage-Signature (HMAC-SHA256 with channels.phone.secret, see docs/channels.md).',
        body: withoutSchemaMeta(phoneCallSchema),
        response: CHANNEL_RESPONSES,
        security: [{ apiKey: [] }],
      },
    },
    async (request, reply) => {
      const normalized = normalizePhoneCall(request.body, { callbackPriority: deps.config.channels.phone?.callbackPriority });
      if ('ignored' in normalized) {
        return reply.status(202).send({ created: false, duplicate: false, ticket: null, decision: null, ignored: normalized.ignored });
      }
      const result = await deps.tickets.createTicket({ ...normalized.ticket, actor: requestActor(request) });
      return reply
        .status(result.created ? 201 : 200)
        .send(channelResponse(result.ticket, { created: result.created, duplicate: !result.created, decision: result.decision }));
    },
  );
}
