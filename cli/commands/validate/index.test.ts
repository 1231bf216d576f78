import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../index.js';
import { bufferIo } from '../../test-io.js';

describe('triage validate', () => {
  it('accepts the shipped rule set', async () => {
    const io = bufferIo();
    expect(await runCli(['validate', 'rules/default'], io)).toBe(0);
    expect(io.out()).toMatch(/^ok: \d+ rules in \d+ files, rule set version [0-9a-f]{16}\n$/);
  });

  it('prints one file:line:col CODE message line per error and exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-validate-'));
    await writeFile(
      join(dir, 'routing.yaml'),
      'rules:\n  - id: r1\n    on: [ticket.created]\n    when:\n      all:\n        - fact: ticket\n          path: subject\n          operator: containz\n          value: x\n    then:\n      - tag: a\n  - id: r2\n    on: [ticket.opened]\n    then:\n      - tagg: a\n',
    );
    const io = bufferIo();
    expect(await runCli(['validate', dir], io)).toBe(1);
    expect(io.out().trimEnd().split('\n')).toEqual([
      `${dir}/routing.yaml:8:21 TRIAGE_RULE_UNKNOWN_OPERATOR unknown operator "containz" (did you mean "contains"?)`,
      `${dir}/routing.yaml:13:10 TRIAGE_RULE_UNKNOWN_EVENT unknown event "ticket.opened" (did you mean "ticket.created"?)`,
      `${dir}/routing.yaml:15:9 TRIAGE_RULE_UNKNOWN_ACTION unknown action "tagg" (did you mean "tag"?)`,
    ]);
    expect(io.err()).toBe('3 error(s)\n');
  });

  it('--json gives machine-readable errors', async () => {
    const io = bufferIo();
    expect(await runCli(['validate', '--json', 'no/such/dir'], io)).toBe(1);
    expect(JSON.parse(io.out())).toMatchObject({ ok: false, errors: [{ code: 'TRIAGE_RULE_SET_NOT_FOUND', file: 'no/such/dir' }] });
  });

  it('uses $TRIAGE_RULES when no path is given', async () => {
    const io = bufferIo('', { TRIAGE_RULES: 'rules/default' });
    expect(await runCli(['validate'], io)).toBe(0);
  });

  it('has --help', async () => {
    const io = bufferIo();
    expect(await runCli(['validate', '--help'], io)).toBe(0);
    expect(io.out()).toMatch(/Usage: triage validate/);
  });
});
