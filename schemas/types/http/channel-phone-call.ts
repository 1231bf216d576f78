/* Generated from schemas/http/channel-phone-call.schema.json by `npm run gen:types`. Do not edit. */

/**
 * A PBX call event (POST /v1/channels/phone), sent once per call when it ends. An answered call becomes a ticket tagged phone; a missed, abandoned or voicemail call becomes a call-back ticket. The same callId never creates a second ticket.
 */
export interface PhoneCallEvent {
  /**
   * The PBX's id of the call: the ticket's external id.
   */
  callId: string;
  /**
   * inbound: the customer called (from); outbound: an agent called the customer (to).
   */
  direction?: 'inbound' | 'outbound';
  /**
   * The calling number.
   */
  from: string;
  /**
   * The called number (a hotline, an extension, or the customer on outbound calls).
   */
  to?: string;
  /**
   * Caller ID name, when the PBX knows it.
   */
  callerName?: string;
  status: 'answered' | 'missed' | 'abandoned' | 'voicemail';
  /**
   * When the call came in, with a time zone; the ticket's arrival time.
   */
  startedAt: string;
  durationSeconds?: number;
  /**
   * Who took the call.
   */
  agent?: string;
  /**
   * The agent's note; the ticket's first message.
   */
  note?: string;
  recordingUrl?: string;
  transcriptUrl?: string;
  transcript?: string;
}
