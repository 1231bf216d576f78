import type { PhoneCallEvent } from '../../schemas/types/http/channel-phone-call.js';
import { privacySettings } from '../privacy/privacy-settings.js';
import type { CreateTicketInput } from '../tickets/ticket-input.js';

export const PHONE_SOURCE = 'phone';
export const PHONE_CHANNEL = 'phone';
export const PHONE_TAG = 'phone';
export const CALLBACK_TAG = 'callback';
export const VOICEMAIL_TAG = 'voicemail';
export const DEFAULT_CALLBACK_PRIORITY = 'P2';

export interface PhoneCallOptions {
  /** Priority of call-back tickets (channels.phone.callbackPriority). */
  callbackPriority?: string;
  /** Masks PII in the note and transcript before they are stored (R20); default: the configured masker (docs/privacy.md). */
  maskPii?: (text: string) => string;
}

export type NormalizedPhoneCall = { ticket: CreateTicketInput; callback: boolean } | { ignored: string };

/**
 * A PBX call event → the ticket it creates (R5). Pure: no I/O.
 *
 * - answered: a ticket tagged `phone`, the agent's note (and transcript) as
 *   its first message, recording/transcript links in `data.call`;
 * - inbound missed, abandoned or voicemail: a call-back ticket tagged `phone`
 *   and `callback` (plus `voicemail`), subject "Call back <number>", at the
 *   call-back priority (P2 unless configured): nobody has spoken to the
 *   customer yet, so it must not wait in the queue like an e-mail. Rules can
 *   still raise it further (e.g. to P1 for an SLA customer);
 * - outbound and not answered: ignored, an agent's unanswered attempt is no
 *   new request.
 *
 * The customer is the far end of the call (the caller, or the called number
 * on outbound calls), passed as a phone identity so the call joins the
 * customer known from e-mail or forms (R7). The call id is the external id.
 */
export function normalizePhoneCall(event: PhoneCallEvent, options: PhoneCallOptions = {}): NormalizedPhoneCall {
  const direction = event.direction ?? 'inbound';
  const answered = event.status === 'answered';
  if (direction === 'outbound' && !answered) return { ignored: `outbound call ${event.callId} was not answered (${event.status})` };
  const number = (direction === 'inbound' ? event.from : event.to) ?? event.from;
  const callback = !answered;
  const tags = [PHONE_TAG, ...(callback ? [CALLBACK_TAG] : []), ...(event.status === 'voicemail' ? [VOICEMAIL_TAG] : [])];
  const call = {
    callId: event.callId,
    direction,
    status: event.status,
    from: event.from,
    to: event.to ?? null,
    callerName: event.callerName ?? null,
    startedAt: event.startedAt,
    durationSeconds: event.durationSeconds ?? null,
    agent: event.agent ?? null,
    recordingUrl: event.recordingUrl ?? null,
    transcriptUrl: event.transcriptUrl ?? null,
  };
  const ticket: CreateTicketInput = {
    source: PHONE_SOURCE,
    externalId: event.callId,
    channel: PHONE_CHANNEL,
    subject: callback ? `Call back ${number}` : `Phone call ${direction === 'inbound' ? 'from' : 'to'} ${number}`,
    createdAt: event.startedAt,
    message: {
      // The call is the customer's request; on an outbound call the agent spoke first.
      direction: direction === 'inbound' ? 'inbound' : 'outbound',
      ...(direction === 'inbound' ? { from: { address: event.from, name: event.callerName ?? null } } : {}),
      ...(event.to === undefined ? {} : { to: [event.to] }),
      text: callText(event, number, options.maskPii ?? ((text) => privacySettings().masker.mask(text))),
      createdAt: event.startedAt,
      data: { call: { callId: event.callId, agent: call.agent, recordingUrl: call.recordingUrl, transcriptUrl: call.transcriptUrl } },
    },
    customer: { phone: number, name: direction === 'inbound' ? (event.callerName ?? null) : null },
    tags,
    ...(callback ? { fields: { priority: options.callbackPriority ?? DEFAULT_CALLBACK_PRIORITY } } : {}),
    data: { call },
  };
  return { ticket, callback };
}

/**
 * The agent's note, then the transcript; a one-line summary when the call has
 * neither. Note and transcript are masked here, before anything is stored:
 * callers read card numbers and PESELs aloud, and speech-to-text writes them
 * down verbatim.
 */
function callText(event: PhoneCallEvent, number: string, maskPii: (text: string) => string): string {
  const parts: string[] = [];
  if (event.note !== undefined && event.note.trim() !== '') parts.push(maskPii(event.note.trim()));
  if (event.transcript !== undefined && event.transcript.trim() !== '') parts.push(`Transcript:\n${maskPii(event.transcript.trim())}`);
  if (parts.length > 0) return parts.join('\n\n');
  const what = { answered: 'Answered call', missed: 'Missed call', abandoned: 'Abandoned call', voicemail: 'Voicemail' }[event.status];
  const duration = event.durationSeconds === undefined ? '' : ` (${event.durationSeconds} s)`;
  return `${what} ${event.direction === 'outbound' ? 'to' : 'from'} ${number} at ${event.startedAt}${duration}.`;
}
