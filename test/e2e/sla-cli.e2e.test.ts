import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../engine/runtime/package-root.js';

const run = promisify(execFile);
const root = packageRoot();
const bin = join(root, 'dist', 'cli', 'bin.js');

async function triage(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

// The external acceptance contract of `triage sla due`, through the built binary.
describe('triage sla due (built binary)', () => {
  it('prints {"due":"<ISO-8601 UTC>"} and exits 0', async () => {
    const r = await triage(['sla', 'due', '--calendar', 'rules/default/sla/calendars/business.yaml', '--from', '2026-12-23T14:00:00Z', '--target', '2h', '--pause', '2026-12-23T14:30:00Z/2026-12-23T14:45:00Z']);
    // Wed 15:00 Warsaw: 30 min, paused 15 min, 15 min to 16:00; 24–27 Dec closed (holidays, weekend); Mon 28 Dec 08:00 + 75 min.
    expect(r).toEqual({ code: 0, stdout: '{"due":"2026-12-28T08:15:00.000Z"}\n', stderr: '' });
  });

  it('bad input: a coded error on stderr and exit 2', async () => {
    const r = await triage(['sla', 'due', '--calendar', 'rules/default/sla/calendars/business.yaml', '--from', '2026-12-01T08:00:00Z', '--target', 'soon']);
    // stderr in the message: two CI runs saw exit 1 here, and it named the cause (a half-written dist/ file: the
    // npx test in cli.e2e.test.ts rebuilt dist/ under this one; it runs npx without scripts now).
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^TRIAGE_SLA_BAD_DURATION /);
  });
});
