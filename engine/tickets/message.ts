export type MessageDirection = 'inbound' | 'outbound';
/** `internal` is an agent's note, never sent to the customer. */
export type MessageKind = 'public' | 'internal';

export interface MessageAddress {
  address: string;
  name: string | null;
  /** Lower-case domain of the address, so rules can say `from.domain`. */
  domain: string | null;
}

export interface Attachment {
  filename: string;
  contentType?: string;
  size?: number;
  /** Where the bytes live (blob store key, URL); the store keeps metadata only. */
  ref?: string;
  [key: string]: unknown;
}

export interface Message {
  id: string;
  ticketId: string;
  direction: MessageDirection;
  kind: MessageKind;
  from: MessageAddress | null;
  to: string[];
  cc: string[];
  subject: string | null;
  text: string | null;
  html: string | null;
  headers: Record<string, unknown>;
  messageId: string | null;
  inReplyTo: string | null;
  attachments: Attachment[];
  /** Source-specific extras (references, mailbox, auto-submitted flags…). */
  data: Record<string, unknown>;
  createdAt: string;
}

export interface MessageInput {
  /** Default: inbound (a customer message). */
  direction?: MessageDirection;
  /** Default: public. */
  kind?: MessageKind;
  from?: string | { address: string; name?: string | null };
  to?: string[];
  cc?: string[];
  subject?: string;
  text?: string;
  html?: string;
  headers?: Record<string, unknown>;
  messageId?: string;
  inReplyTo?: string;
  attachments?: Attachment[];
  data?: Record<string, unknown>;
  /** When the message arrived; defaults to now. */
  createdAt?: string | Date;
}
