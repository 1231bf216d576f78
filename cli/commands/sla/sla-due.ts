import { DateTime, Interval as LuxonInterval } from 'luxon';
import { isTriageError, TriageError } from '../../../engine/errors/triage-error.js';
import type { Calendar } from '../../../engine/sla/calendar/calendar.js';
import { computeDue, type Interval } from '../../../engine/sla/calendar/compute-due.js';
import { loadCalendarFile } from '../../../engine/sla/calendar/load-calendar-file.js';
import { parseSlaDuration } from '../../../engine/sla/policy/parse-sla-duration.js';
import { EXIT, type CliIo } from '../../cli-io.js';

export interface SlaDueOptions {
  calendar: string;
  from: string;
  target: string;
  pause: string[];
}

/** `triage sla due`: prints {"due":"<ISO-8601 UTC>"}; bad input is a coded error on stderr with exit code 2. */
export async function slaDue(opts: SlaDueOptions, io: CliIo, setExit: (code: number) => void): Promise<void> {
  try {
    const calendar = await loadCalendarFile(opts.calendar);
    const from = parseInstant(opts.from, '--from', calendar);
    const targetMs = parseSlaDuration(opts.target);
    const pauses = opts.pause.map((p) => parsePause(p, calendar));
    const due = computeDue(calendar, from, targetMs, pauses);
    io.stdout(`${JSON.stringify({ due: due.toISOString() })}\n`);
    setExit(EXIT.ok);
  } catch (e) {
    if (!isTriageError(e)) throw e;
    io.stderr(`${e.code} ${e.message}\n  hint: ${e.hint}\n`);
    setExit(EXIT.usage);
  }
}

/** An ISO-8601 instant; without an offset it is wall-clock time in the calendar's zone. */
function parseInstant(text: string, what: string, calendar: Calendar): Date {
  const dt = DateTime.fromISO(text.trim(), { zone: calendar.timezone });
  if (!dt.isValid) throw new TriageError('TRIAGE_SLA_BAD_INSTANT', [what, text, dt.invalidExplanation ?? dt.invalidReason ?? 'not ISO 8601']);
  return dt.toJSDate();
}

function parsePause(text: string, calendar: Calendar): Interval {
  const parts = text.split('/');
  if (parts.length !== 2) throw new TriageError('TRIAGE_SLA_BAD_INSTANT', ['--pause', text, 'expected START/END, two ISO-8601 instants separated by "/"']);
  // START/END, START/PT2H or PT2H/END: luxon reads all three ISO forms.
  const interval = LuxonInterval.fromISO(text.trim(), { zone: calendar.timezone });
  if (!interval.isValid || interval.start === null || interval.end === null) {
    throw new TriageError('TRIAGE_SLA_BAD_INSTANT', ['--pause', text, interval.invalidExplanation ?? interval.invalidReason ?? 'not an ISO-8601 interval; END must not be before START']);
  }
  return { start: interval.start.toJSDate(), end: interval.end.toJSDate() };
}
