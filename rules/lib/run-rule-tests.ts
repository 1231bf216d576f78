import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import testFileSchema from '../../schemas/rule-test-file.schema.json' with { type: 'json' };
import { createDiagnostic, type Diagnostic } from '../../engine/errors/diagnostic.js';
import { evaluate } from './evaluate.js';
import type { RuleSet } from './rule-set.js';
import type { Decision } from './rule-types.js';
import type { RuleTestCase, RuleTestExpectation } from '../../schemas/types/rule-test-file.js';
import { parseSourceDocument } from './source-document.js';

/** The clock rule tests run at unless a case sets `now`, so results never depend on the day CI runs. */
export const DEFAULT_TEST_NOW = '2026-01-05T10:00:00.000Z';

const ajv = new Ajv({ allErrors: true, strict: false });
// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
addFormats(ajv);
const validateTestFile: ValidateFunction = ajv.compile(testFileSchema);

export interface RuleTestResult {
  file: string;
  line: number;
  name: string;
  passed: boolean;
  /** One line per unmet expectation: `expected …, got …`. */
  failures: string[];
  fired: string[];
  decision: Decision;
}

export interface RuleTestReport {
  results: RuleTestResult[];
  passed: number;
  failed: number;
  diagnostics: Diagnostic[];
  coverage: { rules: number; covered: string[]; uncovered: string[]; percent: number };
}

const TEST_FILE = /\.test\.(ya?ml|json)$/i;

/** Every rule test file under the given directories (recursively) or the files themselves. */
export async function findRuleTestFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (TEST_FILE.test(e.name)) out.push(p);
    }
  }
  for (const p of paths) {
    if (TEST_FILE.test(p)) out.push(p);
    else await walk(p);
  }
  return out;
}

export async function runRuleTests(ruleSet: RuleSet, testFiles: readonly string[]): Promise<RuleTestReport> {
  const results: RuleTestResult[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of testFiles) {
    const parsed = parseSourceDocument(file, await readFile(file, 'utf8'));
    if (!parsed.ok) {
      diagnostics.push(...parsed.diagnostics);
      continue;
    }
    const doc = parsed.document;
    if (!validateTestFile(doc.data)) {
      for (const err of validateTestFile.errors ?? []) {
        const path = err.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
        diagnostics.push(createDiagnostic('TRIAGE_TEST_FILE_INVALID', { file, ...doc.locate(path) }, `${err.instancePath || 'file'} ${err.message ?? 'is invalid'}`));
      }
      continue;
    }
    const cases = (doc.data as { cases: RuleTestCase[] }).cases;
    for (const [i, c] of cases.entries()) {
      const at = doc.locate(['cases', i]);
      try {
        const decision = await evaluate(ruleSet, {
          event: c.event ?? 'ticket.created',
          ticket: c.ticket,
          ...(c.message === undefined ? {} : { message: c.message }),
          ...(c.customer === undefined ? {} : { customer: c.customer }),
          ...(c.sla === undefined ? {} : { sla: c.sla }),
          ...(c.order === undefined ? {} : { order: c.order }),
          now: c.now ?? DEFAULT_TEST_NOW,
        });
        const failures = checkExpectation(c.expect, decision);
        results.push({ file, line: at.line, name: c.name, passed: failures.length === 0, failures, fired: decision.firedRules, decision });
      } catch (e) {
        diagnostics.push(createDiagnostic('TRIAGE_TEST_FILE_INVALID', { file, ...at }, `case "${c.name}": ${e instanceof Error ? e.message : String(e)}`));
      }
    }
  }
  const enabled = ruleSet.rules.filter((r) => r.enabled).map((r) => r.id);
  const firedAnywhere = new Set(results.flatMap((r) => r.fired));
  const covered = enabled.filter((id) => firedAnywhere.has(id));
  return {
    results,
    passed: results.filter((r) => r.passed).length,
    failed: results.filter((r) => !r.passed).length,
    diagnostics,
    coverage: {
      rules: enabled.length,
      covered,
      uncovered: enabled.filter((id) => !firedAnywhere.has(id)),
      percent: enabled.length === 0 ? 100 : Math.round((covered.length / enabled.length) * 1000) / 10,
    },
  };
}

export function checkExpectation(expect: RuleTestExpectation, d: Decision): string[] {
  const f: string[] = [];
  const show = (v: unknown): string => (v === undefined ? '(not set)' : JSON.stringify(v));
  for (const [field, want] of Object.entries(expect.fields ?? {})) {
    const got = (d.changes as Record<string, unknown>)[field];
    if (want === null ? got !== undefined : !isDeepStrictEqual(got, want)) f.push(`fields.${field}: expected ${want === null ? '(not set)' : show(want)}, got ${show(got)}`);
  }
  for (const [field, want] of Object.entries(expect.suggested ?? {})) {
    const got = (d.suggested as Record<string, unknown>)[field];
    if (want === null ? got !== undefined : !isDeepStrictEqual(got, want)) f.push(`suggested.${field}: expected ${want === null ? '(not set)' : show(want)}, got ${show(got)}`);
  }
  for (const tag of expect.tags ?? []) if (!d.tags.added.includes(tag)) f.push(`tags: expected "${tag}" to be added, got ${show(d.tags.added)}`);
  for (const tag of expect.notTags ?? []) if (d.tags.added.includes(tag)) f.push(`tags: expected "${tag}" not to be added, got ${show(d.tags.added)}`);
  for (const want of expect.actions ?? []) {
    const match = d.actions.some(
      (a) => a.type === want.type && (want.ruleId === undefined || a.ruleId === want.ruleId) && isSubset(want.params ?? {}, a.params),
    );
    if (!match) f.push(`actions: expected ${show(want)}, got ${show(d.actions.map((a) => ({ type: a.type, params: a.params, ruleId: a.ruleId })))}`);
  }
  if (expect.noActions === true && d.actions.length > 0) f.push(`actions: expected none, got ${show(d.actions.map((a) => a.type))}`);
  if (expect.review !== undefined && d.review !== expect.review) f.push(`review: expected ${expect.review}, got ${d.review}`);
  for (const id of expect.fired ?? []) if (!d.firedRules.includes(id)) f.push(`fired: expected rule "${id}" to fire, fired ${show(d.firedRules)}`);
  for (const id of expect.notFired ?? []) if (d.firedRules.includes(id)) f.push(`notFired: expected rule "${id}" not to fire, fired ${show(d.firedRules)}`);
  return f;
}

function isSubset(want: unknown, got: unknown): boolean {
  if (want === null || typeof want !== 'object') return isDeepStrictEqual(want, got);
  if (got === null || typeof got !== 'object') return false;
  if (Array.isArray(want)) return isDeepStrictEqual(want, got);
  return Object.entries(want).every(([k, v]) => isSubset(v, (got as Record<string, unknown>)[k]));
}
