import { describe, expect, it } from 'vitest';
import type { PhoneCallEvent } from '../../schemas/types/http/channel-phone-call.js';
import { normalizePhoneCall } from './phone-call.js';

const answered: PhoneCallEvent = {
  callId: 'call-1',
  direction: 'inbound',
  from: '+48 600 100 200',
  to: '+48 22 100 00 00',
  callerName: 'Jan Kowalski',
  status: 'answered',
  startedAt: '2026-03-02T09:15:00+01:00',
  durationSeconds: 240,
  agent: 'anna',
  note: 'Kettle broken, wants a replacement',
  recordingUrl: 'https://pbx.example.com/rec/call-1.mp3',
  transcriptUrl: 'https://pbx.example.com/tr/call-1.txt',
};

function ticketOf(event: PhoneCallEvent, options = {}) {
  const n = normalizePhoneCall(event, options);
  if ('ignored' in n) throw new Error(`ignored: ${n.ignored}`);
  return n;
}

describe('normalizePhoneCall', () => {
  it('turns an answered call into a phone ticket with the caller, the note and the links', () => {
    const { ticket, callback } = ticketOf(answered);
    expect(callback).toBe(false);
    expect(ticket).toMatchObject({
      source: 'phone',
      externalId: 'call-1',
      channel: 'phone',
      subject: 'Phone call from +48 600 100 200',
      createdAt: '2026-03-02T09:15:00+01:00',
      tags: ['phone'],
      customer: { phone: '+48 600 100 200', name: 'Jan Kowalski' },
      message: { direction: 'inbound', from: { address: '+48 600 100 200', name: 'Jan Kowalski' }, to: ['+48 22 100 00 00'], text: 'Kettle broken, wants a replacement' },
      data: { call: { callId: 'call-1', status: 'answered', agent: 'anna', durationSeconds: 240, recordingUrl: answered.recordingUrl, transcriptUrl: answered.transcriptUrl } },
    });
    expect(ticket).not.toHaveProperty('fields');
  });

  it('adds the transcript after the note', () => {
    const { ticket } = ticketOf({ ...answered, transcript: 'Hello, my kettle…' });
    expect(ticket.message?.text).toBe('Kettle broken, wants a replacement\n\nTranscript:\nHello, my kettle…');
  });

  it('turns missed and abandoned calls into call-back tickets at the call-back priority', () => {
    for (const status of ['missed', 'abandoned'] as const) {
      const { ticket, callback } = ticketOf({ callId: 'c', from: '600100200', status, startedAt: '2026-03-02T08:00:00Z' });
      expect(callback).toBe(true);
      expect(ticket).toMatchObject({ subject: 'Call back 600100200', tags: ['phone', 'callback'], fields: { priority: 'P2' } });
      expect(ticket.message?.text).toBe(`${status === 'missed' ? 'Missed' : 'Abandoned'} call from 600100200 at 2026-03-02T08:00:00Z.`);
    }
    const { ticket } = ticketOf({ callId: 'c', from: '600100200', status: 'voicemail', startedAt: '2026-03-02T08:00:00Z', transcript: 'Call me' }, { callbackPriority: 'P1' });
    expect(ticket).toMatchObject({ tags: ['phone', 'callback', 'voicemail'], fields: { priority: 'P1' }, message: { text: 'Transcript:\nCall me' } });
  });

  it('takes the called number as the customer on an answered outbound call and ignores an unanswered one', () => {
    const { ticket } = ticketOf({ ...answered, direction: 'outbound', from: '+48 22 100 00 00', to: '+48 600 100 200' });
    expect(ticket).toMatchObject({ subject: 'Phone call to +48 600 100 200', customer: { phone: '+48 600 100 200', name: null }, message: { direction: 'outbound' } });
    expect(ticket.message).not.toHaveProperty('from');
    expect(normalizePhoneCall({ ...answered, direction: 'outbound', status: 'missed' })).toEqual({ ignored: 'outbound call call-1 was not answered (missed)' });
  });

  it('masks card numbers, PESEL and IBAN in the note and transcript before they are stored (R20)', () => {
    const { ticket } = ticketOf({
      ...answered,
      note: 'Refund to PL61 1090 1014 0000 0712 1981 2874, order 2026/01/12345',
      transcript: 'My card is 4111 1111 1111 1111 and my PESEL 44051401359, call me at +48 600 100 200',
    });
    expect(ticket.message?.text).toBe(
      'Refund to PL** **** **** **** **** **** 2874, order 2026/01/12345\n\nTranscript:\nMy card is **** **** **** 1111 and my PESEL *******1359, call me at +48 600 100 200',
    );
    const custom = ticketOf({ ...answered, transcript: 'secret' }, { maskPii: (t: string) => t.toUpperCase() });
    expect(custom.ticket.message?.text).toBe('KETTLE BROKEN, WANTS A REPLACEMENT\n\nTranscript:\nSECRET');
  });
});
