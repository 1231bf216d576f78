import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../../../engine/http/auth/api-key-store.js';
import { createDatabase } from '../../../engine/store/create-database.js';
import { createTempSqliteFile, type TempSqliteFile } from '../../../test/helpers/sqlite.js';
import { runCli } from '../../index.js';
import { bufferIo } from '../../test-io.js';

describe('triage keys', () => {
  let file: TempSqliteFile;
  let env: Record<string, string>;
  beforeEach(async () => {
    file = await createTempSqliteFile();
    env = { TRIAGE_SQLITE_PATH: file.path, USER: 'anna' };
  });
  afterEach(async () => {
    await file.cleanup();
  });

  const run = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
    const io = bufferIo('', env);
    const code = await runCli(['keys', ...argv], io);
    return { code, out: io.out(), err: io.err() };
  };

  /** Check a printed key against the database the server would open. */
  const verify = async (key: string): Promise<unknown> => {
    const db = await createDatabase({ sqlitePath: file.path });
    try {
      return await new ApiKeyStore(db).verify(key);
    } finally {
      await db.destroy();
    }
  };

  it('create prints the key once with id, name and scopes; list never shows it', async () => {
    const created = await run('create', '--name', 'n8n-prod', '--scopes', 'evaluate,tickets:read');
    expect(created.code).toBe(0);
    const key = /^key\s+(trg_\S+)$/m.exec(created.out)?.[1] ?? '';
    expect(key).toMatch(/^trg_[A-Za-z0-9_-]{43}$/);
    expect(created.out).toMatch(/^id\s+[0-9a-f-]{36}$/m);
    expect(created.out).toMatch(/^name\s+n8n-prod$/m);
    expect(created.out).toMatch(/^scopes\s+evaluate,tickets:read$/m);
    expect(created.err).toMatch(/shown only this once/);
    expect(await verify(key)).toMatchObject({ name: 'n8n-prod', scopes: ['evaluate', 'tickets:read'] });

    const listed = await run('list');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/^ID\s+NAME\s+SCOPES\s+PREFIX\s+CREATED\s+LAST USED$/m);
    expect(listed.out).toContain('n8n-prod');
    expect(listed.out).toContain(key.slice(0, 12));
    expect(listed.out).not.toContain(key);
  });

  it('--json gives machine-readable output for create, list and revoke', async () => {
    const created = await run('create', '--name', 'ci', '--scopes', 'admin', '--json');
    expect(created.code).toBe(0);
    const c = JSON.parse(created.out) as { id: string; name: string; scopes: string[]; key: string; createdAt: string };
    expect(c).toMatchObject({ name: 'ci', scopes: ['admin'], key: expect.stringMatching(/^trg_/), createdAt: expect.any(String) });

    const list = JSON.parse((await run('list', '--json')).out) as Record<string, unknown>[];
    expect(list).toEqual([{ id: c.id, name: 'ci', scopes: ['admin'], prefix: c.key.slice(0, 12), createdAt: c.createdAt, lastUsedAt: null, revokedAt: null }]);

    const revoked = await run('revoke', c.id, '--json');
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.out)).toMatchObject({ id: c.id, revokedAt: expect.any(String) });
  });

  it('revoke by name takes effect: the key stops verifying and list hides it (unless --all)', async () => {
    const created = JSON.parse((await run('create', '--name', 'old', '--scopes', 'evaluate', '--json')).out) as { key: string; id: string };
    const revoked = await run('revoke', 'old');
    expect(revoked).toMatchObject({ code: 0, out: `Revoked API key "old" (${created.id}).\n` });
    expect(await verify(created.key)).toBeUndefined();
    expect((await run('list')).out).toBe('No active API keys.\n');
    expect((await run('list', '--all')).out).toMatch(/REVOKED\n.*old.*\d{4}-\d\d-\d\dT\S+Z\n$/);

    const db = await createDatabase({ sqlitePath: file.path });
    try {
      const events = (await db('api_key_events').select('action', 'actor').orderBy('at')) as { action: string; actor: string }[];
      expect(events).toEqual([
        { action: 'created', actor: 'cli:anna' },
        { action: 'revoked', actor: 'cli:anna' },
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('reports bad scopes and names as usage errors (exit 2) without creating anything', async () => {
    const bad = await run('create', '--name', 'x', '--scopes', 'evaluate,tickets:delete');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^TRIAGE_AUTH_UNKNOWN_SCOPE Unknown or missing scope: "tickets:delete"\n {2}hint: /);
    const badName = await run('create', '--name', 'with space', '--scopes', 'evaluate');
    expect(badName.code).toBe(2);
    expect(badName.err).toMatch(/^TRIAGE_AUTH_INVALID_KEY_NAME/);
    expect((await run('list', '--json')).out).toBe('[]\n');
  });

  it('requires --name and --scopes', async () => {
    const r = await run('create', '--name', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/required option '--scopes <list>'/);
  });

  it('reports a taken name and an unknown key with coded errors (exit 1)', async () => {
    expect((await run('create', '--name', 'dup', '--scopes', 'evaluate')).code).toBe(0);
    const dup = await run('create', '--name', 'dup', '--scopes', 'evaluate');
    expect(dup.code).toBe(1);
    expect(dup.err).toMatch(/^TRIAGE_AUTH_KEY_NAME_TAKEN/);
    const missing = await run('revoke', 'nobody');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^TRIAGE_AUTH_KEY_NOT_FOUND No active API key "nobody"/);
  });

  it('honours --config (database.sqlitePath) like the server', async () => {
    env = {};
    const config = join(dirname(file.path), 'triage.config.yaml');
    await writeFile(config, `database:\n  sqlitePath: ${JSON.stringify(file.path)}\n`);
    expect((await run('create', '--name', 'from-config', '--scopes', 'channels', '--config', config)).code).toBe(0);
    env = { TRIAGE_SQLITE_PATH: file.path };
    expect((await run('list')).out).toContain('from-config');
  });
});
