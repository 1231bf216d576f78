import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Ajv } from 'ajv';
import policySchema from '../../../schemas/sla-policy.schema.json' with { type: 'json' };
import type { SlaPolicyFile, SlaPriorityTargets, SlaTargetSpec } from '../../../schemas/types/sla-policy.js';
import { parseSourceDocument, type PathSegment, type SourceDocument } from '../../../rules/lib/source-document.js';
import { isTriageError, TriageError } from '../../errors/triage-error.js';
import { parseCalendar, type Calendar } from '../calendar/calendar.js';
import { loadCalendarFile } from '../calendar/load-calendar-file.js';
import { DEFAULT_BUSINESS_DAY_MS, parseSlaDuration } from './parse-sla-duration.js';
import { createSlaPolicy, SLA_METRICS, type PriorityTargets, type SlaPolicy } from './sla-policy.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile<SlaPolicyFile>(policySchema);
export const DEFAULT_THRESHOLDS: readonly number[] = [50, 75, 80, 100];

/**
 * Load an SLA policy file (YAML or JSON): schema, then calendars (files
 * relative to the policy, or inline), durations and calendar references.
 * All problems are reported together in one TRIAGE_SLA_POLICY_INVALID, each
 * as file:line:col path message; `details` lists them.
 */
export async function loadSlaPolicy(file: string): Promise<SlaPolicy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new TriageError('TRIAGE_SLA_POLICY_INVALID', [file, `cannot read it: ${e instanceof Error ? e.message : String(e)}`], { cause: e });
  }
  const parsed = parseSourceDocument(file, text);
  if (!parsed.ok) {
    const problems = parsed.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`);
    throw new TriageError('TRIAGE_SLA_POLICY_INVALID', [file, problems.join('; ')], { details: problems });
  }
  return buildPolicy(parsed.document);
}

async function buildPolicy(doc: SourceDocument): Promise<SlaPolicy> {
  const file = doc.file;
  const problems: string[] = [];
  const report = (path: readonly PathSegment[], message: string, key = false): void => {
    const at = doc.locate(path, { key });
    problems.push(`${file}:${at.line}:${at.column} ${path.length > 0 ? path.join('.') : '(root)'} ${message}`);
  };
  const fail = (): never => {
    throw new TriageError('TRIAGE_SLA_POLICY_INVALID', [file, problems.join('; ')], { details: problems });
  };

  const data = doc.data ?? null;
  if (!validate(data)) {
    for (const err of validate.errors ?? []) {
      // propertyNames yields the real complaint (with err.propertyName) plus a generic "property name must be valid": keep the first.
      if (err.keyword === 'propertyNames') continue;
      const path: PathSegment[] = err.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      if (err.propertyName !== undefined) {
        report([...path, err.propertyName], `key "${err.propertyName}" ${err.message ?? 'is invalid'}`, true);
        continue;
      }
      const extra = err.keyword === 'additionalProperties' ? ` "${(err.params as { additionalProperty: string }).additionalProperty}"` : '';
      report(path, `${err.message ?? 'is invalid'}${extra}`);
    }
    fail();
  }
  const policy = data as SlaPolicyFile;

  let businessDayMs = DEFAULT_BUSINESS_DAY_MS;
  if (policy.businessDay !== undefined) {
    try {
      businessDayMs = parseSlaDuration(policy.businessDay);
      if (businessDayMs === 0) report(['businessDay'], 'must be longer than 0');
    } catch (e) {
      report(['businessDay'], errorText(e));
    }
  }

  const thresholds = policy.thresholds ?? DEFAULT_THRESHOLDS;
  thresholds.forEach((t, i) => {
    const prev = thresholds[i - 1];
    if (prev !== undefined && t <= prev) report(['thresholds', i], `${t} must be greater than ${prev} (ascending, no duplicates)`);
  });

  const calendars = new Map<string, Calendar>();
  for (const [name, spec] of Object.entries(policy.calendars)) {
    const path = ['calendars', name];
    try {
      if (typeof spec === 'string') {
        const calendarFile = isAbsolute(spec) ? spec : resolve(dirname(file), spec);
        calendars.set(name, await loadCalendarFile(calendarFile, { name }));
      } else {
        calendars.set(name, parseCalendar(spec, `${file}#calendars.${name}`, { name, file, locate: (p) => doc.locate([...path, ...p]) }));
      }
    } catch (e) {
      report(path, errorText(e));
    }
  }

  const resolveTable = (table: Record<string, SlaPriorityTargets>, base: readonly PathSegment[], inherit?: Record<string, SlaPriorityTargets>): Map<string, PriorityTargets> => {
    const out = new Map<string, PriorityTargets>();
    for (const [priority, entry] of Object.entries(table)) {
      const resolved: PriorityTargets = {};
      for (const metric of SLA_METRICS) {
        const spec: SlaTargetSpec | undefined = entry[metric];
        if (spec === undefined) continue;
        const path = [...base, priority, metric];
        const targetText = typeof spec === 'string' ? spec : spec.target;
        // Calendar: the metric's own, else its priority entry's, else (for contract overrides) the base priority's.
        const calendarName = (typeof spec === 'string' ? undefined : spec.calendar) ?? entry.calendar ?? inherit?.[priority]?.calendar ?? inherit?.default?.calendar;
        if (calendarName === undefined) {
          report(path, `names no calendar: write { target: ${targetText}, calendar: <name> } or give ${priority} a calendar`);
          continue;
        }
        const calendar = calendars.get(calendarName);
        if (calendar === undefined) {
          if (!(calendarName in policy.calendars)) report(path, `unknown calendar "${calendarName}" (calendars: ${Object.keys(policy.calendars).join(', ')})`);
          continue;
        }
        try {
          resolved[metric] = { metric, targetMs: parseSlaDuration(targetText, { businessDayMs }), calendar, text: targetText };
        } catch (e) {
          report(path, errorText(e));
        }
      }
      out.set(priority, resolved);
    }
    return out;
  };

  const targets = resolveTable(policy.targets, ['targets']);
  const contracts = new Map<string, Map<string, PriorityTargets>>();
  for (const [level, table] of Object.entries(policy.contracts ?? {})) {
    contracts.set(level, resolveTable(table, ['contracts', level], policy.targets));
  }
  if (problems.length > 0) fail();
  return createSlaPolicy({ source: file, thresholds, businessDayMs, calendars, targets, contracts });
}

function errorText(e: unknown): string {
  if (isTriageError(e)) return `${e.code} ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}
