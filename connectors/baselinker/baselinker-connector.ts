import type { ConnectorDefinition } from '../lib/connector.js';
import { HTTP_SETTINGS_PROPERTIES, httpSettingsProblems, httpTransportOptions, type HttpSettings } from '../lib/http-settings.js';
import { createHttpTransport } from '../lib/http-transport.js';
import { BaseLinkerClient } from './baselinker-client.js';

export const BASELINKER_API_URL = 'https://api.baselinker.com/connector.php';

/**
 * `baselinker`: the `order` fact from BaseLinker (docs/orders.md):
 *
 *   connections:
 *     shop:
 *       connector: baselinker
 *       token: ${env:BASELINKER_TOKEN}     # sent as X-BLToken
 */
export const baselinkerConnector: ConnectorDefinition = {
  name: 'baselinker',
  kind: 'facts',
  summary: 'Order facts from BaseLinker (getOrders by order id; status names, items, tracking, payment)',
  credentials: {
    type: 'object',
    additionalProperties: false,
    required: ['token'],
    properties: {
      token: { type: 'string', minLength: 1, 'x-sensitive': true, description: 'API token (BaseLinker: Account & other → My account → API) as ${env:NAME}; sent as X-BLToken.' },
      url: { type: 'string', pattern: '^https?://', default: BASELINKER_API_URL, description: 'The API endpoint (connector.php); change only for a proxy or a test server.' },
      trackingUrlTemplate: { type: 'string', pattern: '\\{\\{number\\}\\}', description: 'Tracking link with {{number}}; default: the courier\'s tracking page by delivery_package_module (InPost, DPD, DHL, GLS, UPS, Poczta Polska, Orlen, FedEx).' },
      statusListTtlSeconds: { type: 'integer', minimum: 0, maximum: 86400, default: 3600, description: 'How long the order status names (getOrderStatusList) are kept.' },
      ...HTTP_SETTINGS_PROPERTIES,
    },
  },
  operations: [],
  validateSettings: (settings) => httpSettingsProblems(settings),
  create(settings, context) {
    const token = String(settings.token);
    const transport = createHttpTransport({
      ...httpTransportOptions(settings as HttpSettings, context, `BaseLinker "${context.connection}"`),
      baseUrl: typeof settings.url === 'string' ? settings.url : BASELINKER_API_URL,
      headers: { 'X-BLToken': token },
      secrets: [token],
      // Single endpoint: nothing to follow.
      maxRedirects: 0,
      authHint: `Check the token of connection "${context.connection}" and the environment variable it references.`,
    });
    return new BaseLinkerClient(
      {
        transport,
        trackingUrlTemplate: typeof settings.trackingUrlTemplate === 'string' ? settings.trackingUrlTemplate : undefined,
        statusListTtlMs: (typeof settings.statusListTtlSeconds === 'number' ? settings.statusListTtlSeconds : 3600) * 1000,
      },
      context,
    );
  },
};
