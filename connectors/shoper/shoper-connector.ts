import type { ConnectorDefinition } from '../lib/connector.js';
import { HTTP_SETTINGS_PROPERTIES, httpSettingsProblems, httpTransportOptions, type HttpSettings } from '../lib/http-settings.js';
import { createHttpTransport } from '../lib/http-transport.js';
import { ShoperClient } from './shoper-client.js';

/**
 * `shoper`: the `order` fact from a Shoper shop's REST WebAPI (docs/orders.md):
 *
 *   connections:
 *     shop:
 *       connector: shoper
 *       shopUrl: https://sklep.example.pl
 *       clientId: triage-api
 *       clientSecret: ${env:SHOPER_SECRET}
 */
export const shoperConnector: ConnectorDefinition = {
  name: 'shoper',
  kind: 'facts',
  summary: 'Order facts from a Shoper shop (REST WebAPI: token auth, orders and order-products with filters and paging)',
  credentials: {
    type: 'object',
    additionalProperties: false,
    required: ['shopUrl', 'clientId', 'clientSecret'],
    properties: {
      shopUrl: { type: 'string', pattern: '^https?://', description: 'The shop address; the API is under /webapi/rest.' },
      clientId: { type: 'string', minLength: 1, description: 'WebAPI user login (or application client id); sent with the secret as HTTP Basic to /webapi/rest/auth.' },
      clientSecret: { type: 'string', minLength: 1, 'x-sensitive': true, description: 'Its password / client secret, as ${env:NAME}.' },
      numberField: { type: 'string', pattern: '^[a-z_]+$', default: 'order_id', description: 'The orders field customers quote as their order number.' },
      statusNames: { type: 'object', additionalProperties: { type: 'string' }, default: {}, description: 'status_id → name for order.status (e.g. { "1": "new", "4": "shipped" }); unmapped ids stay ids.' },
      shippingNames: { type: 'object', additionalProperties: { type: 'string' }, default: {}, description: 'shipping_id → name for order.shippingMethod.' },
      timezone: { type: 'string', minLength: 1, default: 'Europe/Warsaw', description: 'Time zone of the shop\'s dates.' },
      trackingUrlTemplate: { type: 'string', pattern: '\\{\\{number\\}\\}', description: 'Tracking link with {{number}} (Shoper reports the number in delivery_code, not the courier).' },
      pageLimit: { type: 'integer', minimum: 1, maximum: 50, default: 50, description: 'Items per page when reading an order\'s products.' },
      ...HTTP_SETTINGS_PROPERTIES,
    },
  },
  operations: [],
  validateSettings: (settings) => httpSettingsProblems(settings),
  create(settings, context) {
    const secret = String(settings.clientSecret);
    const transport = createHttpTransport({
      ...httpTransportOptions(settings as HttpSettings, context, `Shoper "${context.connection}"`),
      baseUrl: String(settings.shopUrl),
      secrets: [secret],
      authHint: `Check clientId / clientSecret of connection "${context.connection}" (a WebAPI user with read access to orders) and the environment variable the secret references.`,
    });
    return new ShoperClient(
      {
        transport,
        clientId: String(settings.clientId),
        clientSecret: secret,
        numberField: typeof settings.numberField === 'string' ? settings.numberField : 'order_id',
        statusNames: stringMap(settings.statusNames),
        shippingNames: stringMap(settings.shippingNames),
        timezone: typeof settings.timezone === 'string' ? settings.timezone : 'Europe/Warsaw',
        trackingUrlTemplate: typeof settings.trackingUrlTemplate === 'string' ? settings.trackingUrlTemplate : undefined,
        pageLimit: typeof settings.pageLimit === 'number' ? settings.pageLimit : 50,
      },
      context,
    );
  },
};

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}
