import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RuleSetHolder } from './rule-set-holder.js';

let holder: RuleSetHolder | undefined;
afterEach(() => holder?.close());

async function copyOfDefaultRules(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'triage-rules-'));
  await cp('rules/default', dir, { recursive: true });
  return dir;
}

describe('RuleSetHolder', () => {
  it('swaps to a valid new version and keeps the old one when a change is broken', async () => {
    const dir = await copyOfDefaultRules();
    holder = await RuleSetHolder.open(dir);
    const v1 = holder.current().version;

    const file = join(dir, 'route.yaml');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace('team: finance', 'team: accounting'));
    const ok = await holder.reload();
    expect(ok.ok).toBe(true);
    const v2 = holder.current().version;
    expect(v2).not.toBe(v1);

    await writeFile(file, original.replace('operator: equal', 'operator: equall'));
    const bad = await holder.reload();
    expect(bad.ok).toBe(false);
    expect(bad.diagnostics[0]).toMatchObject({ code: 'TRIAGE_RULE_UNKNOWN_OPERATOR', file });
    expect(holder.current().version).toBe(v2);
    expect(holder.status()).toMatchObject({ reloads: { ok: 1, failed: 1 }, lastReload: { ok: false } });
  });

  it('reloads by itself when a file changes (watch)', async () => {
    const dir = await copyOfDefaultRules();
    holder = await RuleSetHolder.open(dir);
    const v1 = holder.current().version;
    const reloaded = new Promise((resolve) => holder?.onReload(resolve));
    holder.watch(20);
    const file = join(dir, 'route.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('team: finance', 'team: accounting'));
    await reloaded;
    expect(holder.current().version).not.toBe(v1);
  });

  it('refuses to start on an invalid rule set', async () => {
    await expect(RuleSetHolder.open('test/fixtures/broken-rules')).rejects.toMatchObject({ code: 'TRIAGE_RULE_SET_INVALID' });
  });
});
