import type { RuleTestReport } from '../../../rules/lib/run-rule-tests.js';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JUnit XML, one testsuite per rule test file, as CI systems (GitLab, GitHub, Jenkins) read it. */
export function junitReport(report: RuleTestReport): string {
  const byFile = new Map<string, RuleTestReport['results']>();
  for (const r of report.results) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const suites = [...byFile].map(([file, results]) => {
    const cases = results.map((r) => {
      const body = r.passed ? '' : `<failure message="${esc(r.failures[0] ?? 'failed')}">${esc(r.failures.join('\n'))}</failure>`;
      return `    <testcase classname="${esc(file)}" name="${esc(r.name)}" file="${esc(file)}" line="${r.line}">${body}</testcase>`;
    });
    const failures = results.filter((r) => !r.passed).length;
    return `  <testsuite name="${esc(file)}" tests="${results.length}" failures="${failures}" errors="0">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const errors = report.diagnostics.map(
    (d) => `  <testsuite name="${esc(d.file)}" tests="1" failures="0" errors="1">\n    <testcase classname="${esc(d.file)}" name="load"><error message="${esc(d.code)}">${esc(`${d.file}:${d.line}:${d.column} ${d.message}`)}</error></testcase>\n  </testsuite>`,
  );
  const total = report.results.length + report.diagnostics.length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="triage rule tests" tests="${total}" failures="${report.failed}" errors="${report.diagnostics.length}">\n${[...suites, ...errors].join('\n')}\n</testsuites>\n`;
}
