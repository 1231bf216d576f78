import type { Command } from 'commander';
import { formatDiagnostic } from '../../../engine/errors/diagnostic.js';
import { loadRuleSet } from '../../../rules/lib/load-rule-set.js';
import { EXIT, type CliIo } from '../../cli-io.js';
import { defaultRulesDir } from '../../read-input.js';

export function registerValidate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('Validate rule files; prints one "file:line:col CODE message" line per error')
    .argument('[paths...]', 'rule directories or files (default: $TRIAGE_RULES or rules/default)')
    .option('--json', 'print the result as JSON')
    .action(async (paths: string[], opts: { json?: boolean }) => {
      const targets = paths.length > 0 ? paths : [defaultRulesDir(io)];
      const result = await loadRuleSet(targets);
      if (opts.json === true) {
        io.stdout(`${JSON.stringify(result.ok ? { ok: true, version: result.ruleSet.version, rules: result.ruleSet.rules.length, files: result.ruleSet.files.map((f) => f.path) } : { ok: false, errors: result.diagnostics }, null, 2)}\n`);
      } else if (result.ok) {
        const rs = result.ruleSet;
        io.stdout(`ok: ${rs.rules.length} rules in ${rs.files.length} files, rule set version ${rs.version}\n`);
      } else {
        for (const d of result.diagnostics) io.stdout(`${formatDiagnostic(d)}\n`);
        io.stderr(`${result.diagnostics.length} error(s)\n`);
      }
      setExit(result.ok ? EXIT.ok : EXIT.failed);
    });
}
