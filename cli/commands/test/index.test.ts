import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../index.js';
import { bufferIo } from '../../test-io.js';

async function ruleDir(tests: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'triage-test-'));
  await writeFile(
    join(dir, 'rules.yaml'),
    `rules:
  - id: invoice
    on: [ticket.created]
    when: { fact: ticket, path: subject, operator: containsAnyWord, value: ["faktur*"] }
    then:
      - set: { team: finance }
  - id: never-tested
    on: [sla.breached]
    then:
      - tag: breached
`,
  );
  await mkdir(join(dir, 'tests'));
  await writeFile(join(dir, 'tests', 'rules.test.yaml'), tests);
  return dir;
}

describe('triage test', () => {
  it('passes the shipped rule set with 100% coverage', async () => {
    const io = bufferIo();
    const code = await runCli(['test', 'rules/default', '--min-coverage', '100'], io);
    expect(io.out()).toMatch(/rule coverage: (\d+)\/\1 rules fired \(100%\)/);
    const last = io.out().trimEnd().split('\n').pop() ?? '';
    expect(last).toMatch(/^(\d+) passed, 0 failed$/);
    expect(Number(last.split(' ')[0])).toBeGreaterThanOrEqual(40);
    expect(code).toBe(0);
  });

  it('prints each failure with what was expected and what came out, and exits 1', async () => {
    const dir = await ruleDir(`cases:
  - name: invoice goes to finance
    ticket: { subject: Faktura }
    expect: { fields: { team: finance } }
  - name: wrong expectation
    ticket: { subject: Faktura }
    expect: { fields: { team: sales }, tags: [vip], notFired: [invoice] }
`);
    const io = bufferIo();
    expect(await runCli(['test', dir], io)).toBe(1);
    const out = io.out();
    expect(out).toContain(`✗ ${dir}/tests/rules.test.yaml:5 wrong expectation`);
    expect(out).toContain('    fields.team: expected "sales", got "finance"');
    expect(out).toContain('    tags: expected "vip" to be added, got []');
    expect(out).toContain('    notFired: expected rule "invoice" not to fire, fired ["invoice"]');
    expect(out.trimEnd().split('\n').pop()).toBe('1 passed, 1 failed');
  });

  it('--coverage lists rules no case fired; --min-coverage fails below the bar', async () => {
    const dir = await ruleDir('cases:\n  - name: ok\n    ticket: { subject: Faktura }\n    expect: { fired: [invoice] }\n');
    const io = bufferIo();
    expect(await runCli(['test', dir, '--min-coverage', '80'], io)).toBe(1);
    expect(io.out()).toContain('rule coverage: 1/2 rules fired (50%)');
    expect(io.out()).toContain('  not fired by any case: never-tested');
    expect(io.out()).toContain('rule coverage 50% is below --min-coverage 80%');
    const io2 = bufferIo();
    expect(await runCli(['test', dir, '--coverage'], io2)).toBe(0);
  });

  it('writes a JUnit report', async () => {
    const dir = await ruleDir('cases:\n  - name: ok\n    ticket: { subject: Faktura }\n    expect: { fired: [invoice] }\n  - name: bad <x>\n    ticket: { subject: x }\n    expect: { fired: [invoice] }\n');
    const file = join(dir, 'junit.xml');
    const io = bufferIo();
    expect(await runCli(['test', dir, '--reporter', 'junit', '--output', file], io)).toBe(1);
    const xml = await readFile(file, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="triage rule tests" tests="2" failures="1" errors="0">/);
    expect(xml).toContain('name="bad &lt;x&gt;"');
    expect(xml).toContain('<failure message="fired: expected rule &quot;invoice&quot; to fire, fired []">');
  });

  it('reports an invalid test file with file:line:col', async () => {
    const dir = await ruleDir('cases:\n  - name: no ticket\n    expect: {}\n');
    const io = bufferIo();
    expect(await runCli(['test', dir], io)).toBe(1);
    expect(io.out()).toMatch(/rules\.test\.yaml:2:5 TRIAGE_TEST_FILE_INVALID \/cases\/0 must have required property 'ticket'/);
  });
});
