import { privacySettings, type PrivacySettings } from './privacy-settings.js';

/**
 * A copy of an action's params with PII masked in every string, at any depth
 * (keys are left alone). The outbox worker calls this just before it hands
 * params to a connector, so Slack, Jira, webhooks and e-mail never receive a
 * full card number, PESEL or IBAN (R20). With privacy.maskOutbound = false the
 * params are returned unchanged.
 *
 * Masking happens at dispatch rather than at decision time so the stored
 * decision and the outbox row keep what the rule rendered (agents see it in
 * the ticket, which holds the same data anyway), while nothing leaves the
 * server unmasked.
 */
export function maskOutboundParams<T>(params: T, settings: PrivacySettings = privacySettings()): T {
  if (!settings.maskOutbound) return params;
  const mask = (value: unknown): unknown => {
    if (typeof value === 'string') return settings.masker.mask(value);
    if (Array.isArray(value)) return value.map(mask);
    if (isPlainObject(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v)]));
    }
    return value;
  };
  return mask(params) as T;
}

/** JSON-like objects only: a Date or Buffer is passed through untouched rather than flattened into `{}`. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
