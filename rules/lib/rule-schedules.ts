import { CronExpressionParser } from 'cron-parser';
import { IANAZone } from 'luxon';
import { createDiagnostic, type Diagnostic } from '../../engine/errors/diagnostic.js';
import { didYouMean } from './closest-match.js';
import type { SourceDocument } from './source-document.js';

/** Which tickets a cron schedule raises its event on; each list is "any of", lists combine with "and". */
export interface TicketSelector {
  status?: readonly string[];
  category?: readonly string[];
  priority?: readonly string[];
  team?: readonly string[];
  queue?: readonly string[];
  channel?: readonly string[];
  /** The ticket has at least one of these tags. */
  tags?: readonly string[];
}

/** A `schedules:` entry: at each cron tick, `schedule.<name>` is raised on each selected ticket. */
export interface RuleSchedule {
  name: string;
  cron: string;
  /** IANA zone the cron fields are read in (default UTC). */
  timezone: string;
  tickets: TicketSelector;
  /** Where it is defined, for messages. */
  file: string;
  line: number;
}

const SELECTOR_KEYS = ['status', 'category', 'priority', 'team', 'queue', 'channel', 'tags'] as const;

/**
 * The schedules of a rule set, with their problems: a cron expression that
 * does not parse, an unknown time zone, a name defined twice. The shape itself
 * is checked by the rule-file schema.
 */
export function collectSchedules(docs: readonly SourceDocument[]): { schedules: RuleSchedule[]; names: Set<string>; diagnostics: Diagnostic[] } {
  const schedules: RuleSchedule[] = [];
  const diagnostics: Diagnostic[] = [];
  const origin = new Map<string, string>();
  for (const doc of docs) {
    const data = doc.data as { schedules?: unknown } | null;
    const list = data && typeof data === 'object' && Array.isArray(data.schedules) ? (data.schedules as unknown[]) : [];
    list.forEach((raw, i) => {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return;
      const s = raw as Record<string, unknown>;
      if (typeof s.name !== 'string' || typeof s.cron !== 'string') return;
      const at = (key: string): { file: string; line: number; column: number } => ({ file: doc.file, ...doc.locate(['schedules', i, key]) });
      const first = origin.get(s.name);
      if (first !== undefined) {
        diagnostics.push(createDiagnostic('TRIAGE_SCHEDULE_DUPLICATE', at('name'), s.name, first));
        return;
      }
      const nameAt = at('name');
      origin.set(s.name, `${doc.file}:${nameAt.line}:${nameAt.column}`);
      const timezone = typeof s.timezone === 'string' ? s.timezone : 'UTC';
      let ok = true;
      if (!IANAZone.isValidZone(timezone)) {
        diagnostics.push(createDiagnostic('TRIAGE_SCHEDULE_BAD_TIMEZONE', at('timezone'), s.name, timezone));
        ok = false;
      }
      const cronProblem = checkCron(s.cron);
      if (cronProblem !== undefined) {
        diagnostics.push(createDiagnostic('TRIAGE_SCHEDULE_BAD_CRON', at('cron'), s.name, s.cron, cronProblem));
        ok = false;
      }
      if (ok) schedules.push({ name: s.name, cron: s.cron, timezone, tickets: selectorOf(s.tickets), file: doc.file, line: nameAt.line });
    });
  }
  // Names include schedules with errors: their listeners are not "unknown" on top of the cron error.
  return { schedules, names: new Set(origin.keys()), diagnostics };
}

/**
 * Every `on: [schedule.<name>]` must name an event something raises: a
 * schedule of the rule set or a followUp action with that name. Otherwise the
 * rule silently never fires (a typo in a name is the usual cause).
 */
export function checkScheduleEvents(docs: readonly SourceDocument[], scheduleNames: ReadonlySet<string>): Diagnostic[] {
  const raised = new Set<string>(scheduleNames);
  for (const doc of docs) for (const rule of rulesOf(doc)) for (const name of followUpNames(rule)) raised.add(name);
  const out: Diagnostic[] = [];
  for (const doc of docs) {
    rulesOf(doc).forEach((rule, i) => {
      if (!Array.isArray(rule.on)) return;
      rule.on.forEach((ev, j) => {
        if (typeof ev !== 'string' || !ev.startsWith('schedule.')) return;
        const name = ev.slice('schedule.'.length);
        if (raised.has(name)) return;
        out.push(createDiagnostic('TRIAGE_SCHEDULE_UNKNOWN_EVENT', { file: doc.file, ...doc.locate(['rules', i, 'on', j]) }, ev, name, didYouMean(name, raised)));
      });
    });
  }
  return out;
}

/** The previous tick at or before `now` (cron-parser's prev() is strictly before, so ask from 1 ms later). */
export function previousTick(schedule: Pick<RuleSchedule, 'cron' | 'timezone'>, now: Date): Date {
  const it = CronExpressionParser.parse(schedule.cron, { currentDate: new Date(now.getTime() + 1), tz: schedule.timezone });
  return it.prev().toDate();
}

function checkCron(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  // Five fields only: a sixth (seconds) field would tick faster than the sweeper runs.
  if (fields.length !== 5) return `expected 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`;
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' }).next();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function selectorOf(raw: unknown): TicketSelector {
  const out: TicketSelector = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const key of SELECTOR_KEYS) {
    const v = (raw as Record<string, unknown>)[key];
    if (Array.isArray(v)) out[key] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

function rulesOf(doc: SourceDocument): Record<string, unknown>[] {
  const data = doc.data as { rules?: unknown } | null;
  const list = data && typeof data === 'object' && Array.isArray(data.rules) ? (data.rules as unknown[]) : [];
  return list.map((r) => (r && typeof r === 'object' && !Array.isArray(r) ? (r as Record<string, unknown>) : {}));
}

function followUpNames(rule: Record<string, unknown>): string[] {
  if (!Array.isArray(rule.then)) return [];
  return rule.then.flatMap((a: unknown) => {
    const params = a && typeof a === 'object' ? (a as Record<string, unknown>).followUp : undefined;
    const name = params && typeof params === 'object' ? (params as Record<string, unknown>).name : undefined;
    return typeof name === 'string' ? [name] : [];
  });
}
