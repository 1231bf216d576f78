import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../engine/runtime/package-root.js';

const run = promisify(execFile);
const root = packageRoot();
const bin = join(root, 'dist', 'cli', 'bin.js');

async function triage(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = run(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

// The real installed command (npm ci builds dist/ in `prepare` and links bin/triage), as a process owner runs it.
describe('the triage command (built, as installed)', () => {
  it('is built by npm ci and runs as npx triage', async () => {
    expect(existsSync(bin)).toBe(true);
    // npm itself takes seconds to start on a loaded 2-core machine, and must not look for updates meanwhile.
    // ignore-scripts: the first `npx triage` on a machine installs this package into npx's cache and runs its
    // `prepare` (npm run build), which rewrote dist/ under the other test files' running processes: CI saw
    // `triage sla due` fail to read a half-written dist/schemas/rule-file.schema.json (exit 1).
    const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_ignore_scripts: 'true' };
    const { stdout } = await run('npx', ['--no-install', 'triage', '--version'], { cwd: root, env });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  }, 120_000);

  it('validates, tests and evaluates the shipped rule set', async () => {
    const v = await triage(['validate', 'rules/default']);
    expect(v).toMatchObject({ code: 0 });
    expect(v.stdout).toMatch(/^ok: \d+ rules/);

    const t = await triage(['test', 'rules/default', '--min-coverage', '100']);
    expect(t.code).toBe(0);
    expect(t.stdout.trimEnd().split('\n').pop()).toMatch(/^\d+ passed, 0 failed$/);

    const e = await triage(['eval', '--ticket', '-', '--customer', 'examples/evaluate/customer-strategic.json'], JSON.stringify({ number: 'T-000043', subject: 'Awaria krytyczna – linia 3 stoi', channel: 'email' }));
    expect(e.code).toBe(0);
    const d = JSON.parse(e.stdout);
    expect(d.changes.priority).toBe('P1');
    expect(d.actions.map((a: { type: string }) => a.type)).toEqual(expect.arrayContaining(['jira.createIssue', 'slack.postMessage']));
  });

  it('exits 1 with file:line:col lines on a broken rule file', async () => {
    const v = await triage(['validate', 'test/fixtures/broken-rules']);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain('test/fixtures/broken-rules/routing.yaml:15:52 TRIAGE_RULE_UNKNOWN_OPERATOR unknown operator "containz" (did you mean "contains"?)');
  });

  it('prints --help and --version', async () => {
    const h = await triage(['--help']);
    expect(h.stdout).toMatch(/Usage: triage/);
    for (const cmd of ['validate', 'test', 'eval']) expect(h.stdout).toContain(cmd);
    const ver = await triage(['--version']);
    expect(ver.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
