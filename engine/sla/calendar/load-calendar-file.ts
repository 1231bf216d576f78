import { readFile } from 'node:fs/promises';
import { parseSourceDocument } from '../../../rules/lib/source-document.js';
import { TriageError } from '../../errors/triage-error.js';
import { parseCalendar, type Calendar } from './calendar.js';

/**
 * Read a calendar file (YAML, or JSON when it ends in .json), validate it
 * against schemas/sla-calendar.schema.json and build the Calendar, named
 * after the file's base name. Every problem names file:line:col
 * (TRIAGE_SLA_CALENDAR_INVALID).
 */
export async function loadCalendarFile(file: string, options: { name?: string } = {}): Promise<Calendar> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new TriageError('TRIAGE_SLA_CALENDAR_INVALID', [file, `cannot read it: ${e instanceof Error ? e.message : String(e)}`], { cause: e });
  }
  const parsed = parseSourceDocument(file, text);
  if (!parsed.ok) {
    const text = parsed.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`).join('; ');
    throw new TriageError('TRIAGE_SLA_CALENDAR_INVALID', [file, text], { details: parsed.diagnostics });
  }
  const doc = parsed.document;
  return parseCalendar(doc.data ?? null, file, { ...options, locate: (path) => doc.locate(path) });
}
