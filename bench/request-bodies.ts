import { EXTERNAL_ID_MARKER } from './run-load.js';

/**
 * The request bodies every HTTP benchmark sends, so their figures compare.
 * The facts n8n/Make users send: an invoice mail (→ finance, P3). The echo
 * route gets the same bytes.
 */
export const EVALUATE_BODY = JSON.stringify({
  ticket: { subject: 'Faktura VAT 12/2026 – prośba o korektę', channel: 'email', mailbox: 'office@example.pl' },
  message: { text: 'Dzień dobry, w fakturze 12/2026 jest błędny NIP. Proszę o korektę. Pozdrawiam, Jan Kowalski' },
  customer: { segment: 'standard', arrShare: 0.01 },
});

/** A new ticket as an integrator creates it; the marker becomes a unique externalId per request. */
export const TICKET_BODY = JSON.stringify({
  externalId: EXTERNAL_ID_MARKER,
  subject: 'Faktura VAT 12/2026 – prośba o korektę',
  channel: 'email',
  message: { from: 'jan.kowalski@kowalski-hurt.pl', text: 'Dzień dobry, w fakturze 12/2026 jest błędny NIP. Proszę o korektę.' },
});

/** Tickets per request of the batch ingest target. */
export const BATCH_SIZE = 20;

/**
 * POST /v1/tickets/batch: BATCH_SIZE of the ticket above, the marker followed
 * by `-<index>`, so every ticket of every request gets its own externalId.
 */
export const TICKET_BATCH_BODY = JSON.stringify({
  tickets: Array.from({ length: BATCH_SIZE }, (_, i) => ({ ...(JSON.parse(TICKET_BODY) as Record<string, unknown>), externalId: `${EXTERNAL_ID_MARKER}-${i}` })),
});
