import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import ruleFileSchema from '../../schemas/rule-file.schema.json' with { type: 'json' };
import { createDiagnostic, type Diagnostic } from '../../engine/errors/diagnostic.js';
import type { ErrorCode } from '../../engine/errors/error-catalogue.js';
import { actionCatalogue } from './action-catalogue.js';
import { didYouMean } from './closest-match.js';
import { KNOWN_FACT_FIELDS } from './fact-fields.js';
import { operators, type OperatorContext } from './operators.js';
import { checkTemplate } from './render-template.js';
import { BASE_EVENTS, FACT_NAMES, isEventName, type FactName } from './rule-types.js';
import type { PathSegment, SourceDocument } from './source-document.js';

/**
 * Structural and semantic checks of one parsed rule file. Ajv checks the outer
 * shape against schemas/rule-file.schema.json; conditions and action params are
 * walked here by hand because a oneOf failure deep in a condition tree makes
 * ajv report every branch, which nobody can read. Each problem becomes one
 * Diagnostic pointing at the offending key or value.
 */
const ajv = new Ajv({ allErrors: true, strict: false });
const validateFile: ValidateFunction = ajv.compile(ruleFileSchema);
const actionValidators = new Map<string, ValidateFunction>(
  [...actionCatalogue.values()].map((a) => [a.name, ajv.compile(a.params)]),
);

export interface CheckContext extends OperatorContext {
  /** Report rules whose `when` is a detectable contradiction. */
  contradictions?: boolean;
}

/** A plain dotted path: segments without JSONPath syntax, separated by single dots. */
const PLAIN_PATH = /^[^.[\]*?@()$\s]+(\.[^.[\]*?@()$\s]+)*$/;

type Report = (code: ErrorCode, path: readonly PathSegment[], args: unknown[], key?: boolean) => void;

export function checkRuleFile(doc: SourceDocument, ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report: Report = (code, path, args, key) => {
    out.push(createDiagnostic(code, { file: doc.file, ...doc.locate(path, { key: key === true }) }, ...args));
  };

  if (!validateFile(doc.data)) {
    for (const err of dedupeSchemaErrors(validateFile.errors ?? [])) {
      const path = pointerToPath(err.instancePath);
      // Conditions and actions get precise messages from the walkers below.
      if (isInside(path, 'when') || isInside(path, 'then', 3)) continue;
      const extra = err.keyword === 'additionalProperties' ? (err.params as { additionalProperty: string }).additionalProperty : undefined;
      const where = extra === undefined ? path : [...path, extra];
      report('TRIAGE_RULE_SCHEMA', where, [schemaMessage(err, where)], extra !== undefined);
    }
  }

  const data = doc.data as { rules?: unknown } | null;
  const rules = data && typeof data === 'object' && Array.isArray(data.rules) ? (data.rules as unknown[]) : [];
  rules.forEach((rule, i) => {
    if (!rule || typeof rule !== 'object') return;
    const r = rule as Record<string, unknown>;
    const base: PathSegment[] = ['rules', i];
    if (Array.isArray(r.on)) {
      r.on.forEach((ev, j) => {
        if (typeof ev === 'string' && !isEventName(ev)) {
          report('TRIAGE_RULE_UNKNOWN_EVENT', [...base, 'on', j], [ev, didYouMean(ev, BASE_EVENTS)]);
        }
      });
    }
    if (r.when !== undefined) checkCondition(r.when, [...base, 'when'], ctx, report);
    if (Array.isArray(r.then)) r.then.forEach((a, j) => checkAction(a, [...base, 'then', j], report));
  });
  return out;
}

function checkCondition(node: unknown, path: PathSegment[], ctx: CheckContext, report: Report): void {
  if (!node || typeof node !== 'object' || Array.isArray(node)) {
    report('TRIAGE_RULE_SCHEMA', path, ['a condition must be an object with one of all, any, not, or fact/operator/value']);
    return;
  }
  const c = node as Record<string, unknown>;
  const kinds = ['all', 'any', 'not', 'fact'].filter((k) => k in c);
  if (kinds.length !== 1) {
    report('TRIAGE_RULE_SCHEMA', path, [
      kinds.length === 0
        ? `a condition needs one of all, any, not, or fact/operator/value (found ${Object.keys(c).join(', ') || 'nothing'})`
        : `a condition has exactly one of all, any, not, fact (found ${kinds.join(' and ')})`,
    ]);
    return;
  }
  const kind = kinds[0];
  const allowed = kind === 'fact' ? ['fact', 'path', 'operator', 'value', 'params', 'name'] : [kind ?? '', 'name'];
  for (const key of Object.keys(c)) {
    if (!allowed.includes(key)) report('TRIAGE_RULE_SCHEMA', [...path, key], [`unexpected key "${key}" in a ${kind} condition${didYouMean(key, allowed)}`], true);
  }
  if (kind === 'all' || kind === 'any') {
    const list = c[kind];
    if (!Array.isArray(list)) {
      report('TRIAGE_RULE_SCHEMA', [...path, kind], [`"${kind}" must be a list of conditions`]);
      return;
    }
    list.forEach((child, i) => checkCondition(child, [...path, kind, i], ctx, report));
    return;
  }
  if (kind === 'not') {
    checkCondition(c.not, [...path, 'not'], ctx, report);
    return;
  }
  checkFactRef(c.fact, c.path, path, 'fact', report);
  if (!('operator' in c) || typeof c.operator !== 'string') {
    report('TRIAGE_RULE_SCHEMA', path, ['a fact condition needs an "operator" (string)']);
    return;
  }
  if (!('value' in c)) {
    report('TRIAGE_RULE_SCHEMA', path, ['a fact condition needs a "value"']);
    return;
  }
  const op = operators.get(c.operator);
  if (!op) {
    report('TRIAGE_RULE_UNKNOWN_OPERATOR', [...path, 'operator'], [c.operator, didYouMean(c.operator, operators.keys())]);
    return;
  }
  const value = c.value;
  if (isFactReference(value)) {
    checkFactRef(value.fact, value.path, [...path, 'value'], 'fact', report);
    return;
  }
  const problem = op.check(value, ctx);
  if (problem) report(problem.code, [...path, 'value'], problem.args);
}

