import { Liquid, type Template } from 'liquidjs';
import { didYouMean } from './closest-match.js';
import { compileFastTemplate } from './fast-template.js';
import { KNOWN_FACT_FIELDS } from './fact-fields.js';
import { FACT_NAMES, type FactName, type Facts } from './rule-types.js';
import { TEMPLATE_FILTERS, TEMPLATE_TIME_ZONE } from './template-filters.js';

/**
 * Action templates are Liquid (liquidjs; docs/templates.md): `{{ticket.number}}`,
 * `{{ sla.firstResponse.dueAt | date: "%Y-%m-%d %H:%M" }}`, `{{ message.text | mask }}`,
 * `{% if customer.name %}…{% endif %}`.
 *
 * Templates come from rule files, so they are treated as untrusted:
 * - no tag reaches the file system: include, render and layout are removed,
 *   and partial lookups would resolve against an empty in-memory map anyway;
 * - only own properties of the facts are visible (no `constructor`, `__proto__`);
 * - parse size, render time and allocations are capped, so a
 *   `{% for %}` over a huge range fails instead of stalling the decision.
 *
 * A template is parsed once (when the rule set is compiled, see
 * load-rule-set.ts) and rendered synchronously, so decide() stays synchronous.
 * Validation is strict where it can be: syntax errors, unknown filters,
 * variables that are not a fact (ticket, message, customer, sla, now) and
 * unknown top-level fields of ticket and message are TRIAGE_RULE_BAD_TEMPLATE.
 * At run time a missing value renders empty and is logged, and a template
 * that fails to render is logged and sent as written: rendering never throws.
 */

/** Longest template accepted (characters). Rule-file templates are a few lines. */
const PARSE_LIMIT = 100_000;
/** Liquid's allocation budget per render (string and array sizes); far above any real notification. */
const MEMORY_LIMIT = 10_000_000;
/**
 * Render time budget per template. Real templates render in microseconds; the
 * budget is a backstop against pathological loops, set far above anything a
 * loaded machine takes (a wall-clock limit near real render times would make
 * output depend on machine load). The memory limit above is the deterministic guard.
 */
const RENDER_LIMIT_MS = 2_000;
/** Tags that would read other templates from disk. */
const DISABLED_TAGS = ['include', 'render', 'layout'] as const;
/** Compiled templates kept for reuse across rule-set reloads and string renders. */
const CACHE_SIZE = 5_000;

/** What a compiled template renders from: exactly the facts of an evaluation. */
export interface CompiledTemplate {
  readonly source: string;
  /** The facts the template reads, so lazy facts (the CRM's customer) are loaded when a rule needs them. */
  readonly facts: readonly FactName[];
  /** Render against the facts; never throws (see renderTemplate). */
  render(facts: Facts, context?: TemplateContext): string;
}

/** Where a template is used, for the log lines of missing values and failed renders. */
export interface TemplateContext {
  ruleId?: string;
  action?: string;
  field?: string;
}

/** A problem found by checkTemplate; line and column are 1-based within the template. */
export interface TemplateProblem {
  message: string;
  line: number;
  column: number;
}

export interface TemplateLogEntry extends TemplateContext {
  level: 'warn' | 'error';
  message: string;
  template: string;
  /** The missing variable, for `warn` entries. */
  variable?: string;
}

export type TemplateLogger = (entry: TemplateLogEntry) => void;

const engine = createTemplateEngine();
const FILTER_NAMES: readonly string[] = Object.keys(engine.filters);
const cache = new Map<string, CompiledTemplate>();

/** The Liquid engine templates render with (one per process; exported for the fast renderer's differential test). */
export function createTemplateEngine(): Liquid {
  const liquid = new Liquid({
    strictFilters: true,
    ownPropertyOnly: true,
    // With strictVariables on a render, a missing value inside `if` or `default` is not an error: the template handles it.
    lenientIf: true,
    // An empty in-memory template map: no lookup can reach the file system.
    templates: {},
    relativeReference: false,
    timezoneOffset: TEMPLATE_TIME_ZONE,
    // English names for %A/%B whatever the server's locale; Polish dates have date_pl.
    locale: 'en-US',
    outputEscape: outputValue,
    parseLimit: PARSE_LIMIT,
    memoryLimit: MEMORY_LIMIT,
    renderLimit: RENDER_LIMIT_MS,
  });
  for (const tag of DISABLED_TAGS) delete liquid.tags[tag];
  for (const [name, filter] of Object.entries(TEMPLATE_FILTERS)) liquid.registerFilter(name, filter);
  return liquid;
}

/**
 * How a value prints. Objects and lists print as JSON (as `{{fact.path}}` did
 * before Liquid) rather than Liquid's "[object Object]" or glued-together list.
 */
function outputValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object' && !(value instanceof Date)) return JSON.stringify(value);
  return String(value);
}

let logger: TemplateLogger = stderrLogger();

