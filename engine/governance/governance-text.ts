import type { CorrectionsReport } from './correction-stats.js';
import type { DeadRulesReport } from './dead-rules.js';
import { REPLAY_FIELDS, type ReplayReport } from './replay.js';
import type { RuleStatsReport } from './rule-stats.js';

/** Plain-text tables and markdown for the governance reports (the CLI prints these; JSON is the report itself). */
export function textTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`;
  return [head, ...rows].map(line).join('');
}

const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const short = (version: string): string => version.slice(0, 12);

export function ruleStatsText(r: RuleStatsReport): string {
  const head = `Rule hits since ${r.since} (${r.decisions} decisions; active rule set ${short(r.activeVersion)})\n`;
  if (r.rules.length === 0) return `${head}No rules.\n`;
  return (
    head +
    textTable(
      ['RULE', 'VERSION', 'EVALUATED', 'FIRED', 'RATE', 'ACTIONS OK', 'FAILED', 'PENDING', 'DROPPED'],
      r.rules.map((s) => [
        s.active ? s.ruleId : `${s.ruleId} (not active)`,
        short(s.ruleSetVersion),
        s.evaluated === null ? '-' : String(s.evaluated),
        String(s.fired),
        pct(s.fireRate),
        String(s.actions.succeeded),
        String(s.actions.failed),
        String(s.actions.pending),
        String(s.actions.dropped),
      ]),
    )
  );
}

const REASON_TEXT = {
  'never-fired': 'never fired',
  'no-events': 'none of its events happened',
  'unreachable-after-stop': 'never reached: an earlier rule stopped every time',
  overridden: 'its set is always overridden by a later rule',
} as const;

export function deadRulesText(r: DeadRulesReport): string {
  const head = `Dead and shadowed rules since ${r.since} (${r.decisions} decisions; active rule set ${short(r.activeVersion)})\n`;
  if (r.rules.length === 0) return `${head}None: every rule fired and its changes stood at least once.\n`;
  return (
    head +
    textTable(
      ['RULE', 'WHERE', 'EVALUATED', 'FIRED', 'WHY'],
      r.rules.map((d) => {
        let why: string = REASON_TEXT[d.reason];
        if (d.reason === 'overridden') why += ` (${d.fields.join(', ')} by ${d.by.join(', ')}${d.hasOtherEffects ? '; its tags/actions still count' : ''})`;
        if (d.reason === 'unreachable-after-stop') why += ` (${d.by.join(', ')})`;
        return [d.ruleId, `${d.file}:${d.line}`, String(d.evaluated), String(d.fired), why];
      }),
    )
  );
}

export function correctionsText(r: CorrectionsReport): string {
  const head = `Corrections since ${r.since}: ${r.correctedTickets} of ${r.tickets} decided tickets corrected by hand (${pct(r.share)})\n`;
  const rows = r.rules.filter((c) => c.corrected > 0);
  if (rows.length === 0) return `${head}No rule decision was corrected.\n`;
  return (
    head +
    textTable(
      ['RULE', 'FIELD', 'DECIDED', 'CORRECTED', 'SHARE', 'MOST COMMON', 'EXAMPLES'],
      rows.map((c) => [c.ruleId, c.field, String(c.decided), String(c.corrected), pct(c.share), c.top.map((t) => `${t.from ?? '-'} → ${t.to ?? '-'} ×${t.count}`).join('; '), c.examples.join(' ')]),
    )
  );
}

export function replayText(r: ReplayReport): string {
  const lines = [
    `Replayed ${r.replayed} tickets${r.since === null ? '' : ` created since ${r.since}`}: ${short(r.baseVersion)} (active) → ${short(r.candidateVersion)} (changed)`,
    `${r.changedTickets} ticket(s) would be decided differently.`,
    `Baseline reproduces the stored decision for ${r.reproduction.matched} of ${r.reproduction.compared} tickets decided by the active version.`,
    '',
  ];
  let out = `${lines.join('\n')}\n`;
  out += textTable(
    ['FIELD', 'CHANGED', 'MOST COMMON'],
    REPLAY_FIELDS.map((f) => [f, String(r.fields[f].changed), r.fields[f].transitions.map((t) => `${t.from} → ${t.to} ×${t.count}`).join('; ') || '-']),
  );
  const examples = REPLAY_FIELDS.flatMap((f) => r.fields[f].examples.map((e) => [e.ticket, f, e.from, e.to]));
  if (examples.length > 0) out += `\n${textTable(['TICKET', 'FIELD', 'ACTIVE', 'CHANGED'], examples)}`;
  return out;
}

/** A pull-request comment: a summary line, the per-field counts, then examples in a collapsed block. */
export function replayMarkdown(r: ReplayReport): string {
  const cell = (s: string): string => `\`${s.replaceAll('|', '\\|').replaceAll('`', "'")}\``;
  let md = `### Rule replay: ${r.changedTickets} of ${r.replayed} tickets would change\n\n`;
  md += `Active rule set \`${short(r.baseVersion)}\` → changed \`${short(r.candidateVersion)}\`${r.since === null ? '' : `, tickets created since ${r.since}`}. `;
  md += `The active set reproduces ${r.reproduction.matched} of ${r.reproduction.compared} stored decisions of its version.\n\n`;
  md += '| field | changed | most common |\n| --- | ---: | --- |\n';
  for (const f of REPLAY_FIELDS) md += `| ${f} | ${r.fields[f].changed} | ${r.fields[f].transitions.map((t) => `${cell(t.from)} → ${cell(t.to)} ×${t.count}`).join('<br>') || '–'} |\n`;
  const examples = REPLAY_FIELDS.flatMap((f) => r.fields[f].examples.map((e) => ({ ...e, field: f })));
  if (examples.length > 0) {
    md += '\n<details><summary>Example tickets</summary>\n\n| ticket | field | active | changed |\n| --- | --- | --- | --- |\n';
    for (const e of examples) md += `| ${e.ticket} | ${e.field} | ${cell(e.from)} | ${cell(e.to)} |\n`;
    md += '\n</details>\n';
  }
  return md;
}
