import { newCsatToken } from './csat-token.js';

/** What the `csat_link` template filter needs; set once by the server (configureCsatLinks). */
export interface CsatLinkSettings {
  /** Where customers reach this server, e.g. https://support.example.com (server.publicUrl). */
  publicUrl: string;
  secret: Buffer;
  /** How long a link stays valid. */
  ttlMs: number;
  /** The clock tokens expire against (injectable for tests). */
  now?: () => number;
}

/** Shown instead of a link where no server is configured (`triage test`, POST /v1/evaluate). */
export const CSAT_LINK_PLACEHOLDER = 'csat-link-not-configured';

let settings: CsatLinkSettings | undefined;

/**
 * Process-wide, like the privacy settings the `mask` filter reads: templates
 * render inside decide(), which is synchronous and gets only facts, so the
 * signing key cannot travel with them. `undefined` turns links off again.
 */
export function configureCsatLinks(next: CsatLinkSettings | undefined): void {
  settings = next;
}

/**
 * `{{ ticket | csat_link }}`: a one-time signed survey link for the ticket,
 * `<publicUrl>/csat/<token>`; the customer adds `?score=1..5` (the template
 * usually writes five links, or one to the form page). Without settings, or for
 * a value that is not a ticket with an id, the placeholder.
 */
export function csatLink(ticket: unknown): string {
  const id = ticket && typeof ticket === 'object' ? (ticket as Record<string, unknown>).id : undefined;
  if (settings === undefined || typeof id !== 'string' || id === '') return CSAT_LINK_PLACEHOLDER;
  const now = settings.now?.() ?? Date.now();
  return `${settings.publicUrl.replace(/\/+$/, '')}/csat/${newCsatToken(id, settings.secret, now, settings.ttlMs)}`;
}
