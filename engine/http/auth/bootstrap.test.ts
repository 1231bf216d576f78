/**
 * The start-up guarantees, through the composition root: TRIAGE_BOOTSTRAP_KEY
 * is an admin key from the first request on; without it the first start on
 * an empty database prints a new admin key exactly once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode } from '../../../test/helpers/expect-code.js';
import { packageRoot } from '../../runtime/package-root.js';
import { startServer, type RunningServer } from '../../server/start-server.js';

let dir: string;
let configFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'triage-bootstrap-'));
  configFile = join(dir, 'triage.config.yaml');
  await writeFile(configFile, 'rules:\n  watch: false\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const randomKey = (): string => randomBytes(32).toString('base64url');

/** Start on `db`, run `work`, close: one server lifetime. */
async function withServer<T>(db: string, env: Record<string, string>, work: (s: RunningServer, notices: string[]) => Promise<T>): Promise<T> {
  const notices: string[] = [];
  const server = await startServer({
    configFile,
    env: { TRIAGE_SQLITE_PATH: join(dir, db), TRIAGE_RULES: join(packageRoot(), 'rules', 'default'), ...env },
    listen: false,
    logger: false,
    notice: (line) => notices.push(line),
  });
  try {
    return await work(server, notices);
  } finally {
    await server.close();
  }
}

async function status(server: RunningServer, key: string): Promise<number> {
  const res = await server.app.inject({ method: 'POST', url: '/v1/evaluate', headers: { authorization: `Bearer ${key}` }, payload: { ticket: { subject: 'x' } } });
  return res.statusCode;
}

describe('TRIAGE_BOOTSTRAP_KEY', () => {
  it('keeps one admin key over restarts with the same value, and replaces it when the value changes', async () => {
    const first = randomKey();
    const second = randomKey();
    await withServer('a.db', { TRIAGE_BOOTSTRAP_KEY: first }, async (s, notices) => {
      expect(await status(s, first)).toBe(200);
      expect(notices).toEqual([]);
    });
    await withServer('a.db', { TRIAGE_BOOTSTRAP_KEY: first }, async (s) => {
      expect(await s.keys.list({ includeRevoked: true })).toMatchObject([{ name: 'bootstrap', scopes: ['admin'], revokedAt: null }]);
      expect(await status(s, first)).toBe(200);
    });
    await withServer('a.db', { TRIAGE_BOOTSTRAP_KEY: second }, async (s) => {
      expect(await status(s, first)).toBe(401);
      expect(await status(s, second)).toBe(200);
      const all = await s.keys.list({ includeRevoked: true });
      expect(all.map((k) => `${k.name}:${k.revokedAt === null ? 'active' : 'revoked'}`).sort()).toEqual(['bootstrap:active', 'bootstrap:revoked']);
    });
  });

  it('refuses to start with a short value', async () => {
    await expectCode(withServer('b.db', { TRIAGE_BOOTSTRAP_KEY: 'admin' }, () => Promise.resolve()), 'TRIAGE_AUTH_WEAK_BOOTSTRAP_KEY');
  });
});

describe('first start without TRIAGE_BOOTSTRAP_KEY', () => {
  it('creates an admin key and prints it once', async () => {
    const key = await withServer('c.db', {}, async (s, notices) => {
      expect(notices).toHaveLength(1);
      const printed = /(trg_[A-Za-z0-9_-]{43})/.exec(notices[0] ?? '')?.[1] ?? '';
      expect(await status(s, printed)).toBe(200);
      expect(await s.keys.list()).toMatchObject([{ name: 'initial-admin', scopes: ['admin'] }]);
      return printed;
    });
    await withServer('c.db', {}, async (s, notices) => {
      expect(notices).toEqual([]);
      expect(await status(s, key)).toBe(200);
    });
  });
});
