import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode } from '../../test/helpers/expect-code.js';
import { loadConfig } from './load-config.js';
import { describeRoles, roleSettings, workerSettings } from './role-settings.js';

describe('roles', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-roles-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function configFile(text: string): Promise<string> {
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, text);
    return file;
  }

  it('defaults to all, reads roles: from the file and lets TRIAGE_ROLES override it', async () => {
    expect((await loadConfig({ env: { TRIAGE_CONFIG: await configFile('rules:\n  watch: false\n') } })).roles).toEqual({ api: true, workers: true });
    const workersOnly = await configFile('roles: workers\n');
    expect((await loadConfig({ file: workersOnly, env: {} })).roles).toEqual({ api: false, workers: true });
    expect((await loadConfig({ file: await configFile('roles: [api]\n'), env: {} })).roles).toEqual({ api: true, workers: false });
    expect((await loadConfig({ file: await configFile('roles: [api, workers]\n'), env: {} })).roles).toEqual({ api: true, workers: true });
    expect((await loadConfig({ file: workersOnly, env: { TRIAGE_ROLES: 'api' } })).roles).toEqual({ api: true, workers: false });
    expect((await loadConfig({ file: workersOnly, env: { TRIAGE_ROLES: '' } })).roles).toEqual({ api: false, workers: true });
  });

  it('accepts all, api, workers and api,workers in TRIAGE_ROLES and refuses anything else', () => {
    expect(roleSettings(undefined, 'all')).toEqual({ api: true, workers: true });
    expect(roleSettings(undefined, 'api')).toEqual({ api: true, workers: false });
    expect(roleSettings(undefined, 'workers')).toEqual({ api: false, workers: true });
    expect(roleSettings(undefined, 'api, Workers')).toEqual({ api: true, workers: true });
    for (const bad of ['none', 'api,all', 'api,', 'worker']) expect(() => roleSettings(undefined, bad), bad).toThrow(/TRIAGE_ROLES/);
  });

  it('refuses an unknown role in the file with file:line:col', async () => {
    const file = await configFile('server:\n  port: 3000\nroles: scheduler\n');
    await expectCode(loadConfig({ file, env: {} }), 'TRIAGE_CONFIG_INVALID');
    await expect(loadConfig({ file, env: {} })).rejects.toThrow(/:3:\d+ \/roles/);
    await expectCode(loadConfig({ file: await configFile('roles: []\n'), env: {} }), 'TRIAGE_CONFIG_INVALID');
  });

  it('names the roles for the start-up line', () => {
    expect(describeRoles({ api: true, workers: true })).toBe('all');
    expect(describeRoles({ api: true, workers: false })).toBe('api');
    expect(describeRoles({ api: false, workers: true })).toBe('workers');
  });
});

describe('workers.leaseSeconds', () => {
  it('defaults to 60 s, reads the file, and TRIAGE_LEASE_SECONDS overrides it within 2..3600', () => {
    expect(workerSettings(undefined, undefined)).toEqual({ leaseMs: 60_000 });
    expect(workerSettings({ leaseSeconds: 20 }, undefined)).toEqual({ leaseMs: 20_000 });
    expect(workerSettings({ leaseSeconds: 20 }, '5')).toEqual({ leaseMs: 5_000 });
    for (const bad of ['1', '3601', '2.5', 'soon']) expect(() => workerSettings(undefined, bad), bad).toThrow(/TRIAGE_LEASE_SECONDS/);
  });
});
