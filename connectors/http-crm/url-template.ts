import type { CustomerLookup } from '../lib/connector.js';

/** What a lookup URL can be built from. */
export const URL_PLACEHOLDERS = ['email', 'phone', 'domain', 'customerId', 'externalId'] as const;
type Placeholder = (typeof URL_PLACEHOLDERS)[number];

export interface CompiledUrlTemplate {
  template: string;
  placeholders: readonly Placeholder[];
  /** The URL for this query (values URL-encoded); undefined when the query lacks a placeholder's value. */
  render(query: CustomerLookup): string | undefined;
}

const PLACEHOLDER = /\{\{\s*([^{}\s]*)\s*\}\}/g;

/**
 * `/crm/v3/objects/companies/search?domain={{domain}}`. Values are
 * URL-encoded, so an e-mail such as `a+b@x.pl` or a phone `+48…` cannot
 * change the path or add query parameters. Throws an Error naming the
 * problem; the connector wraps it in its coded error.
 */
export function compileUrlTemplate(template: string): CompiledUrlTemplate {
  const placeholders: Placeholder[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!(URL_PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new Error(`urlTemplate "${template}" uses {{${name}}}; placeholders are ${URL_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`);
    }
    if (!placeholders.includes(name as Placeholder)) placeholders.push(name as Placeholder);
  }
  if (/\{\{|\}\}/.test(template.replace(PLACEHOLDER, ''))) throw new Error(`urlTemplate "${template}" has an unclosed placeholder`);
  if (placeholders.length === 0) throw new Error(`urlTemplate "${template}" has no placeholder, so every customer would get the same answer`);
  return {
    template,
    placeholders,
    render(query) {
      if (placeholders.some((p) => query[p] === undefined || query[p] === '')) return undefined;
      return template.replace(PLACEHOLDER, (_m, name: string) => encodeURIComponent(query[name as Placeholder] ?? ''));
    },
  };
}

/** The first template the query has every value for: a CRM searched by domain can still be asked by e-mail when that is all we know. */
export function renderFirst(templates: readonly CompiledUrlTemplate[], query: CustomerLookup): string | undefined {
  for (const t of templates) {
    const url = t.render(query);
    if (url !== undefined) return url;
  }
  return undefined;
}
