import type { FastifyInstance } from 'fastify';
import chatMessageSchema from '../../../../schemas/http/channel-chat-message.schema.json' with { type: 'json' };
import type { ChatMessageEvent } from '../../../../schemas/types/http/channel-chat-message.js';
import { normalizeChatMessage } from '../../../channels/chat-message.js';
import { ingestChatMessage } from '../../../channels/ingest-chat-message.js';
import type { AppDeps } from '../../app-deps.js';
import { withoutSchemaMeta } from '../../schema-for-route.js';
import { CHANNEL_RESPONSES, channelResponse } from './channel-response.js';
import { requestActor } from '../../request-actor.js';

/**
 * POST /v1/channels/chat — the generic inbound webhook for chat, social and
 * marketplace messages (R6). Authenticated by an API key with scope
 * `channels`, or signed with channels.chat.secret.
 */
export function registerChatRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post<{ Body: ChatMessageEvent }>(
    '/v1/channels/chat',
    {
      config: { scope: 'channels', signedBy: 'chat' },
      // JSON bodies keep their types: a number where a string belongs is a client bug to report.
      schema: {
        tags: ['channels'],
        summary: 'Receive a chat, social or marketplace message',
        description:
          'The first message of a conversation (platform + conversationId) creates a ticket (201); later messages are appended to it (200, messageAdded: true), ' +
          'which reopens a pending or solved ticket and evaluates message.received rules. The same messageId is stored once (200, duplicate: true). ' +
          'The sender e-mail / phone, when given, link the conversation to the customer (R7). ' +
          'Authenticate with an API key (scope channels) or sign the body with channels.chat.secret (see docs/channels.md).',
        body: withoutSchemaMeta(chatMessageSchema),
        response: CHANNEL_RESPONSES,
        security: [{ apiKey: [] }],
      },
    },
    async (request, reply) => {
      const result = await ingestChatMessage(deps.tickets, normalizeChatMessage(request.body), requestActor(request));
      const duplicate = !result.created && !result.messageAdded;
      return reply
        .status(result.created ? 201 : 200)
        .send(channelResponse(result.ticket, { created: result.created, duplicate, decision: result.decision }, { messageAdded: result.messageAdded }));
    },
  );
}
