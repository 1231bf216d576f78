import type { ConnectorContext, ConnectorInstance, ConnectorTestResult, OrderRecord } from '../lib/connector.js';
import { createConnectorError, isConnectorError, type ConnectorError } from '../lib/connector-error.js';
import type { HttpTransport } from '../lib/http-transport.js';
import { compactOrder, numberOf, paymentStatusOf, textOf, trackingUrlOf } from '../../engine/orders/order-record.js';

export interface BaseLinkerOptions {
  transport: HttpTransport;
  /** Tracking link with {{number}}; default: the courier's page by delivery_package_module. */
  trackingUrlTemplate: string | undefined;
  /** How long the status names (getOrderStatusList) are kept; they change rarely. */
  statusListTtlMs: number;
  now?: () => number;
}

/** BaseLinker's request limit (api.baselinker.com: 100 requests per minute per token). */
export const BASELINKER_LIMIT_RESET_MS = 60_000;

type BaseLinkerAnswer = Record<string, unknown> & { status: 'SUCCESS' };

/**
 * BaseLinker's single-endpoint API (https://api.baselinker.com/): every call
 * is `POST connector.php` with the token in `X-BLToken` and the form fields
 * `method` and `parameters` (a JSON string). It answers HTTP 200 for its own
 * errors too, as `{ status: "ERROR", error_code, error_message }`, so the
 * body, not the HTTP status, says what happened; HTTP failures (5xx, 429,
 * timeouts) are the shared transport's.
 *
 * An order is `getOrders` with `order_id` (unconfirmed orders included); the
 * status id becomes its name through `getOrderStatusList`, cached.
 */
export class BaseLinkerClient implements ConnectorInstance {
  private statusNames: { at: number; names: Map<string, string> } | undefined;
  private readonly clock: () => number;

  constructor(
    private readonly options: BaseLinkerOptions,
    private readonly context: ConnectorContext,
  ) {
    this.clock = options.now ?? Date.now;
  }

  async lookupOrder(number: string, signal: AbortSignal): Promise<OrderRecord | undefined> {
    // BaseLinker order ids are integers; anything else cannot be one of its orders.
    if (!/^\d{1,18}$/.test(number)) return undefined;
    const answer = await this.call('getOrders', { order_id: Number(number), get_unconfirmed_orders: true }, signal);
    const orders = answer.orders;
    if (!Array.isArray(orders)) throw this.badResponse('getOrders answered without an "orders" list');
    // "012345" is order 12345.
    const id = String(Number(number));
    const raw: unknown = orders.find((o: unknown) => isObject(o) && String(o.order_id) === id) ?? undefined;
    if (raw === undefined) return undefined;
    if (!isObject(raw)) throw this.badResponse('an order is not an object');
    const statusName = await this.statusName(raw.order_status_id, signal);
    return toOrderRecord(number, raw, statusName, this.options.trackingUrlTemplate);
  }

  async test(): Promise<ConnectorTestResult> {
    try {
      const names = await this.loadStatusNames(undefined);
      return { ok: true, detail: `getOrderStatusList answered SUCCESS (${names.size} order statuses)` };
    } catch (e) {
      if (isConnectorError(e)) return { ok: false, detail: `${e.code} ${e.message}\n  hint: ${e.hint}` };
      throw e;
    }
  }

  close(): Promise<void> {
    this.options.transport.close();
    return Promise.resolve();
  }

  private async statusName(id: unknown, signal: AbortSignal): Promise<string | undefined> {
    const key = textOf(id);
    if (key === undefined) return undefined;
    try {
      return (await this.loadStatusNames(signal)).get(key) ?? key;
    } catch (e) {
      // The order matters more than its status name: the id stands in for it.
      if (isConnectorError(e) && e.code !== 'TRIAGE_CONNECTOR_TIMEOUT') {
        this.context.log('warn', 'BaseLinker status names unavailable; the status id is used', { connection: this.context.connection, code: e.code });
        return key;
      }
      throw e;
    }
  }

  private async loadStatusNames(signal: AbortSignal | undefined): Promise<Map<string, string>> {
    const now = this.clock();
    if (this.statusNames !== undefined && now - this.statusNames.at < this.options.statusListTtlMs) return this.statusNames.names;
    const answer = await this.call('getOrderStatusList', {}, signal);
    if (!Array.isArray(answer.statuses)) throw this.badResponse('getOrderStatusList answered without a "statuses" list');
    const names = new Map<string, string>();
    for (const s of answer.statuses as unknown[]) {
      if (!isObject(s)) continue;
      const id = textOf(s.id);
      const name = textOf(s.name);
      if (id !== undefined && name !== undefined) names.set(id, name);
    }
    this.statusNames = { at: now, names };
    return names;
  }

