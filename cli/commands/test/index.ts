import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { formatDiagnostic } from '../../../engine/errors/diagnostic.js';
import { loadRuleSet } from '../../../rules/lib/load-rule-set.js';
import { findRuleTestFiles, runRuleTests } from '../../../rules/lib/run-rule-tests.js';
import { setTemplateLogger, type TemplateLogEntry } from '../../../rules/lib/render-template.js';
import { EXIT, type CliIo } from '../../cli-io.js';
import { defaultRulesDir } from '../../read-input.js';
import { junitReport } from './junit-report.js';

interface TestOptions {
  reporter: 'text' | 'junit';
  output?: string;
  coverage?: boolean;
  minCoverage?: number;
  templateWarnings?: boolean;
}

export function registerTest(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('test')
    .description('Run rule tests (*.test.yaml beside or below the rules); ends with "N passed, M failed"')
    .argument('[dir]', 'rule directory (default: $TRIAGE_RULES or rules/default)')
    .option('--reporter <name>', 'text or junit', parseReporter, 'text')
    .option('--output <file>', 'write the report (junit) to a file instead of standard output')
    .option('--coverage', 'list rules that no test case fired')
    .option('--min-coverage <percent>', 'fail when rule coverage is below this percentage (implies --coverage)', parsePercent)
    .option('--template-warnings', 'list every template value missing in a test case (otherwise only counted)')
    .action(async (dir: string | undefined, opts: TestOptions) => {
      const rulesDir = dir ?? defaultRulesDir(io);
      const loaded = await loadRuleSet(rulesDir);
      if (!loaded.ok) {
        for (const d of loaded.diagnostics) io.stdout(`${formatDiagnostic(d)}\n`);
        io.stdout(`0 passed, 0 failed\n`);
        setExit(EXIT.failed);
        return;
      }
      const files = await findRuleTestFiles([rulesDir]);
      // Fixtures often leave out values a template uses (a ticket number, say): worth knowing, not worth a screenful.
      const warnings: TemplateLogEntry[] = [];
      setTemplateLogger((entry) => warnings.push(entry));
      let report;
      try {
        report = await runRuleTests(loaded.ruleSet, files);
      } finally {
        setTemplateLogger(undefined);
      }
      const lines: string[] = [];
      for (const d of report.diagnostics) lines.push(formatDiagnostic(d));
      for (const r of report.results) {
        if (r.passed) continue;
        lines.push(`✗ ${r.file}:${r.line} ${r.name}`);
        for (const f of r.failures) lines.push(`    ${f}`);
      }
      if (files.length === 0) lines.push(`no rule test files (*.test.yaml) found under ${rulesDir}`);
      const wantCoverage = opts.coverage === true || opts.minCoverage !== undefined;
      const c = report.coverage;
      let coverageFailed = false;
      if (wantCoverage) {
        lines.push(`rule coverage: ${c.covered.length}/${c.rules} rules fired (${c.percent}%)`);
        for (const id of c.uncovered) lines.push(`  not fired by any case: ${id}`);
        if (opts.minCoverage !== undefined && c.percent < opts.minCoverage) {
          coverageFailed = true;
          lines.push(`rule coverage ${c.percent}% is below --min-coverage ${opts.minCoverage}%`);
        }
      }
      if (warnings.length > 0) {
        if (opts.templateWarnings === true) for (const w of warnings) lines.push(`template ${w.level}: ${w.message}`);
        else lines.push(`${warnings.length} template warning(s): values missing in test cases render empty (--template-warnings lists them)`);
      }
      lines.push(`${report.passed} passed, ${report.failed} failed`);
      if (opts.reporter === 'junit') {
        const xml = junitReport(report);
        if (opts.output !== undefined) {
          await writeFile(opts.output, xml);
          io.stdout(`${lines.join('\n')}\n`);
        } else io.stdout(xml);
      } else {
        if (opts.output !== undefined) await writeFile(opts.output, `${lines.join('\n')}\n`);
        io.stdout(`${lines.join('\n')}\n`);
      }
      const ok = report.failed === 0 && report.diagnostics.length === 0 && files.length > 0 && !coverageFailed;
      setExit(ok ? EXIT.ok : EXIT.failed);
    });
}

function parseReporter(v: string): 'text' | 'junit' {
  if (v !== 'text' && v !== 'junit') throw new InvalidArgumentError('use text or junit');
  return v;
}

function parsePercent(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError('a number from 0 to 100');
  return n;
}
