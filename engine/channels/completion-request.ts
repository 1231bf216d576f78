import type { ChannelAction } from '../../schemas/types/http/channel-response.js';

export const DEFAULT_INCOMPLETE_TEXT =
  'Thank you, we have registered your request {{number}}. To handle it we still need: {{fields}}. Please send them to us quoting {{number}}.';

/**
 * The action an incomplete form submission returns (R4): ask the customer
 * for the missing fields. Fields are named by their schema `title` when the
 * form's schema gives one (`Order number` reads better than `orderNumber`).
 */
export function completionRequest(ticketNumber: string, missing: readonly string[], schema: object, template = DEFAULT_INCOMPLETE_TEXT): ChannelAction {
  const properties = (schema as { properties?: Record<string, { title?: unknown } | undefined> }).properties ?? {};
  const labels = missing.map((field) => {
    const title = Object.hasOwn(properties, field) ? properties[field]?.title : undefined;
    return typeof title === 'string' && title.trim() !== '' ? title.trim() : field;
  });
  const text = template.replace(/\{\{\s*number\s*\}\}/g, ticketNumber).replace(/\{\{\s*fields\s*\}\}/g, labels.join(', '));
  return { type: 'requestInformation', params: { missingFields: [...missing], text } };
}
