import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_SECRETS, createChannelsTestApp, type ChannelsTestApp } from '../../../../test/helpers/channels-test-app.js';
import { rowCounts } from '../../../../test/helpers/row-counts.js';

let t: ChannelsTestApp;
beforeAll(async () => {
  t = await createChannelsTestApp();
});
afterAll(() => t.close());

const URL = '/v1/channels/phone';
let seq = 0;
/** A fresh caller number per test, so customers never collide between tests. */
const callerNumber = () => `+48 600 ${String(100 + seq).padStart(3, '0')} ${String(200 + seq).padStart(3, '0')}`;
const call = (extra: Record<string, unknown> = {}) => ({
  callId: `call-${++seq}`,
  direction: 'inbound',
  from: callerNumber(),
  to: '+48 22 100 00 00',
  status: 'answered',
  startedAt: '2026-03-02T09:15:00+01:00',
  durationSeconds: 240,
  agent: 'anna',
  note: 'Kettle stopped heating; wants a replacement.',
  recordingUrl: 'https://pbx.example.com/rec/1.mp3',
  transcriptUrl: 'https://pbx.example.com/tr/1.txt',
  ...extra,
});

describe('POST /v1/channels/phone', () => {
  it('turns an answered call into a ticket tagged phone with the caller as customer, the note and the links', async () => {
    const body = call();
    const res = await t.post(URL, body);
    expect(res.statusCode).toBe(201);
    const out = res.json();
    expect(out).toMatchObject({ created: true, duplicate: false, ticket: { channel: 'phone', status: 'new', subject: `Phone call from ${body.from}`, tags: expect.arrayContaining(['phone']) }, decision: { event: 'ticket.created' } });
    const details = await t.deps.tickets.getTicket(out.ticket.id);
    expect(details.ticket).toMatchObject({ source: 'phone', externalId: body.callId, createdAt: '2026-03-02T08:15:00.000Z' });
    expect(details.ticket.data).toMatchObject({ call: { callId: body.callId, status: 'answered', agent: 'anna', durationSeconds: 240, recordingUrl: body.recordingUrl, transcriptUrl: body.transcriptUrl } });
    expect(details.messages).toEqual([expect.objectContaining({ direction: 'inbound', text: body.note, from: { address: body.from, name: null, domain: null } })]);
    expect(details.customer?.identities).toEqual([{ kind: 'phone', value: body.from.replace(/ /g, '') }]);
  });

  it('turns missed, abandoned and voicemail calls into call-back tickets at P2', async () => {
    for (const status of ['missed', 'abandoned', 'voicemail'] as const) {
      const body = call({ status, note: undefined, durationSeconds: undefined, agent: undefined });
      const res = await t.post(URL, body);
      expect(res.statusCode).toBe(201);
      expect(res.json().ticket).toMatchObject({
        subject: `Call back ${body.from}`,
        priority: 'P2',
        tags: expect.arrayContaining(status === 'voicemail' ? ['callback', 'phone', 'voicemail'] : ['callback', 'phone']),
      });
    }
  });

  it('still files a call from a withheld number, without a customer', async () => {
    const res = await t.post(URL, call({ from: 'anonymous', status: 'abandoned' }));
    expect(res.statusCode).toBe(201);
    expect(res.json().ticket).toMatchObject({ subject: 'Call back anonymous', customerId: null });
  });

  it('returns the same ticket for a re-delivered call and stores nothing', async () => {
    const body = call({ status: 'missed' });
    const first = (await t.post(URL, body)).json();
    const before = await rowCounts(t.deps.db);
    const again = await t.post(URL, { ...body, status: 'answered', note: 'retry with other content' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: false, duplicate: true, ticket: { id: first.ticket.id, number: first.ticket.number, tags: expect.arrayContaining(['callback', 'phone']) } });
    expect(await rowCounts(t.deps.db)).toEqual(before);
  });

  it('ignores an outbound call nobody answered (202) and records an answered one against the called customer', async () => {
    const before = await rowCounts(t.deps.db);
    const ignored = await t.post(URL, call({ direction: 'outbound', from: '+48 22 100 00 00', to: callerNumber(), status: 'missed' }));
    expect(ignored.statusCode).toBe(202);
    expect(ignored.json()).toMatchObject({ created: false, duplicate: false, ticket: null, decision: null, ignored: expect.stringContaining('not answered') });
    expect(await rowCounts(t.deps.db)).toEqual(before);

    const customer = callerNumber();
    const answered = await t.post(URL, call({ direction: 'outbound', from: '+48 22 100 00 00', to: customer }));
    expect(answered.statusCode).toBe(201);
    expect(answered.json().ticket.subject).toBe(`Phone call to ${customer}`);
    const details = await t.deps.tickets.getTicket(answered.json().ticket.id);
    expect(details.customer?.identities).toEqual([{ kind: 'phone', value: customer.replace(/ /g, '') }]);
  });

  it('refuses malformed events with 400 TRIAGE_HTTP_VALIDATION naming the field, storing nothing', async () => {
    const before = await rowCounts(t.deps.db);
    const { callId: _omit, ...noCallId } = call();
    const cases: [unknown, string][] = [
      [noCallId, 'body must have required property \'callId\''],
      [call({ status: 'ringing' }), 'body/status must be equal to one of the allowed values'],
      [call({ durationSeconds: 'long' }), 'body/durationSeconds must be integer'],
      [call({ durationSeconds: '240' }), 'body/durationSeconds must be integer'],
      [call({ callId: 12345 }), 'body/callId must be string'],
      [call({ startedAt: 'yesterday' }), 'body/startedAt must match format "date-time"'],
      [call({ recordingUrl: 'not a url' }), 'body/recordingUrl must match format "uri"'],
      [call({ recordingUrl: 'javascript:alert(1)' }), 'body/recordingUrl must match pattern "^https?://"'],
      [call({ colour: 'red' }), 'body must NOT have additional properties "colour"'],
      [call({ direction: 'outbound', to: undefined }), "body must have required property 'to'"],
    ];
    for (const [body, message] of cases) {
      const res = await t.post(URL, body);
      expect(res.statusCode, message).toBe(400);
      expect(res.json()).toMatchObject({ code: 'TRIAGE_HTTP_VALIDATION' });
      expect(res.json().message).toContain(message);
    }
    const invalid = await t.post(URL, '{"callId": ');
    expect([invalid.statusCode, invalid.json().code]).toEqual([400, 'TRIAGE_HTTP_INVALID_JSON']);
    const huge = await t.post(URL, call({ transcript: 'x'.repeat(1_100_000) }));
    expect([huge.statusCode, huge.json().code]).toEqual([413, 'TRIAGE_HTTP_BODY_TOO_LARGE']);
    expect(await rowCounts(t.deps.db)).toEqual(before);
  });

  it('accepts events signed with the PBX secret, and refuses other secrets and a missing key', async () => {
    const signed = await t.postSigned(URL, call(), CHANNEL_SECRETS.PBX_WEBHOOK_SECRET);
    expect(signed.statusCode).toBe(201);
    const details = await t.deps.tickets.getTicket(signed.json().ticket.id);
    expect(details.audit[0]).toMatchObject({ action: 'ticket.create', actorId: 'signature:phone' });

    const before = await rowCounts(t.deps.db);
    const wrong = await t.postSigned(URL, call(), CHANNEL_SECRETS.CHAT_WEBHOOK_SECRET);
    expect([wrong.statusCode, wrong.json().code]).toEqual([401, 'TRIAGE_AUTH_BAD_SIGNATURE']);
    const none = await t.post(URL, call(), {});
    expect([none.statusCode, none.json().code]).toEqual([401, 'TRIAGE_AUTH_MISSING_KEY']);
    const evaluateOnly = await t.keyWith(['evaluate']);
    const denied = await t.post(URL, call(), { 'x-api-key': evaluateOnly });
    expect([denied.statusCode, denied.json().code]).toEqual([403, 'TRIAGE_AUTH_FORBIDDEN']);
    expect(await rowCounts(t.deps.db)).toEqual(before);
  });
});

