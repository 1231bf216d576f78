import { describe, expect, it } from 'vitest';
import type { ChatMessageEvent } from '../../schemas/types/http/channel-chat-message.js';
import { normalizeChatMessage } from './chat-message.js';

const event: ChatMessageEvent = {
  platform: 'facebook',
  conversationId: 'conv-9',
  messageId: 'm-1',
  from: { id: 'fb-123', name: 'Ola Nowak', email: 'ola@acme.pl' },
  text: '\n  Where is my order?\nIt was due Monday.',
  attachments: [{ filename: 'photo.jpg', contentType: 'image/jpeg', size: 1200, url: 'https://cdn.example.com/p.jpg' }],
  sentAt: '2026-03-02T10:00:00Z',
};

describe('normalizeChatMessage', () => {
  it('keys the ticket by platform and conversation and carries the message', () => {
    const { ticket, message } = normalizeChatMessage(event);
    expect(ticket).toMatchObject({
      source: 'chat',
      externalId: 'facebook:conv-9',
      channel: 'chat',
      subject: 'Where is my order?',
      createdAt: '2026-03-02T10:00:00Z',
      tags: ['chat', 'facebook'],
      customer: { email: 'ola@acme.pl', phone: null, name: 'Ola Nowak' },
      data: { chat: { platform: 'facebook', conversationId: 'conv-9', senderId: 'fb-123' } },
    });
    expect(ticket.message).toBe(message);
    expect(message).toEqual({
      direction: 'inbound',
      from: { address: 'ola@acme.pl', name: 'Ola Nowak' },
      text: event.text,
      messageId: 'm-1',
      createdAt: '2026-03-02T10:00:00Z',
      attachments: [{ filename: 'photo.jpg', contentType: 'image/jpeg', size: 1200, ref: 'https://cdn.example.com/p.jpg' }],
      data: { platform: 'facebook', conversationId: 'conv-9', senderId: 'fb-123' },
    });
  });

  it('uses the platform sender id without an e-mail, the topic when given, and a fallback subject for empty text', () => {
    const plain = normalizeChatMessage({ platform: 'chat', conversationId: 'c', messageId: 'm', from: { id: 'u1', phone: '+48600100200' }, text: '', sentAt: '2026-03-02T10:00:00Z' });
    expect(plain.message.from).toEqual({ address: 'chat:u1', name: null });
    expect(plain.ticket).toMatchObject({ subject: 'chat conversation with u1', tags: ['chat'], customer: { email: null, phone: '+48600100200', name: null } });
    expect(plain.message.attachments).toEqual([]);
    expect(normalizeChatMessage({ ...event, platform: 'allegro', subject: 'Zamówienie 123' }).ticket.subject).toBe('Zamówienie 123');
    expect(normalizeChatMessage({ ...event, text: 'x'.repeat(300) }).ticket.subject).toHaveLength(100);
  });
});
