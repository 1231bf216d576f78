import type { OrderRecord } from '../../connectors/lib/connector.js';

/**
 * Small normalizers the shop connectors share, so `order.paymentStatus`,
 * `order.trackingUrl` and the numbers read the same whichever shop answered.
 */

/** `paid` when the amount paid covers the total, `partially-paid` when some was paid, else `unpaid`. */
export function paymentStatusOf(total: number | undefined, paid: number | undefined): string | undefined {
  if (paid === undefined) return undefined;
  if (paid <= 0) return 'unpaid';
  if (total === undefined || paid + 0.005 >= total) return 'paid';
  return 'partially-paid';
}

/** A number from an API field that may be a number or a decimal string ("199.99", "199,99"). */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value.trim().replace(',', '.'));
  return Number.isFinite(n) ? n : undefined;
}

/** A non-empty trimmed string, or undefined. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t === '' ? undefined : t;
}

/**
 * Tracking pages of the couriers Polish shops use most, by the courier code
 * the shop reports; `{{number}}` is replaced by the URL-encoded tracking
 * number. A connection's `trackingUrlTemplate` wins over this list.
 */
export const COURIER_TRACKING_URLS: Readonly<Record<string, string>> = {
  inpost: 'https://inpost.pl/sledzenie-przesylek?number={{number}}',
  paczkomaty: 'https://inpost.pl/sledzenie-przesylek?number={{number}}',
  dpd: 'https://tracktrace.dpd.com.pl/parcelDetails?typ=1&p1={{number}}',
  dhl: 'https://www.dhl.com/pl-pl/home/sledzenie-przesylek.html?tracking-id={{number}}',
  gls: 'https://gls-group.com/PL/pl/sledzenie-paczek?match={{number}}',
  ups: 'https://www.ups.com/track?tracknum={{number}}',
  pocztapolska: 'https://emonitoring.poczta-polska.pl/?numer={{number}}',
  poczta: 'https://emonitoring.poczta-polska.pl/?numer={{number}}',
  orlen: 'https://nadaj.orlenpaczka.pl/parcel/api-status?id={{number}}',
  fedex: 'https://www.fedex.com/fedextrack/?trknbr={{number}}',
};

/** The tracking link: the connection's template, else the courier's page, else undefined. */
export function trackingUrlOf(number: string | undefined, courier: string | undefined, template: string | undefined): string | undefined {
  if (number === undefined) return undefined;
  const pattern = template ?? (courier === undefined ? undefined : COURIER_TRACKING_URLS[courier.toLowerCase().replace(/[^a-z]/g, '')]);
  return pattern?.split('{{number}}').join(encodeURIComponent(number));
}

/** Drops undefined fields, so "no value" reads the same whichever shop answered. */
export function compactOrder(order: OrderRecord): OrderRecord {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(order)) if (v !== undefined) out[k] = v;
  return out as unknown as OrderRecord;
}
