import { join } from 'node:path';
import type { Command } from 'commander';
import type { CliIo } from '../../cli-io.js';
import { defaultRulesDir } from '../../read-input.js';
import type { SlaDueOptions } from './sla-due.js';

/**
 * `triage sla due` and `triage sla check` (docs/sla.md). The `due` output,
 * {"due":"<ISO-8601 UTC>"}, is a contract external acceptance tests rely on.
 * The commands load their modules on use, so the other commands do not pay
 * for luxon, the calendar schema and the holiday data at start-up.
 */
export function registerSla(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const sla = program.command('sla').description('SLA calendars, due times and policies (docs/sla.md)');
  sla
    .command('due')
    .description('Print {"due":"<ISO-8601 UTC>"}: the instant a target of open time is reached on a calendar')
    .requiredOption('--calendar <file>', 'calendar file (YAML or JSON, schemas/sla-calendar.schema.json)')
    .requiredOption('--from <iso>', 'start instant, ISO 8601 (e.g. 2026-12-01T08:00:00Z); without an offset it is local time of the calendar')
    .requiredOption('--target <duration>', 'open time to reach: whole minutes or hours, e.g. 30m or 4h')
    .option('--pause <start/end>', 'stop the clock during [start, end) (ISO 8601 interval); repeatable', (value: string, all: string[]) => [...all, value], [])
    .action(async (opts: SlaDueOptions) => {
      const { slaDue } = await import('./sla-due.js');
      await slaDue(opts, io, setExit);
    });

  sla
    .command('check')
    .description('Validate an SLA policy and its calendars (for CI); prints the targets per priority, or one "file:line:col path message" line per problem (exit 1)')
    .argument('[policy]', 'policy file (default: $TRIAGE_SLA_POLICY, else <$TRIAGE_RULES or rules/default>/sla/policy.yaml)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string | undefined, opts: { json?: boolean }) => {
      const { slaCheck } = await import('./sla-check.js');
      await slaCheck(file ?? io.env.TRIAGE_SLA_POLICY ?? join(defaultRulesDir(io), 'sla', 'policy.yaml'), opts, io, setExit);
    });
}
