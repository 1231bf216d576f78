import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.js';
import { loadSlaPolicy } from './load-sla-policy.js';

// Where the server finds the SLA policy: sla.policy, TRIAGE_SLA_POLICY, else <rules.dir>/sla/policy.yaml if present.
describe('sla.policy in the configuration', () => {
  it('defaults to the shipped policy next to the rules, and that policy loads', async () => {
    const config = await loadConfig({ env: { TRIAGE_CONFIG: undefined } });
    expect(config.sla.policyFile).toBe(join('rules/default', 'sla', 'policy.yaml'));
    await expect(loadSlaPolicy(config.sla.policyFile!)).resolves.toMatchObject({ thresholds: [50, 75, 80, 100] });
  });

  it('is undefined when the rules folder has no sla/policy.yaml', async () => {
    const rules = await mkdtemp(join(tmpdir(), 'triage-rules-'));
    expect((await loadConfig({ env: { TRIAGE_RULES: rules } })).sla.policyFile).toBeUndefined();
  });

  it('takes sla.policy from the file, and TRIAGE_SLA_POLICY over it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-config-'));
    const file = join(dir, 'triage.config.yaml');
    await writeFile(file, 'sla:\n  policy: /etc/triage/sla.yaml\n');
    expect((await loadConfig({ file, env: {} })).sla.policyFile).toBe('/etc/triage/sla.yaml');
    expect((await loadConfig({ file, env: { TRIAGE_SLA_POLICY: 'other.yaml' } })).sla.policyFile).toBe('other.yaml');
  });

  it('refuses unknown keys under sla', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-config-'));
    const file = join(dir, 'triage.config.yaml');
    await writeFile(file, 'sla:\n  polcy: x.yaml\n');
    await expect(loadConfig({ file, env: {} })).rejects.toMatchObject({ code: 'TRIAGE_CONFIG_INVALID', message: expect.stringContaining('"polcy"') as unknown });
  });
});
