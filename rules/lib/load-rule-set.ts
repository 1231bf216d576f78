import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createDiagnostic, type Diagnostic } from '../../engine/errors/diagnostic.js';
import { actionCatalogue } from './action-catalogue.js';
import { checkRuleFile } from './check-rule-file.js';
import { compileCondition } from './compile-condition.js';
import { findContradiction } from './find-contradiction.js';
import { compileTemplate, type CompiledTemplate } from './render-template.js';
import type { CompiledAction, CompiledRule, RuleSet, RuleSetFile, RuleSetSettings } from './rule-set.js';
import type { FactName } from './rule-types.js';
import { canonicalJson } from './canonical-json.js';
import { checkScheduleEvents, collectSchedules } from './rule-schedules.js';
import { parseSourceDocument, type SourceDocument } from './source-document.js';

export interface RuleSourceFile {
  path: string;
  text: string;
}

export type RuleSetResult = { ok: true; ruleSet: RuleSet; diagnostics: [] } | { ok: false; diagnostics: Diagnostic[] };

const RULE_FILE = /\.(ya?ml|json)$/i;
const TEST_FILE = /\.test\.(ya?ml|json)$/i;

export const DEFAULT_SETTINGS: RuleSetSettings = { reviewThreshold: 0.95, reviewTag: 'needs-review' };

/** Is this a rule file (and not a rule test file)? */
export function isRuleFile(name: string): boolean {
  return RULE_FILE.test(name) && !TEST_FILE.test(name);
}

/**
 * Read every rule file of a directory (not recursive: `tests/` and other
 * subfolders hold fixtures, not rules) or a single file, in name order so the
 * file order, and with it the tie-break order, is stable across machines.
 */
export async function readRuleSources(paths: readonly string[]): Promise<{ files: RuleSourceFile[]; diagnostics: Diagnostic[] }> {
  const files: RuleSourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch {
      diagnostics.push(createDiagnostic('TRIAGE_RULE_SET_NOT_FOUND', { file: p, line: 1, column: 1 }, p));
      continue;
    }
    const names = isDir ? (await readdir(p)).filter(isRuleFile).sort() : [p];
    if (isDir && names.length === 0) diagnostics.push(createDiagnostic('TRIAGE_RULE_SET_EMPTY', { file: p, line: 1, column: 1 }, p));
    for (const name of names) {
      const file = isDir ? join(p, name) : name;
      try {
        files.push({ path: file, text: await readFile(file, 'utf8') });
      } catch (e) {
        diagnostics.push(createDiagnostic('TRIAGE_RULE_FILE_READ', { file, line: 1, column: 1 }, e instanceof Error ? e.message : String(e)));
      }
    }
  }
  return { files, diagnostics };
}

/** Load, validate and compile a rule set from directories and/or files. */
export async function loadRuleSet(paths: string | readonly string[]): Promise<RuleSetResult> {
  const { files, diagnostics } = await readRuleSources(typeof paths === 'string' ? [paths] : paths);
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  return compileRuleSet(files);
}