  /** One API call; BaseLinker's own errors become ConnectorErrors. */
  private async call(method: string, parameters: Record<string, unknown>, signal: AbortSignal | undefined): Promise<BaseLinkerAnswer> {
    const body = new URLSearchParams({ method, parameters: JSON.stringify(parameters) }).toString();
    const res = await this.options.transport.request({
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      ...(signal === undefined ? {} : { signal }),
    });
    const data = res.data;
    if (!isObject(data)) throw this.badResponse(`${method} answered ${res.status} with a body that is not JSON`);
    if (data.status === 'SUCCESS') return data as BaseLinkerAnswer;
    if (data.status === 'ERROR') throw this.apiError(method, textOf(data.error_code) ?? 'ERROR', textOf(data.error_message) ?? '');
    throw this.badResponse(`${method} answered without status SUCCESS or ERROR`);
  }

  private apiError(method: string, code: string, message: string): ConnectorError {
    const who = `BaseLinker "${this.context.connection}" (POST ${method})`;
    const what = `${code}${message === '' ? '' : `: ${message.slice(0, 200)}`}`;
    if (/TOKEN|AUTH|PERMISSION|ACCESS_DENIED/i.test(code)) {
      return createConnectorError('TRIAGE_CONNECTOR_AUTH', [who, what], {
        retryable: false,
        hint: `Check the token of connection "${this.context.connection}" (BaseLinker: Account & other → My account → API) and the environment variable it references; orders stay "unavailable" until BaseLinker accepts it.`,
      });
    }
    if (/LIMIT|BLOCKED|TOO_MANY/i.test(code)) {
      // BaseLinker counts 100 requests a minute per token and answers its own error when they are used up.
      return createConnectorError('TRIAGE_ORDER_API_ERROR', [this.context.connection, what], {
        retryable: true,
        retryAfterMs: BASELINKER_LIMIT_RESET_MS,
        hint: 'BaseLinker allows 100 requests a minute per token, shared by every tool using it; the lookup is retried after a minute. A longer orders.cacheTtlSeconds asks less often.',
      });
    }
    return createConnectorError('TRIAGE_ORDER_API_ERROR', [this.context.connection, what], { retryable: true });
  }

  private badResponse(why: string): ConnectorError {
    return createConnectorError('TRIAGE_ORDER_BAD_RESPONSE', [this.context.connection, why], { retryable: true });
  }
}

/** getOrders' order (fields as documented at api.baselinker.com) → OrderRecord. */
function toOrderRecord(number: string, o: Record<string, unknown>, status: string | undefined, trackingTemplate: string | undefined): OrderRecord {
  const products = Array.isArray(o.products) ? o.products.filter(isObject) : [];
  const items = products.map((p) => ({ sku: textOf(p.sku), name: textOf(p.name), quantity: numberOf(p.quantity) }));
  const goods = products.reduce((sum, p) => sum + (numberOf(p.price_brutto) ?? 0) * (numberOf(p.quantity) ?? 0), 0);
  const total = Math.round((goods + (numberOf(o.delivery_price) ?? 0)) * 100) / 100;
  const added = numberOf(o.date_add);
  const tracking = textOf(o.delivery_package_nr);
  return compactOrder({
    number,
    status,
    date: added === undefined ? undefined : new Date(added * 1000).toISOString(),
    total,
    currency: textOf(o.currency),
    items: items.map((i) => compactItem(i)),
    shippingMethod: textOf(o.delivery_method),
    trackingNumber: tracking,
    trackingUrl: trackingUrlOf(tracking, textOf(o.delivery_package_module), trackingTemplate),
    paymentStatus: paymentStatusOf(total, numberOf(o.payment_done)),
    customerEmail: textOf(o.email),
    customerPhone: textOf(o.phone),
  });
}

export function compactItem(item: { sku: string | undefined; name: string | undefined; quantity: number | undefined }): { sku?: string; name?: string; quantity?: number } {
  return {
    ...(item.sku === undefined ? {} : { sku: item.sku }),
    ...(item.name === undefined ? {} : { name: item.name }),
    ...(item.quantity === undefined ? {} : { quantity: item.quantity }),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
