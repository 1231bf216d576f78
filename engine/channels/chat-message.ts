import type { ChatMessageEvent } from '../../schemas/types/http/channel-chat-message.js';
import type { MessageInput } from '../tickets/message.js';
import type { CreateTicketInput } from '../tickets/ticket-input.js';

export const CHAT_SOURCE = 'chat';
export const CHAT_CHANNEL = 'chat';
const MAX_SUBJECT = 100;

export interface NormalizedChatMessage {
  /** The ticket the conversation's first message creates (with `message` as its first message). */
  ticket: CreateTicketInput;
  /** The message to append when the conversation already has its ticket. */
  message: MessageInput;
}

/**
 * An inbound chat / social / marketplace message → the conversation's ticket
 * and the message (R6). One conversation is one ticket: the external id is
 * `<platform>:<conversationId>`, so the first message creates it and every
 * later one finds it. The platform's message id is the message's id, so a
 * re-delivered message is stored once. The sender's e-mail / phone, when the
 * platform shares them, link the conversation to the customer (R7). Pure.
 */
export function normalizeChatMessage(event: ChatMessageEvent): NormalizedChatMessage {
  const { platform, conversationId, from } = event;
  const message: MessageInput = {
    direction: 'inbound',
    // Without an e-mail the platform's sender id is the best address there is.
    from: { address: from.email ?? `${platform}:${from.id}`, name: from.name ?? null },
    text: event.text,
    messageId: event.messageId,
    createdAt: event.sentAt,
    attachments: (event.attachments ?? []).map((a) => ({
      filename: a.filename,
      ...(a.contentType === undefined ? {} : { contentType: a.contentType }),
      ...(a.size === undefined ? {} : { size: a.size }),
      ...(a.url === undefined ? {} : { ref: a.url }),
    })),
    data: { platform, conversationId, senderId: from.id },
  };
  const ticket: CreateTicketInput = {
    source: CHAT_SOURCE,
    externalId: `${platform}:${conversationId}`,
    channel: CHAT_CHANNEL,
    subject: subjectOf(event),
    createdAt: event.sentAt,
    message,
    customer: { email: from.email ?? null, phone: from.phone ?? null, name: from.name ?? null },
    tags: [...new Set([CHAT_CHANNEL, platform])],
    data: { chat: { platform, conversationId, senderId: from.id } },
  };
  return { ticket, message };
}

/** The platform's topic, else the first line of the first message, else who is writing from where. */
function subjectOf(event: ChatMessageEvent): string {
  const topic = event.subject?.trim();
  if (topic) return topic;
  const firstLine = event.text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '');
  if (firstLine !== undefined) return firstLine.length > MAX_SUBJECT ? `${firstLine.slice(0, MAX_SUBJECT - 1)}…` : firstLine;
  return `${event.platform} conversation with ${event.from.name ?? event.from.id}`;
}