describe('one customer across channels (R7)', () => {
  it('puts a form submission, a phone call and an e-mail of the same person on one customer', async () => {
    const form = await t.post('/v1/channels/forms/contact', {
      submissionId: 'r7-form-1',
      name: 'Ewa Zielińska',
      email: 'ewa@zielinska-design.pl',
      phone: '+48 601 222 333',
      type: 'question',
      description: 'Do you ship to Gdańsk?',
    });
    expect(form.statusCode).toBe(201);
    const customerId = form.json().ticket.customerId as string;
    expect(customerId).toEqual(expect.any(String));

    // The PBX writes the number its own way; normalization makes it the same identity.
    const phone = await t.post(URL, call({ from: '0048601222333', status: 'missed' }));
    expect(phone.json().ticket.customerId).toBe(customerId);

    const email = await t.deps.tickets.createTicket({
      source: 'imap:support',
      externalId: '<r7@mail.zielinska-design.pl>',
      channel: 'email',
      message: { from: 'Ewa Zielińska <Ewa@Zielinska-Design.pl>', text: 'Any news?' },
    });
    expect(email.ticket.customerId).toBe(customerId);
  });

  it('recognizes a caller who later writes through the form with the same number', async () => {
    const phone = await t.post(URL, call({ from: '+48 602 444 555' }));
    const customerId = phone.json().ticket.customerId as string;
    const form = await t.post('/v1/channels/forms/contact', { name: 'Piotr', email: 'piotr@gmail.com', phone: '602 444 555', type: 'question', description: 'Following up on my call' });
    // `602 444 555` has no country code and the server sets no default one: a different identity.
    expect(form.json().ticket.customerId).not.toBe(customerId);
    const form2 = await t.post('/v1/channels/forms/contact', { name: 'Piotr', email: 'piotr.k@gmail.com', phone: '+48602444555', type: 'question', description: 'Following up on my call' });
    expect(form2.json().ticket.customerId).toBe(customerId);
    const details = await t.deps.tickets.getTicket(form2.json().ticket.id);
    expect(details.customer?.identities).toEqual(expect.arrayContaining([{ kind: 'phone', value: '+48602444555' }, { kind: 'email', value: 'piotr.k@gmail.com' }]));
  });
});
