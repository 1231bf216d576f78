/* Generated from schemas/http/channel-chat-message.schema.json by `npm run gen:types`. Do not edit. */

/**
 * One inbound message of a chat, social or marketplace conversation (POST /v1/channels/chat). The first message of a conversation creates a ticket, later ones are appended to it; the same messageId is stored once.
 */
export interface ChatMessageEvent {
  /**
   * chat, facebook, instagram, whatsapp, allegro, …; becomes a tag.
   */
  platform: string;
  /**
   * The platform's conversation (thread) id; one conversation is one ticket.
   */
  conversationId: string;
  /**
   * The platform's message id; a re-delivered message is stored once.
   */
  messageId: string;
  from: ChatSender;
  /**
   * Topic of the conversation, if the platform has one (marketplace threads); otherwise the ticket subject comes from the first message.
   */
  subject?: string;
  /**
   * The message; may be empty when it only carries attachments.
   */
  text: string;
  /**
   * @maxItems 20
   */
  attachments?:
    | []
    | [ChatAttachment]
    | [ChatAttachment, ChatAttachment]
    | [ChatAttachment, ChatAttachment, ChatAttachment]
    | [ChatAttachment, ChatAttachment, ChatAttachment, ChatAttachment]
    | [ChatAttachment, ChatAttachment, ChatAttachment, ChatAttachment, ChatAttachment]
    | [ChatAttachment, ChatAttachment, ChatAttachment, ChatAttachment, ChatAttachment, ChatAttachment]
    | [ChatAttachment, ChatAttachment, ChatAttachment, ChatAttachment, ChatAttachment, ChatAttachment, ChatAttachment]
    | [
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment
      ]
    | [
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment
      ]
    | [
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment
      ]
    | [
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment
      ]
    | [
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment
      ]
    | [
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment
      ]
    | [
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment
      ]
    | [
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment
      ]
    | [
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment
      ]
    | [
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment
      ]
    | [
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment
      ]
    | [
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment
      ]
    | [
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment,
        ChatAttachment
      ];
  /**
   * When the customer sent it, with a time zone.
   */
  sentAt: string;
}
export interface ChatSender {
  /**
   * The sender's id on the platform.
   */
  id: string;
  name?: string;
  /**
   * Links the conversation to the customer with this e-mail (R7).
   */
  email?: string;
  /**
   * Links the conversation to the customer with this phone number (R7).
   */
  phone?: string;
}
export interface ChatAttachment {
  filename: string;
  contentType?: string;
  size?: number;
  /**
   * Where the bytes live; triage stores the link, not the file.
   */
  url?: string;
}
