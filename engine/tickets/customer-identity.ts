import type { CustomerHints, CustomerIdentity } from './customer.js';
import { FREE_MAIL_DOMAINS } from './free-mail-domains.js';

export interface IdentityOptions {
  /** Domains that never identify a company; defaults to FREE_MAIL_DOMAINS. */
  freeMailDomains?: ReadonlySet<string>;
  /**
   * Country calling code (digits, e.g. `48`) for numbers written without one
   * (`600 100 200`). Without it such numbers are kept as bare digits and only
   * match the same bare digits.
   */
  defaultCountryCode?: string;
}

/** `Jan Kowalski <Jan.Kowalski@ACME.pl>` → `jan.kowalski@acme.pl`; undefined when it is no address. */
export function normalizeEmail(raw: string | null | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const angle = /<([^<>]+)>/.exec(raw);
  const candidate = (angle?.[1] ?? raw).trim().toLowerCase();
  // Local parts are case-sensitive in theory, never in practice; lower-casing
  // is what makes the same person match across channels.
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(candidate) ? candidate : undefined;
}

export function emailDomain(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  return at < 0 ? undefined : normalizeDomain(email.slice(at + 1));
}

/** `WWW.Acme.PL.` → `acme.pl`; undefined when it is no domain. */
export function normalizeDomain(raw: string | null | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const d = raw.trim().toLowerCase().replace(/^@/, '').replace(/^www\./, '').replace(/\.$/, '');
  return /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(d) ? d : undefined;
}

/**
 * E.164-ish: `+` and digits when the country is known (`+48 600-100-200`,
 * `0048 600 100 200`, `(+48) 600100200` → `+48600100200`), else bare digits.
 * Undefined for anything too short to be a subscriber number (extensions,
 * `anonymous`).
 */
export function normalizePhone(raw: string | null | undefined, defaultCountryCode?: string): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const trimmed = raw.trim();
  const digits = trimmed.replace(/\D/g, '');
  if (digits.length < 6) return undefined;
  if (/^\(?\+/.test(trimmed)) return `+${digits}`;
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  const cc = defaultCountryCode?.replace(/\D/g, '');
  // A national number: drop the trunk prefix 0 (as in 0 600 100 200) and add the country.
  if (cc) return `+${cc}${digits.replace(/^0/, '')}`;
  return digits;
}

export function isFreeMailDomain(domain: string, freeMailDomains: ReadonlySet<string> = FREE_MAIL_DOMAINS): boolean {
  return freeMailDomains.has(domain);
}

/**
 * The identities a set of hints stands for, strongest first: e-mail, phone,
 * then company domain (given, or taken from the e-mail unless it is free mail).
 */
export function identitiesFromHints(hints: CustomerHints, options: IdentityOptions = {}): CustomerIdentity[] {
  const out: CustomerIdentity[] = [];
  const email = normalizeEmail(hints.email);
  if (email !== undefined) out.push({ kind: 'email', value: email });
  const phone = normalizePhone(hints.phone, options.defaultCountryCode);
  if (phone !== undefined) out.push({ kind: 'phone', value: phone });
  const domain = normalizeDomain(hints.domain) ?? (email === undefined ? undefined : emailDomain(email));
  if (domain !== undefined && !isFreeMailDomain(domain, options.freeMailDomains)) out.push({ kind: 'domain', value: domain });
  return out;
}
