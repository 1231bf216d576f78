import { DateTime } from 'luxon';
import type { ConnectorContext, ConnectorInstance, ConnectorTestResult, OrderRecord } from '../lib/connector.js';
import { createConnectorError, isConnectorError, type ConnectorError } from '../lib/connector-error.js';
import type { HttpTransport } from '../lib/http-transport.js';
import { compactOrder, numberOf, paymentStatusOf, textOf, trackingUrlOf } from '../../engine/orders/order-record.js';
import { compactItem } from '../baselinker/baselinker-client.js';

export interface ShoperOptions {
  transport: HttpTransport;
  /** WebAPI user (login or client id) and its password / secret: HTTP Basic on POST /webapi/rest/auth. */
  clientId: string;
  clientSecret: string;
  /** The orders field the number is matched against (default order_id). */
  numberField: string;
  /** status_id → name; without an entry the id is the status. */
  statusNames: Readonly<Record<string, string>>;
  /** shipping_id → name. */
  shippingNames: Readonly<Record<string, string>>;
  /** Time zone of the shop's "YYYY-MM-DD HH:MM:SS" dates. */
  timezone: string;
  trackingUrlTemplate: string | undefined;
  /** Items per page of order-products (Shoper allows up to 50). */
  pageLimit: number;
  now?: () => number;
}

/** Pages of order items read at most: an order with more than this many pages of items is cut (and logged). */
const MAX_ITEM_PAGES = 10;

interface Page {
  count: number;
  pages: number;
  page: number;
  list: Record<string, unknown>[];
}

/**
 * Shoper's REST WebAPI (https://developers.shoper.pl/developers/api):
 * `POST /webapi/rest/auth` with HTTP Basic credentials answers an
 * `access_token` sent as `Authorization: Bearer` afterwards; lists
 * (`/webapi/rest/orders`, `/webapi/rest/order-products`) take `filters` (JSON),
 * `page` and `limit` and answer `{ count, pages, page, list }`. Its leaky-bucket
 * limit answers 429 with Retry-After, which the shared transport turns into a
 * retryable error. The token lives in memory until shortly before it expires;
 * a 401 on a call (revoked, expired early) fetches a new one once.
 */
export class ShoperClient implements ConnectorInstance {
  private token: { value: string; until: number } | undefined;
  private tokenFlight: Promise<string> | undefined;
  private readonly clock: () => number;

  constructor(
    private readonly options: ShoperOptions,
    private readonly context: ConnectorContext,
  ) {
    this.clock = options.now ?? Date.now;
  }

  async lookupOrder(number: string, signal: AbortSignal): Promise<OrderRecord | undefined> {
    const filterValue = /^\d{1,15}$/.test(number) ? Number(number) : number;
    const page = await this.list('orders', { [this.options.numberField]: filterValue }, 1, 1, signal);
    const raw = page.list[0];
    if (raw === undefined) return undefined;
    const orderId = textOf(raw.order_id);
    const items = orderId === undefined ? [] : await this.items(orderId, signal);
    return this.toOrderRecord(number, raw, items);
  }

  async test(): Promise<ConnectorTestResult> {
    try {
      const page = await this.list('orders', {}, 1, 1, undefined);
      return { ok: true, detail: `auth and GET /webapi/rest/orders answered (${page.count} orders)` };
    } catch (e) {
      if (isConnectorError(e)) return { ok: false, detail: `${e.code} ${e.message}\n  hint: ${e.hint}` };
      throw e;
    }
  }

  close(): Promise<void> {
    this.options.transport.close();
    return Promise.resolve();
  }