/** Where missing values and failed renders are reported; the server routes them to its log. `undefined` restores the default (stderr, each distinct problem once). */
export function setTemplateLogger(next: TemplateLogger | undefined): void {
  logger = next ?? stderrLogger();
}

/** A structured logger such as Fastify's (pino). */
export interface LevelLogger {
  warn(data: object, message: string): void;
  error(data: object, message: string): void;
  debug(data: object, message: string): void;
}

/**
 * Route template problems to a structured log: each distinct problem at warn
 * (or error) the first time, at debug after that. The same rule misses the
 * same value on every ticket it fires for; one line says so, a thousand
 * would bury everything else.
 */
export function levelTemplateLogger(log: LevelLogger): TemplateLogger {
  const seen = new Set<string>();
  return (entry) => {
    const key = `${entry.ruleId ?? ''}|${entry.field ?? ''}|${entry.message}`;
    const first = !seen.has(key);
    if (first) {
      if (seen.size >= 10_000) seen.clear();
      seen.add(key);
    }
    const { message, ...data } = entry;
    if (!first) log.debug({ template: data }, message);
    else if (entry.level === 'error') log.error({ template: data }, message);
    else log.warn({ template: data }, message);
  };
}

function stderrLogger(): TemplateLogger {
  const seen = new Set<string>();
  return (entry) => {
    const where = [entry.ruleId && `rule ${entry.ruleId}`, entry.action && `action ${entry.action}`, entry.field && `param ${entry.field}`].filter(Boolean).join(', ');
    const line = `triage: template ${entry.level === 'warn' ? 'warning' : 'error'}${where ? ` (${where})` : ''}: ${entry.message}`;
    if (seen.has(line)) return;
    if (seen.size >= 1_000) seen.clear();
    seen.add(line);
    process.stderr.write(`${line}\n`);
  };
}

/** Nothing to render: the template is the text. */
function isPlainText(source: string): boolean {
  return !source.includes('{{') && !source.includes('{%');
}

interface Parsed {
  templates: Template[];
  globals: ReturnType<Liquid['analyzeSync']>['globals'];
}

function parse(source: string): Parsed {
  const templates = engine.parse(source);
  return { templates, globals: engine.analyzeSync(templates, { partials: false }).globals };
}

/**
 * Everything wrong with a template that can be known before it runs: syntax,
 * disabled or unknown tags, unknown filters, variables that are not facts,
 * unknown top-level fields of ticket and message.
 */
