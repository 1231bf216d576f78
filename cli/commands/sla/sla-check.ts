import { isTriageError } from '../../../engine/errors/triage-error.js';
import { loadSlaPolicy } from '../../../engine/sla/policy/load-sla-policy.js';
import type { SlaPolicy } from '../../../engine/sla/policy/sla-policy.js';
import { EXIT, type CliIo } from '../../cli-io.js';

interface PolicyRow {
  priority: string;
  contract: string | null;
  targets: { metric: string; target: string; targetMs: number; calendar: string }[];
}

/** `triage sla check`: load a policy as the server does; print its targets, or one problem per line and exit 1. */
export async function slaCheck(policyFile: string, opts: { json?: boolean }, io: CliIo, setExit: (code: number) => void): Promise<void> {
  let policy: SlaPolicy;
  try {
    policy = await loadSlaPolicy(policyFile);
  } catch (e) {
    if (!isTriageError(e)) throw e;
    const problems = Array.isArray(e.details) ? e.details.map(String) : [e.message];
    if (opts.json === true) io.stdout(`${JSON.stringify({ ok: false, code: e.code, errors: problems }, null, 2)}\n`);
    else for (const p of problems) io.stdout(`${p}\n`);
    io.stderr(`${e.code}: ${problems.length} error(s)\n`);
    setExit(EXIT.failed);
    return;
  }
  const table = policyTable(policy);
  if (opts.json === true) {
    io.stdout(`${JSON.stringify({ ok: true, file: policyFile, thresholds: policy.thresholds, businessDayMs: policy.businessDayMs, calendars: [...policy.calendars.keys()], targets: table }, null, 2)}\n`);
  } else {
    io.stdout(`ok: ${policyFile}: ${policy.calendars.size} calendars (${[...policy.calendars.keys()].join(', ')}), thresholds ${policy.thresholds.join('/')} %, business day ${policy.businessDayMs / 60_000} min\n`);
    for (const row of table) {
      const who = row.contract === null ? row.priority : `${row.priority} ${row.contract}`;
      io.stdout(`${who.padEnd(8)} ${row.targets.map((t) => `${t.metric} ${t.target} (${t.calendar})`).join('  ')}\n`);
    }
  }
  setExit(EXIT.ok);
}

/** The targets of each priority the policy lists, then with each contract level's overrides. */
function policyTable(policy: SlaPolicy): PolicyRow[] {
  const rows: PolicyRow[] = [];
  for (const contract of [null, ...policy.contractLevels]) {
    for (const priority of policy.priorities) {
      const targets = policy.targetsFor({ priority: priority === 'default' ? null : priority, contract });
      rows.push({ priority, contract, targets: targets.map((t) => ({ metric: t.metric, target: t.text, targetMs: t.targetMs, calendar: t.calendar.name })) });
    }
  }
  return rows;
}
