import { TokenKind, type Template } from 'liquidjs';

/**
 * A direct renderer for the templates rule files actually contain: text,
 * `{{ fact.path }}` and `{{ fact.path | our_filter: "literal" }}` outputs, and
 * `{% if fact.path %}…{% elsif … %}…{% else %}…{% endif %}` on a plain path.
 * liquidjs renders through generators, a fresh Context and a filter object
 * per output, which made the acknowledgement's text the largest single cost of
 * POST /v1/evaluate; these closures do the same work in plain calls.
 *
 * It is an optimisation with the same output, never a dialect: anything else
 * (loops, assignments, operators, index access, `size`/`first`/`last`,
 * Liquid's built-in filters, filter arguments that are not literals) makes
 * compileFastTemplate return undefined and the template stays with liquidjs.
 * The semantics copied are those of the engine render-template.ts configures:
 * own properties only, nil and false are the only false values, and every
 * output ends in the engine's outputEscape. fast-template.test.ts compares
 * the two renderers on generated templates and facts.
 */
export type FastTemplate = (scope: Readonly<Record<string, unknown>>) => string;

type Filter = (value: unknown, ...args: unknown[]) => unknown;
type Part = (scope: Readonly<Record<string, unknown>>) => string;

/** Names Liquid reads specially (a list's length, its ends): left to liquidjs. */
const SPECIAL_PROPERTIES = new Set(['size', 'first', 'last']);

/** The liquidjs AST nodes this module reads; liquidjs does not export their classes. */
interface TokenLike {
  kind: number;
  content?: unknown;
  props?: TokenLike[];
  variable?: unknown;
}
interface ValueLike {
  initial: { postfix: TokenLike[] };
  filters: Array<{ name: string; handler: unknown; args: unknown[] }>;
}
interface NodeLike {
  token: { kind: number };
  str?: unknown;
  value?: ValueLike;
  name?: unknown;
  branches?: Array<{ value: ValueLike; templates: Template[] }>;
  elseTemplates?: Template[];
}

/**
 * The fast renderer of a parsed template, or undefined when the template uses
 * anything beyond the subset above. `filters` are the custom filters by name
 * (they must not read `this`), `escape` the engine's outputEscape function.
 */
export function compileFastTemplate(templates: readonly Template[], filters: Readonly<Record<string, unknown>>, escape: unknown): FastTemplate | undefined {
  const parts = compileList(templates, filters, escape);
  if (parts === undefined) return undefined;
  return (scope) => {
    let out = '';
    for (const part of parts) out += part(scope);
    return out;
  };
}

function compileList(templates: readonly Template[], filters: Readonly<Record<string, unknown>>, escape: unknown): Part[] | undefined {
  const parts: Part[] = [];
  for (const t of templates) {
    const part = compileNode(t as unknown as NodeLike, filters, escape);
    if (part === undefined) return undefined;
    parts.push(part);
  }
  return parts;
}

function compileNode(node: NodeLike, filters: Readonly<Record<string, unknown>>, escape: unknown): Part | undefined {
  const kind = node.token.kind;
  if (kind === TokenKind.HTML) {
    const text = node.str;
    return typeof text === 'string' ? () => text : undefined;
  }
  if (kind === TokenKind.Output) return node.value === undefined ? undefined : compileOutput(node.value, filters, escape);
  if (kind === TokenKind.Tag && node.name === 'if' && node.branches !== undefined) {
    const branches: Array<{ test: (scope: Readonly<Record<string, unknown>>) => unknown; body: Part[] }> = [];
    for (const b of node.branches) {
      if (b.value.filters.length > 0) return undefined;
      const test = compileRead(b.value.initial.postfix);
      const body = compileList(b.templates, filters, escape);
      if (test === undefined || body === undefined) return undefined;
      branches.push({ test, body });
    }
    // No `{% else %}`: liquidjs leaves elseTemplates unset and renders nothing.
    const otherwise = compileList(node.elseTemplates ?? [], filters, escape);
    if (otherwise === undefined) return undefined;
    return (scope) => {
      let body = otherwise;
      for (const b of branches) {
        const v = b.test(scope);
        // Liquid's truthiness (not JavaScript's): only nil and false are false; "" and 0 are true.
        if (v !== false && v !== undefined && v !== null) {
          body = b.body;
          break;
        }
      }
      let out = '';
      for (const part of body) out += part(scope);
      return out;
    };
  }
  return undefined;
}

function compileOutput(value: ValueLike, filters: Readonly<Record<string, unknown>>, escape: unknown): Part | undefined {
  const postfix = value.initial.postfix;
  const read = postfix.length === 1 && postfix[0]?.kind === TokenKind.Quoted && typeof postfix[0].content === 'string' ? constant(postfix[0].content) : compileRead(postfix);
  if (read === undefined) return undefined;
  // The engine appends outputEscape as the last filter of every output; it must be there, and only there.
  const last = value.filters[value.filters.length - 1];
  if (last === undefined || last.handler !== escape || typeof escape !== 'function') return undefined;
  const chain: Array<{ fn: Filter; args: unknown[] }> = [];
  for (const f of value.filters.slice(0, -1)) {
    const fn = Object.hasOwn(filters, f.name) ? filters[f.name] : undefined;
    if (typeof fn !== 'function' || f.handler !== fn) return undefined;
    const args: unknown[] = [];
    for (const a of f.args) {
      const literal = literalOf(a);
      if (literal === undefined) return undefined;
      args.push(literal.value);
    }
    chain.push({ fn: fn as Filter, args });
  }
  const out = escape as (v: unknown) => unknown;
  return (scope) => {
    let v = read(scope);
    for (const { fn, args } of chain) v = fn(v, ...args);
    return stringify(out(v));
  };
}

function constant(value: string): (scope: Readonly<Record<string, unknown>>) => unknown {
  return () => value;
}

/** A filter argument that is a quoted string or a number. */
function literalOf(arg: unknown): { value: unknown } | undefined {
  if (Array.isArray(arg)) return undefined; // key: value
  const t = arg as TokenLike;
  if (t.kind === TokenKind.Quoted && typeof t.content === 'string') return { value: t.content };
  if (t.kind === TokenKind.Number && typeof t.content === 'number') return { value: t.content };
  return undefined;
}

/** `a.b.c` of plain identifiers, read the way the engine reads it (own properties; functions are called). */
function compileRead(postfix: readonly TokenLike[]): ((scope: Readonly<Record<string, unknown>>) => unknown) | undefined {
  const token = postfix.length === 1 ? postfix[0] : undefined;
  if (token?.kind !== TokenKind.PropertyAccess || token.variable !== undefined || token.props === undefined || token.props.length === 0) return undefined;
  const names: string[] = [];
  for (const p of token.props) {
    if (p.kind !== TokenKind.Word || typeof p.content !== 'string' || SPECIAL_PROPERTIES.has(p.content)) return undefined;
    names.push(p.content);
  }
  return (scope) => {
    let cur: unknown = scope;
    for (const name of names) {
      if (cur === null || cur === undefined) return cur;
      if (typeof (cur as { toLiquid?: unknown }).toLiquid === 'function') cur = (cur as { toLiquid: () => unknown }).toLiquid();
      if (cur === null || cur === undefined) return cur;
      const value: unknown = Object.hasOwn(Object(cur), name) ? (cur as Record<string, unknown>)[name] : undefined;
      cur = typeof value === 'function' ? (value as () => unknown).call(cur) : value;
    }
    return cur;
  };
}

/** Liquid's emitter: strings as they are, nil as nothing, lists joined, the rest by String(). */
function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(stringify).join('');
  return String(value);
}