/** Validate and compile rule files held in memory (used by loadRuleSet, hot reload and tests). */
export function compileRuleSet(sources: readonly RuleSourceFile[]): RuleSetResult {
  const diagnostics: Diagnostic[] = [];
  const docs: SourceDocument[] = [];
  for (const src of sources) {
    const parsed = parseSourceDocument(src.path, src.text);
    if (parsed.ok) docs.push(parsed.document);
    else diagnostics.push(...parsed.diagnostics);
  }

  // Lists and settings may live in any file but are shared by all: collect them first.
  const lists = new Map<string, readonly (string | number)[]>();
  const listOrigin = new Map<string, string>();
  let settings: RuleSetSettings = { ...DEFAULT_SETTINGS };
  let settingsOrigin: string | undefined;
  for (const doc of docs) {
    const data = asRecord(doc.data);
    const docLists = asRecord(data?.lists);
    for (const [name, values] of Object.entries(docLists ?? {})) {
      const at = doc.locate(['lists', name], { key: true });
      const origin = listOrigin.get(name);
      if (origin !== undefined) {
        diagnostics.push(createDiagnostic('TRIAGE_RULE_DUPLICATE_LIST', { file: doc.file, ...at }, name, origin));
        continue;
      }
      listOrigin.set(name, `${doc.file}:${at.line}:${at.column}`);
      if (Array.isArray(values)) lists.set(name, values.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number'));
    }
    const s = asRecord(data?.settings);
    if (s) {
      const at = doc.locate(['settings'], { key: true });
      if (settingsOrigin !== undefined) {
        diagnostics.push(createDiagnostic('TRIAGE_RULE_DUPLICATE_SETTINGS', { file: doc.file, ...at }, settingsOrigin));
      } else {
        settingsOrigin = `${doc.file}:${at.line}:${at.column}`;
        settings = {
          reviewThreshold: typeof s.reviewThreshold === 'number' ? s.reviewThreshold : DEFAULT_SETTINGS.reviewThreshold,
          reviewTag: typeof s.reviewTag === 'string' ? s.reviewTag : DEFAULT_SETTINGS.reviewTag,
        };
      }
    }
  }

  // Schedules may live in any file; `on: [schedule.<name>]` is checked against all of them (docs/automations.md).
  const { schedules, names: scheduleNames, diagnostics: scheduleDiagnostics } = collectSchedules(docs);
  diagnostics.push(...scheduleDiagnostics, ...checkScheduleEvents(docs, scheduleNames));

  const ctx = { lists };
  const idOrigin = new Map<string, string>();
  const rules: CompiledRule[] = [];
  const files: RuleSetFile[] = [];
  let order = 0;
  for (const doc of docs) {
    const fileDiagnostics = checkRuleFile(doc, ctx);
    diagnostics.push(...fileDiagnostics);
    const data = asRecord(doc.data);
    const list = Array.isArray(data?.rules) ? (data.rules as unknown[]) : [];
    files.push({ path: doc.file, hash: sha256(canonicalJson(doc.data)), rules: list.length });
    list.forEach((raw, i) => {
      const r = asRecord(raw);
      if (!r || typeof r.id !== 'string') return;
      const at = doc.locate(['rules', i]);
      const idAt = doc.locate(['rules', i, 'id']);
      const origin = idOrigin.get(r.id);
      if (origin !== undefined) {
        diagnostics.push(createDiagnostic('TRIAGE_RULE_DUPLICATE_ID', { file: doc.file, ...idAt }, r.id, origin));
        return;
      }
      idOrigin.set(r.id, `${doc.file}:${idAt.line}:${idAt.column}`);
      if (r.when !== undefined) {
        const why = findContradiction(r.when);
        if (why) diagnostics.push(createDiagnostic('TRIAGE_RULE_NEVER_FIRES', { file: doc.file, ...doc.locate(['rules', i, 'when'], { key: true }) }, r.id, why));
      }
      if (fileDiagnostics.length > 0 || diagnostics.length > 0) return; // compile only a valid set
      rules.push(compileRule(r, doc.file, at, order++, ctx));
    });
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics: sortDiagnostics(diagnostics) };

  rules.sort((a, b) => b.priority - a.priority || a.order - b.order);
  const version = ruleSetVersion(files);
  const byEvent = new Map<string, CompiledRule[]>();
  const factsByEvent = new Map<string, Set<FactName>>();
  const conditionFactsByEvent = new Map<string, Set<FactName>>();
  for (const rule of rules) {
    if (!rule.enabled) continue;
    for (const ev of rule.events) {
      const list = byEvent.get(ev) ?? [];
      list.push(rule);
      byEvent.set(ev, list);
      const facts = factsByEvent.get(ev) ?? new Set<FactName>();
      for (const f of factsOfRule(rule)) facts.add(f);
      factsByEvent.set(ev, facts);
      const conditionFacts = conditionFactsByEvent.get(ev) ?? new Set<FactName>();
      for (const f of rule.condition?.facts ?? []) conditionFacts.add(f);
      conditionFactsByEvent.set(ev, conditionFacts);
    }
  }
  const none: readonly CompiledRule[] = Object.freeze([]);
  const noFacts: ReadonlySet<FactName> = new Set();
  const ruleSet: RuleSet = {
    version,
    files,
    rules,
    settings,
    lists,
    schedules,
    rulesFor: (event) => byEvent.get(event) ?? none,
    factsFor: (event) => factsByEvent.get(event) ?? noFacts,
    conditionFactsFor: (event) => conditionFactsByEvent.get(event) ?? noFacts,
  };
  return { ok: true, ruleSet, diagnostics: [] };
}

function compileRule(r: Record<string, unknown>, file: string, at: { line: number; column: number }, order: number, ctx: { lists: ReadonlyMap<string, readonly (string | number)[]> }): CompiledRule {
  const then = Array.isArray(r.then) ? (r.then as Record<string, unknown>[]) : [];
  const actions: CompiledAction[] = then.map((a, index) => {
    const type = Object.keys(a)[0] ?? '';
    const def = actionCatalogue.get(type);
    const params = a[type];
    const templates = def?.templates ?? [];
    return { type, kind: def?.kind ?? 'action', params, templates, compiledTemplates: compileTemplates(params, templates), index };
  });
  return {
    id: r.id as string,
    description: typeof r.description === 'string' ? r.description : undefined,
    file,
    line: at.line,
    column: at.column,
    priority: typeof r.priority === 'number' ? r.priority : 50,
    order,
    events: (r.on as string[]) ?? [],
    enabled: r.enabled !== false,
    confidence: typeof r.confidence === 'number' ? r.confidence : undefined,
    stop: r.stop === true,
    when: r.when,
    condition: r.when === undefined ? undefined : compileCondition(r.when, ctx),
    actions,
  };
}

/** Parse each template param once, here, so decide() only renders (checkRuleFile has already validated them). */
function compileTemplates(params: unknown, fields: readonly string[]): Record<string, CompiledTemplate> {
  const out: Record<string, CompiledTemplate> = {};
  if (!params || typeof params !== 'object') return out;
  for (const field of fields) {
    const t = (params as Record<string, unknown>)[field];
    if (typeof t === 'string') out[field] = compileTemplate(t);
  }
  return out;
}

function factsOfRule(rule: CompiledRule): Set<FactName> {
  const facts = new Set<FactName>(rule.condition?.facts ?? []);
  for (const a of rule.actions) {
    for (const t of Object.values(a.compiledTemplates ?? {})) for (const f of t.facts) facts.add(f);
  }
  return facts;
}

/** Version = hash over each file's normalized content (comments and formatting do not count) in path order. */
export function ruleSetVersion(files: readonly RuleSetFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) h.update(`${baseName(f.path)}\0${f.hash}\n`);
  return h.digest('hex').slice(0, 16);
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function sortDiagnostics(d: Diagnostic[]): Diagnostic[] {
  return d.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