  /** Every item of the order, page by page. */
  private async items(orderId: string, signal: AbortSignal): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (let page = 1; page <= MAX_ITEM_PAGES; page++) {
      const answer = await this.list('order-products', { order_id: Number(orderId) }, page, this.options.pageLimit, signal);
      out.push(...answer.list);
      if (page >= answer.pages) return out;
    }
    this.context.log('warn', 'order has more items than triage reads; the list is cut', { connection: this.context.connection, pages: MAX_ITEM_PAGES });
    return out;
  }

  private async list(resource: string, filters: Record<string, unknown>, page: number, limit: number, signal: AbortSignal | undefined): Promise<Page> {
    const query = { filters: JSON.stringify(filters), page, limit };
    const send = async (token: string) =>
      this.options.transport.request({
        method: 'GET',
        url: `webapi/rest/${resource}`,
        query,
        headers: { authorization: `Bearer ${token}` },
        acceptStatus: [401],
        ...(signal === undefined ? {} : { signal }),
      });
    let res = await send(await this.accessToken(signal, false));
    if (res.status === 401) {
      // The token may have been revoked or expired early: one fresh token, then the transport's verdict.
      this.token = undefined;
      res = await send(await this.accessToken(signal, true));
      if (res.status === 401) {
        throw createConnectorError('TRIAGE_CONNECTOR_AUTH', [`Shoper "${this.context.connection}" (GET /webapi/rest/${resource})`, '401 with a fresh token'], { retryable: false, hint: this.authHint() });
      }
    }
    const data = res.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw this.badResponse(`${resource} answered ${res.status} with a body that is not JSON`);
    const d = data as Record<string, unknown>;
    if (!Array.isArray(d.list)) throw this.badResponse(`${resource} answered without a "list"`);
    return {
      count: numberOf(d.count) ?? d.list.length,
      pages: numberOf(d.pages) ?? 1,
      page: numberOf(d.page) ?? page,
      list: d.list.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)),
    };
  }

  /** The cached token, or a new one; concurrent lookups share one auth call. */
  private async accessToken(signal: AbortSignal | undefined, fresh: boolean): Promise<string> {
    if (!fresh && this.token !== undefined && this.token.until > this.clock()) return this.token.value;
    this.tokenFlight ??= this.authenticate(signal).finally(() => {
      this.tokenFlight = undefined;
    });
    return this.tokenFlight;
  }

  private async authenticate(signal: AbortSignal | undefined): Promise<string> {
    const basic = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString('base64');
    const res = await this.options.transport.request({
      method: 'POST',
      url: 'webapi/rest/auth',
      headers: { authorization: `Basic ${basic}` },
      ...(signal === undefined ? {} : { signal }),
    });
    const data = res.data as Record<string, unknown> | string;
    const token = typeof data === 'object' && data !== null ? textOf(data.access_token) : undefined;
    if (token === undefined) throw this.badResponse('auth answered without an access_token');
    const expiresIn = typeof data === 'object' ? numberOf(data.expires_in) : undefined;
    // A minute early, so a token never expires between our check and Shoper's.
    this.token = { value: token, until: this.clock() + Math.max(0, (expiresIn ?? 3600) - 60) * 1000 };
    return token;
  }

  private toOrderRecord(number: string, o: Record<string, unknown>, items: Record<string, unknown>[]): OrderRecord {
    const statusId = textOf(o.status_id);
    const shippingId = textOf(o.shipping_id);
    const total = numberOf(o.sum);
    const tracking = textOf(o.delivery_code);
    const billing = typeof o.billingAddress === 'object' && o.billingAddress !== null ? (o.billingAddress as Record<string, unknown>) : {};
    const delivery = typeof o.deliveryAddress === 'object' && o.deliveryAddress !== null ? (o.deliveryAddress as Record<string, unknown>) : {};
    return compactOrder({
      number,
      status: statusId === undefined ? undefined : (this.options.statusNames[statusId] ?? statusId),
      date: this.isoDate(o.date),
      total,
      currency: textOf(o.currency_name),
      items: items.map((p) => compactItem({ sku: textOf(p.code), name: textOf(p.name), quantity: numberOf(p.quantity) })),
      shippingMethod: shippingId === undefined ? undefined : (this.options.shippingNames[shippingId] ?? shippingId),
      trackingNumber: tracking,
      trackingUrl: trackingUrlOf(tracking, undefined, this.options.trackingUrlTemplate),
      paymentStatus: paymentStatusOf(total, numberOf(o.paid)),
      customerEmail: textOf(o.email),
      customerPhone: textOf(billing.phone) ?? textOf(delivery.phone),
    });
  }

  /** Shoper writes local shop time without a zone: "2026-11-02 10:15:00". */
  private isoDate(value: unknown): string | undefined {
    const text = textOf(value);
    if (text === undefined) return undefined;
    const d = DateTime.fromSQL(text, { zone: this.options.timezone });
    return d.isValid ? (d.toUTC().toISO() ?? undefined) : undefined;
  }

  private authHint(): string {
    return `Check clientId / clientSecret of connection "${this.context.connection}" (a WebAPI user with read access to orders) and the environment variable the secret references.`;
  }

  private badResponse(why: string): ConnectorError {
    return createConnectorError('TRIAGE_ORDER_BAD_RESPONSE', [this.context.connection, why], { retryable: true });
  }
}
