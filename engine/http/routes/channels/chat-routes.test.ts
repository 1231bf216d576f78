import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_SECRETS, createChannelsTestApp, type ChannelsTestApp } from '../../../../test/helpers/channels-test-app.js';
import { rowCounts } from '../../../../test/helpers/row-counts.js';

let t: ChannelsTestApp;
beforeAll(async () => {
  t = await createChannelsTestApp();
});
afterAll(() => t.close());

const URL = '/v1/channels/chat';
let seq = 0;
const conversation = () => `conv-${++seq}`;
const message = (conversationId: string, messageId: string, extra: Record<string, unknown> = {}) => ({
  platform: 'facebook',
  conversationId,
  messageId,
  from: { id: `fb-${conversationId}`, name: 'Ola Nowak' },
  text: `Message ${messageId}: where is my order?`,
  sentAt: '2026-03-02T10:00:00Z',
  ...extra,
});

describe('POST /v1/channels/chat', () => {
  it('creates a ticket for the first message of a conversation and appends later ones', async () => {
    const conv = conversation();
    const first = await t.post(URL, message(conv, 'm1', { attachments: [{ filename: 'photo.jpg', contentType: 'image/jpeg', size: 1200, url: 'https://cdn.example.com/p.jpg' }] }));
    expect(first.statusCode).toBe(201);
    const created = first.json();
    expect(created).toMatchObject({
      created: true,
      messageAdded: false,
      duplicate: false,
      ticket: { channel: 'chat', status: 'new', subject: 'Message m1: where is my order?', tags: expect.arrayContaining(['chat', 'facebook']) },
      decision: { event: 'ticket.created' },
    });

    const second = await t.post(URL, message(conv, 'm2', { sentAt: '2026-03-02T10:05:00Z' }));
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ created: false, messageAdded: true, duplicate: false, ticket: { id: created.ticket.id }, decision: { event: 'message.received' } });

    const details = await t.deps.tickets.getTicket(created.ticket.id);
    expect(details.ticket).toMatchObject({ source: 'chat', externalId: `facebook:${conv}`, createdAt: '2026-03-02T10:00:00.000Z', data: { chat: { platform: 'facebook', conversationId: conv } } });
    expect(details.messages.map((m) => [m.messageId, m.direction, m.createdAt])).toEqual([
      ['m1', 'inbound', '2026-03-02T10:00:00.000Z'],
      ['m2', 'inbound', '2026-03-02T10:05:00.000Z'],
    ]);
    expect(details.messages[0]?.attachments).toEqual([{ filename: 'photo.jpg', contentType: 'image/jpeg', size: 1200, ref: 'https://cdn.example.com/p.jpg' }]);
    expect(details.messages[0]?.from).toEqual({ address: `facebook:fb-${conv}`, name: 'Ola Nowak', domain: null });
  });

  it('stores a re-delivered message once, the first one included', async () => {
    const conv = conversation();
    const first = (await t.post(URL, message(conv, 'm1'))).json();
    await t.post(URL, message(conv, 'm2'));
    const before = await rowCounts(t.deps.db);
    for (const id of ['m1', 'm2']) {
      const again = await t.post(URL, message(conv, id));
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ created: false, messageAdded: false, duplicate: true, decision: null, ticket: { id: first.ticket.id } });
    }
    expect(await rowCounts(t.deps.db)).toEqual(before);
  });

  it('reopens a pending ticket when the customer writes again', async () => {
    const conv = conversation();
    const first = (await t.post(URL, message(conv, 'm1'))).json();
    await t.deps.tickets.changeStatus(first.ticket.id, 'pending', { type: 'user', id: 'agent' });
    const reply = await t.post(URL, message(conv, 'm2'));
    expect(reply.json()).toMatchObject({ messageAdded: true, ticket: { id: first.ticket.id, status: 'open' } });
  });

  it('keeps conversations of different platforms apart', async () => {
    const conv = conversation();
    const fb = (await t.post(URL, message(conv, 'm1'))).json();
    const allegro = await t.post(URL, message(conv, 'm1', { platform: 'allegro', subject: 'Zamówienie 123' }));
    expect(allegro.statusCode).toBe(201);
    expect(allegro.json().ticket).toMatchObject({ subject: 'Zamówienie 123', tags: expect.arrayContaining(['allegro', 'chat']) });
    expect(allegro.json().ticket.id).not.toBe(fb.ticket.id);
  });

  it('makes one ticket when the first messages of a conversation arrive together', async () => {
    const conv = conversation();
    const results = await Promise.all(['m1', 'm2', 'm3', 'm4'].map((id) => t.post(URL, message(conv, id))));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 201]);
    const ids = new Set(results.map((r) => r.json().ticket.id as string));
    expect(ids.size).toBe(1);
    const details = await t.deps.tickets.getTicket([...ids][0] ?? '');
    expect(details.messages.map((m) => m.messageId).sort()).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('links the conversation to the customer known by the e-mail the platform shares (R7)', async () => {
    const form = await t.post('/v1/channels/forms/contact', { name: 'Marta', email: 'marta@sklep-marta.pl', type: 'question', description: 'Hello' });
    const chat = await t.post(URL, message(conversation(), 'm1', { from: { id: 'ig-1', name: 'Marta', email: 'Marta@Sklep-Marta.pl' }, platform: 'instagram' }));
    expect(chat.json().ticket.customerId).toBe(form.json().ticket.customerId);
  });

  it('refuses malformed messages with coded 4xx, storing nothing', async () => {
    const conv = conversation();
    const before = await rowCounts(t.deps.db);
    const cases: [unknown, string][] = [
      [message(conv, 'm1', { from: { name: 'no id' } }), "body/from must have required property 'id'"],
      [message(conv, 'm1', { text: 42 }), 'body/text must be string'],
      [message(conv, 'm1', { platform: 'Face Book' }), 'body/platform must match pattern'],
      [message(conv, 'm1', { sentAt: '2026-03-02 10:00' }), 'body/sentAt must match format "date-time"'],
      [message(conv, 'm1', { attachments: [{ url: 'https://x/y' }] }), "body/attachments/0 must have required property 'filename'"],
      [message(conv, 'm1', { from: { id: 'x', email: 'nope' } }), 'body/from/email must match format "email"'],
      [message(conv, 'm1', { reactions: [] }), 'body must NOT have additional properties "reactions"'],
      [{ ...message(conv, 'm1'), messageId: undefined }, "body must have required property 'messageId'"],
    ];
    for (const [body, text] of cases) {
      const res = await t.post(URL, body);
      expect(res.statusCode, text).toBe(400);
      expect(res.json().code).toBe('TRIAGE_HTTP_VALIDATION');
      expect(res.json().message).toContain(text);
    }
    const invalid = await t.post(URL, '{');
    expect([invalid.statusCode, invalid.json().code]).toEqual([400, 'TRIAGE_HTTP_INVALID_JSON']);
    const huge = await t.post(URL, message(conv, 'm1', { text: 'x'.repeat(1_100_000) }));
    expect([huge.statusCode, huge.json().code]).toEqual([413, 'TRIAGE_HTTP_BODY_TOO_LARGE']);
    expect(await rowCounts(t.deps.db)).toEqual(before);
  });

  it('accepts messages signed with the chat secret and refuses a tampered body', async () => {
    const body = message(conversation(), 'm1');
    const signed = await t.postSigned(URL, body, CHANNEL_SECRETS.CHAT_WEBHOOK_SECRET);
    expect(signed.statusCode).toBe(201);
    const details = await t.deps.tickets.getTicket(signed.json().ticket.id);
    expect(details.audit[0]).toMatchObject({ action: 'ticket.create', actorId: 'signature:chat' });

    const before = await rowCounts(t.deps.db);
    const timestamp = Math.floor(Date.now() / 1000);
    const { signPayload } = await import('../../auth/verify-signature.js');
    const original = JSON.stringify(message(conversation(), 'm1'));
    const tampered = original.replace('where is my order', 'refund me now');
    const res = await t.app.inject({
      method: 'POST',
      url: URL,
      payload: tampered,
      headers: { 'content-type': 'application/json', 'x-triage-timestamp': String(timestamp), 'x-triage-signature': signPayload(CHANNEL_SECRETS.CHAT_WEBHOOK_SECRET, timestamp, original) },
    });
    expect([res.statusCode, res.json().code]).toEqual([401, 'TRIAGE_AUTH_BAD_SIGNATURE']);
    const phoneSecret = await t.postSigned(URL, message(conversation(), 'm1'), CHANNEL_SECRETS.PBX_WEBHOOK_SECRET);
    expect(phoneSecret.statusCode).toBe(401);
    expect(await rowCounts(t.deps.db)).toEqual(before);
  });
});