function checkFactRef(fact: unknown, factPath: unknown, path: PathSegment[], key: string, report: Report): void {
  if (typeof fact !== 'string') {
    report('TRIAGE_RULE_SCHEMA', [...path, key], ['"fact" must be a string']);
    return;
  }
  if (!(FACT_NAMES as readonly string[]).includes(fact)) {
    report('TRIAGE_RULE_UNKNOWN_FACT', [...path, key], [fact, didYouMean(fact, FACT_NAMES)]);
    return;
  }
  if (factPath === undefined) return;
  if (typeof factPath !== 'string' || factPath.length === 0) {
    report('TRIAGE_RULE_SCHEMA', [...path, 'path'], ['"path" must be a non-empty dotted path such as subject or from.domain']);
    return;
  }
  const clean = factPath.startsWith('$.') ? factPath.slice(2) : factPath;
  if (!PLAIN_PATH.test(clean)) {
    report('TRIAGE_RULE_SCHEMA', [...path, 'path'], [`"${factPath}" is not a plain dotted path (JSONPath is not supported: write a.b.0.c)`]);
    return;
  }
  const known = KNOWN_FACT_FIELDS[fact as FactName];
  const first = clean.split('.')[0] ?? '';
  if (known && !known.includes(first)) {
    report('TRIAGE_RULE_UNKNOWN_PATH', [...path, 'path'], [factPath, fact, didYouMean(first, known)]);
  }
}

export function isFactReference(value: unknown): value is { fact: string; path?: string } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return 'fact' in value && keys.every((k) => k === 'fact' || k === 'path');
}

function checkAction(action: unknown, path: PathSegment[], report: Report): void {
  if (!action || typeof action !== 'object' || Array.isArray(action)) {
    report('TRIAGE_RULE_SCHEMA', path, ['an action is an object with one key, the action type, e.g. { tag: finance }']);
    return;
  }
  const keys = Object.keys(action);
  if (keys.length !== 1) {
    report('TRIAGE_RULE_SCHEMA', path, [`an action has exactly one key, the action type (found ${keys.length === 0 ? 'none' : keys.join(', ')}); write each action as its own list item`]);
    return;
  }
  const type = keys[0] ?? '';
  const def = actionCatalogue.get(type);
  if (!def) {
    report('TRIAGE_RULE_UNKNOWN_ACTION', [...path, type], [type, didYouMean(type, actionCatalogue.keys())], true);
    return;
  }
  const params = (action as Record<string, unknown>)[type];
  const validate = actionValidators.get(type);
  if (validate && !validate(params)) {
    for (const err of dedupeSchemaErrors(validate.errors ?? [])) {
      const sub = pointerToPath(err.instancePath);
      const extra = err.keyword === 'additionalProperties' ? (err.params as { additionalProperty: string }).additionalProperty : undefined;
      const where = [...path, type, ...sub, ...(extra === undefined ? [] : [extra])];
      report('TRIAGE_RULE_BAD_ACTION_PARAMS', where, [type, schemaMessage(err, [...sub, ...(extra === undefined ? [] : [extra])], 'params')], extra !== undefined);
    }
    return;
  }
  if (params && typeof params === 'object') {
    for (const field of def.templates) {
      const t = (params as Record<string, unknown>)[field];
      if (typeof t !== 'string') continue;
      // Positions inside the template are in the message: the diagnostic points at the param's value.
      for (const problem of checkTemplate(t)) {
        report('TRIAGE_RULE_BAD_TEMPLATE', [...path, type, field], [`"${t}" ${problem.message} (template ${problem.line}:${problem.column})`]);
      }
    }
  }
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function isInside(path: readonly PathSegment[], key: string, depth = 2): boolean {
  return path.length > depth && path[0] === 'rules' && path[2] === key;
}

/** oneOf/anyOf produce an error per branch plus a summary; keep the most useful one per place. */
function dedupeSchemaErrors(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  const out: ErrorObject[] = [];
  for (const e of errors) {
    const extra = e.keyword === 'additionalProperties' ? (e.params as { additionalProperty: string }).additionalProperty : '';
    const key = `${e.instancePath}|${extra}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

function schemaMessage(err: ErrorObject, path: readonly PathSegment[], root = 'file'): string {
  const where = path.length === 0 ? root : path.join('.');
  switch (err.keyword) {
    case 'additionalProperties':
      return `unexpected key "${String(path[path.length - 1])}"`;
    case 'required':
      return `${where} needs "${(err.params as { missingProperty: string }).missingProperty}"`;
    case 'enum':
      return `${where} must be one of ${JSON.stringify((err.params as { allowedValues: unknown[] }).allowedValues)}`;
    case 'oneOf':
    case 'anyOf':
      return `${where} has the wrong shape`;
    default:
      return `${where} ${err.message ?? 'is invalid'}`;
  }
}
