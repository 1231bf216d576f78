import { resolvePath } from './dotted-path.js';
import { FACT_NAMES, type Facts } from './rule-types.js';

/**
 * `{{fact.path}}` placeholders, nothing more: no expressions, no helpers, no
 * code. A missing value renders as an empty string so a notification is never
 * blocked by an optional field.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_-]+)*)\s*\}\}/g;

export interface TemplatePart {
  fact: string;
  path: string | undefined;
}

export function templatePlaceholders(template: string): TemplatePart[] {
  const out: TemplatePart[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    const fact = m[1] ?? '';
    const rest = m[2] ?? '';
    out.push({ fact, path: rest.length > 0 ? rest.slice(1) : undefined });
  }
  return out;
}

/** Placeholders that name an unknown fact (for validation). */
export function unknownTemplateFacts(template: string): string[] {
  return templatePlaceholders(template)
    .map((p) => p.fact)
    .filter((f) => !(FACT_NAMES as readonly string[]).includes(f));
}

export function renderTemplate(template: string, facts: Facts): string {
  if (!template.includes('{{')) return template;
  return template.replace(PLACEHOLDER, (_m, fact: string, rest: string) => {
    const root = (facts as unknown as Record<string, unknown>)[fact];
    const value = rest.length > 0 ? resolvePath(root, rest.slice(1)) : root;
    if (value === undefined || value === null) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}
