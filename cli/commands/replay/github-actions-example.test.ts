import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot } from '../../../engine/runtime/package-root.js';
import { runCliCommand } from '../../../test/helpers/cli-sqlite.js';

/** The GitHub Actions example must only use commands and flags the CLI has. */
describe('examples/github-actions/triage-rules.yml', () => {
  it('is a workflow whose triage commands and flags exist', async () => {
    const text = await readFile(join(packageRoot(), 'examples', 'github-actions', 'triage-rules.yml'), 'utf8');
    const workflow = parse(text) as { on: unknown; jobs: Record<string, { steps: { run?: string }[] }> };
    const runs = Object.values(workflow.jobs).flatMap((j) => j.steps.flatMap((s) => (s.run === undefined ? [] : s.run.split('\n'))));
    const commands = runs.map((l) => /npx triage (\w+) (.*)$/.exec(l.trim())).filter((m): m is RegExpExecArray => m !== null);
    expect(commands.map((m) => m[1])).toEqual(['validate', 'test', 'replay']);
    for (const m of commands) {
      const help = await runCliCommand({}, [m[1]!, '--help']);
      expect(help.code).toBe(0);
      for (const flag of (m[2] ?? '').match(/--[a-z-]+/g) ?? []) expect(help.out, `${m[1]} ${flag}`).toContain(flag);
    }
  });
});