export function checkTemplate(source: string): TemplateProblem[] {
  if (isPlainText(source)) return [];
  let parsed: Parsed;
  try {
    parsed = parse(source);
  } catch (e) {
    return [liquidProblem(e)];
  }
  const problems: TemplateProblem[] = [];
  for (const [root, uses] of Object.entries(parsed.globals)) {
    for (const v of uses) {
      const at = { line: v.location.row, column: v.location.col };
      if (!(FACT_NAMES as readonly string[]).includes(root)) {
        problems.push({ message: `uses unknown fact "${root}"${didYouMean(root, FACT_NAMES)}`, ...at });
        break;
      }
      const first = v.segments[1];
      const known = KNOWN_FACT_FIELDS[root as FactName];
      if (known && typeof first === 'string' && !known.includes(first)) {
        problems.push({ message: `uses unknown field "${root}.${first}"${didYouMean(first, known)}`, ...at });
      }
    }
  }
  const seen = new Set<string>();
  return problems
    .filter((p) => !seen.has(p.message) && seen.add(p.message) !== undefined)
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

function liquidProblem(e: unknown): TemplateProblem {
  const err = e as { message?: unknown; originalError?: { message?: unknown }; token?: { getPosition?: () => [number, number] } };
  const [line, column] = err.token?.getPosition?.() ?? [1, 1];
  const raw = String(err.originalError?.message ?? err.message ?? e).split('\n')[0] ?? '';
  const text = raw.replace(/, line:\d+, col:\d+$/, '');
  const filter = /^undefined filter: (.+)$/.exec(text);
  if (filter) return { message: `uses unknown filter "${filter[1]}"${didYouMean(filter[1] ?? '', FILTER_NAMES)}`, line, column };
  const tag = /^tag "(.+)" not found$/.exec(text);
  if (tag) {
    const disabled = (DISABLED_TAGS as readonly string[]).includes(tag[1] ?? '');
    return { message: disabled ? `uses the tag "${tag[1]}", which is not allowed (templates cannot read files)` : `uses unknown tag "${tag[1]}"`, line, column };
  }
  return { message: `is not valid Liquid: ${text}`, line, column };
}

/**
 * Parse once; the result is cached by source. Throws (with the problem's
 * message) when the template does not parse: call checkTemplate first to get
 * all problems with positions.
 */
export function compileTemplate(source: string): CompiledTemplate {
  const hit = cache.get(source);
  if (hit !== undefined) return hit;
  const compiled = isPlainText(source) ? plainTemplate(source) : liquidTemplate(source);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(source, compiled);
  return compiled;
}

function plainTemplate(source: string): CompiledTemplate {
  return { source, facts: [], render: () => source };
}

function liquidTemplate(source: string): CompiledTemplate {
  let parsed: Parsed;
  try {
    parsed = parse(source);
  } catch (e) {
    const p = liquidProblem(e);
    throw new Error(`template "${source}" ${p.message} at ${p.line}:${p.column}`, { cause: e });
  }
  const facts = FACT_NAMES.filter((f) => f in parsed.globals);
  const { templates } = parsed;
  const fast = compileFastTemplate(templates, TEMPLATE_FILTERS, engine.options.outputEscape);
  const paths = literalPaths(parsed.globals);
  // Paths already looked into with a strict render: logged once, or handled by the template (if/default).
  const checked = new Set<string>();
  return {
    source,
    facts,
    render(factValues, context = {}) {
      const scope = { ticket: factValues.ticket, message: factValues.message, customer: factValues.customer, sla: factValues.sla, now: factValues.now, order: factValues.order };
      // Finding out which value is missing takes a strict render that throws, which
      // costs far more than the render itself; do it only for a path not checked before.
      const unchecked = paths.filter((p) => !checked.has(p.key) && isMissing(scope, p.segments));
      try {
        if (unchecked.length === 0) return fast !== undefined ? fast(scope) : String(engine.renderSync(templates, scope));
        for (const p of unchecked) checked.add(p.key);
        return String(engine.renderSync(templates, scope, { strictVariables: true }));
      } catch (e) {
        const variable = undefinedVariable(e);
        if (variable === undefined) return failed(source, e, context);
        logger({ level: 'warn', message: `"${variable}" is missing; it renders empty in "${source}"`, template: source, variable, ...context });
        try {
          return String(engine.renderSync(templates, scope));
        } catch (e2) {
          return failed(source, e2, context);
        }
      }
    },
  };
}

interface LiteralPath {
  key: string;
  segments: readonly (string | number)[];
}

/** The fact paths a template reads, up to the first computed segment (`ticket[message.x]` → `ticket`). */
function literalPaths(globals: Parsed['globals']): LiteralPath[] {
  const out = new Map<string, LiteralPath>();
  for (const uses of Object.values(globals)) {
    for (const v of uses) {
      const segments: (string | number)[] = [];
      for (const s of v.segments) {
        if (typeof s !== 'string' && typeof s !== 'number') break;
        segments.push(s);
      }
      const key = JSON.stringify(segments);
      if (!out.has(key)) out.set(key, { key, segments });
    }
  }
  return [...out.values()];
}

/**
 * Would Liquid find nothing at this path? Mirrors its property reading (own
 * properties, `size`/`first`/`last`, negative list indexes, null stops
 * quietly) closely enough; where it errs it says "missing", which only costs
 * one strict render that then decides.
 */
function isMissing(scope: Record<string, unknown>, segments: readonly (string | number)[]): boolean {
  let cur: unknown = scope;
  for (const s of segments) {
    if (cur === null) return false;
    if (cur === undefined || typeof cur === 'function') return true;
    let next: unknown;
    if (Array.isArray(cur) && typeof s === 'number') next = cur[s < 0 ? cur.length + s : s];
    else if (Object.hasOwn(Object(cur), s)) next = (cur as Record<string | number, unknown>)[s];
    if (next === undefined && Array.isArray(cur) && (s === 'first' || s === 'last')) next = s === 'first' ? cur[0] : cur[cur.length - 1];
    if (next === undefined && s === 'size' && (typeof cur === 'object' || typeof cur === 'string')) next = 0;
    cur = next;
  }
  return cur === undefined;
}

function undefinedVariable(e: unknown): string | undefined {
  const err = e as { name?: unknown; originalError?: { variableName?: unknown } };
  if (err.name !== 'UndefinedVariableError') return undefined;
  const name = err.originalError?.variableName;
  return typeof name === 'string' ? name : 'a variable';
}

function failed(source: string, e: unknown, context: TemplateContext): string {
  const message = e instanceof Error ? e.message.split('\n')[0] ?? e.message : String(e);
  logger({ level: 'error', message: `"${source}" could not be rendered (${message}); sent as written`, template: source, ...context });
  return source;
}

/**
 * Render a template (compiled, or a string compiled on first use) against the
 * facts. Never throws: a missing value renders empty and is logged; a
 * template that does not parse or fails to render is logged and returned as
 * written, so a notification is never blocked by its text.
 */
export function renderTemplate(template: string | CompiledTemplate, facts: Facts, context: TemplateContext = {}): string {
  if (typeof template !== 'string') return template.render(facts, context);
  let compiled: CompiledTemplate;
  try {
    compiled = compileTemplate(template);
  } catch (e) {
    return failed(template, e, context);
  }
  return compiled.render(facts, context);
}

/** The facts a template reads (empty for plain text or a template that does not parse). */
export function templateFacts(source: string): readonly FactName[] {
  try {
    return compileTemplate(source).facts;
  } catch {
    return [];
  }
}
