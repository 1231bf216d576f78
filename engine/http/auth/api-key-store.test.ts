/**
 * The key store on both databases, like the ticket store contract: every test
 * gets a fresh migrated database; PostgreSQL being down fails loudly.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode } from '../../../test/helpers/expect-code.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../../test/helpers/store-harness.js';
import { ApiKeyStore, BOOTSTRAP_KEY_NAME, INITIAL_ADMIN_KEY_NAME } from './api-key-store.js';

const BOOTSTRAP_A = 'bootstrap-value-A-0123456789abcdefghijkl';
const BOOTSTRAP_B = 'bootstrap-value-B-0123456789abcdefghijkl';

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2025-03-03T08:00:00.000Z')): { now: () => Date; advance(ms: number): void } {
  let t = start;
  return {
    now: () => new Date(t),
    advance(ms) {
      t += ms;
    },
  };
}

interface EventRow {
  key_id: string;
  key_name: string;
  action: string;
  actor: string;
}

describe.each<StoreKind>(['sqlite', 'postgres'])('ApiKeyStore (%s)', (kind) => {
  let harness: StoreHarness;
  beforeAll(() => {
    harness = createStoreHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  const open = async (): Promise<{ db: Knex; store: ApiKeyStore }> => {
    const db = await harness.open();
    return { db, store: new ApiKeyStore(db) };
  };

  describe('create', () => {
    it('returns a trg_ key once and stores only its SHA-256 and a short prefix', async () => {
      const { db, store } = await open();
      const created = await store.create({ name: 'n8n-prod', scopes: ['evaluate', 'tickets:read'], actor: 'cli:anna' });
      expect(created).toMatchObject({ name: 'n8n-prod', scopes: ['evaluate', 'tickets:read'] });
      expect(created.key).toMatch(/^trg_[A-Za-z0-9_-]{43}$/);
      expect(created.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

      const rows = (await db('api_keys').select('*')) as Record<string, unknown>[];
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ key_hash: createHash('sha256').update(created.key).digest('hex'), prefix: created.key.slice(0, 12) });
      expect(JSON.stringify(rows)).not.toContain(created.key.slice(12));

      const listed = await store.list();
      expect(listed).toEqual([
        { id: created.id, name: 'n8n-prod', scopes: ['evaluate', 'tickets:read'], prefix: created.key.slice(0, 12), createdAt: created.createdAt, lastUsedAt: null, revokedAt: null },
      ]);
      expect(JSON.stringify(listed)).not.toContain(created.key);
    });

    it('makes a different key every time', async () => {
      const { store } = await open();
      const a = await store.create({ name: 'a', scopes: ['evaluate'] });
      const b = await store.create({ name: 'b', scopes: ['evaluate'] });
      expect(a.key).not.toBe(b.key);
    });

    it('refuses unknown, missing and reserved input with coded errors', async () => {
      const { db, store } = await open();
      await expectCode(store.create({ name: 'x', scopes: ['tickets:read', 'tickets:delete'] }), 'TRIAGE_AUTH_UNKNOWN_SCOPE');
      await expectCode(store.create({ name: 'x', scopes: [] }), 'TRIAGE_AUTH_UNKNOWN_SCOPE');
      await expectCode(store.create({ name: 'x', scopes: [' '] }), 'TRIAGE_AUTH_UNKNOWN_SCOPE');
      await expectCode(store.create({ name: '', scopes: ['admin'] }), 'TRIAGE_AUTH_INVALID_KEY_NAME');
      await expectCode(store.create({ name: 'has space', scopes: ['admin'] }), 'TRIAGE_AUTH_INVALID_KEY_NAME');
      await expectCode(store.create({ name: 'x'.repeat(65), scopes: ['admin'] }), 'TRIAGE_AUTH_INVALID_KEY_NAME');
      await expectCode(store.create({ name: BOOTSTRAP_KEY_NAME, scopes: ['admin'] }), 'TRIAGE_AUTH_INVALID_KEY_NAME');
      expect(await db('api_keys').count({ n: '*' })).toEqual([{ n: kind === 'postgres' ? '0' : 0 }]);
    });

    it('keeps names unique among active keys; revoking frees the name', async () => {
      const { store } = await open();
      const first = await store.create({ name: 'zapier', scopes: ['evaluate'] });
      await expectCode(store.create({ name: 'zapier', scopes: ['admin'] }), 'TRIAGE_AUTH_KEY_NAME_TAKEN');
      await store.revoke('zapier');
      const second = await store.create({ name: 'zapier', scopes: ['admin'] });
      expect(second.id).not.toBe(first.id);
      expect((await store.list()).map((k) => k.id)).toEqual([second.id]);
      expect((await store.list({ includeRevoked: true })).map((k) => k.id).sort()).toEqual([first.id, second.id].sort());
    });

    it('de-duplicates scopes', async () => {
      const { store } = await open();
      expect((await store.create({ name: 'd', scopes: ['evaluate', 'evaluate', ' channels '] })).scopes).toEqual(['evaluate', 'channels']);
    });
  });

  describe('verify', () => {
    it('returns the principal for an active key and nothing for anything else', async () => {
      const { store } = await open();
      const created = await store.create({ name: 'crm', scopes: ['tickets:write'] });
      expect(await store.verify(created.key)).toEqual({ id: created.id, name: 'crm', scopes: ['tickets:write'], via: 'api-key' });
      expect(await store.verify(`${created.key.slice(0, -1)}x`)).toBeUndefined();
      expect(await store.verify('')).toBeUndefined();
      expect(await store.verify('x'.repeat(10_000))).toBeUndefined();
    });

    it('refuses a key revoked in this process at once', async () => {
      const { store } = await open();
      const created = await store.create({ name: 'gone', scopes: ['admin'] });
      expect(await store.verify(created.key)).toBeDefined();
      await store.revoke(created.id);
      expect(await store.verify(created.key)).toBeUndefined();
    });

    it('refuses a key revoked elsewhere (CLI, another instance) once the cache TTL has passed', async () => {
      const { db } = await open();
      const clock = manualClock();
      const server = new ApiKeyStore(db, { now: clock.now, cacheTtlMs: 5_000 });
      const cli = new ApiKeyStore(db);
      const created = await cli.create({ name: 'k', scopes: ['evaluate'] });
      expect(await server.verify(created.key)).toBeDefined();
      await cli.revoke('k');
      clock.advance(4_000);
      expect(await server.verify(created.key)).toBeDefined();
      clock.advance(1_001);
      expect(await server.verify(created.key)).toBeUndefined();
    });

    it('writes last_used_at at most once a minute', async () => {
      const { db } = await open();
      const clock = manualClock();
      const store = new ApiKeyStore(db, { now: clock.now });
      const created = await store.create({ name: 'busy', scopes: ['evaluate'] });
      const lastUsed = async (): Promise<unknown> => ((await db('api_keys').where({ id: created.id }).first('last_used_at')) as { last_used_at: unknown }).last_used_at;

      await store.verify(created.key);
      expect(await lastUsed()).toBe('2025-03-03T08:00:00.000Z');
      clock.advance(30_000);
      await store.verify(created.key);
      clock.advance(20_000); // past the cache TTL too: a fresh read must not reset the minute
      await store.verify(created.key);
      expect(await lastUsed()).toBe('2025-03-03T08:00:00.000Z');
      clock.advance(10_000);
      await store.verify(created.key);
      expect(await lastUsed()).toBe('2025-03-03T08:01:00.000Z');
      expect((await store.list())[0]?.lastUsedAt).toBe('2025-03-03T08:01:00.000Z');
    });
  });

  describe('revoke', () => {
    it('revokes by id or name and audits creation and revocation with the actor', async () => {
      const { db, store } = await open();
      const a = await store.create({ name: 'a', scopes: ['evaluate'], actor: 'cli:anna' });
      const b = await store.create({ name: 'b', scopes: ['evaluate'], actor: 'cli:anna' });
      const revokedA = await store.revoke(a.id, 'cli:ben');
      expect(revokedA).toMatchObject({ id: a.id, name: 'a', revokedAt: expect.any(String) });
      await store.revoke('b', 'cli:ben');
      expect(await store.list()).toEqual([]);

      const events = (await db('api_key_events').select('key_id', 'key_name', 'action', 'actor').orderBy([{ column: 'at' }, { column: 'action' }])) as EventRow[];
      expect(events).toHaveLength(4);
      expect(events).toEqual(
        expect.arrayContaining([
          { key_id: a.id, key_name: 'a', action: 'created', actor: 'cli:anna' },
          { key_id: b.id, key_name: 'b', action: 'created', actor: 'cli:anna' },
          { key_id: a.id, key_name: 'a', action: 'revoked', actor: 'cli:ben' },
          { key_id: b.id, key_name: 'b', action: 'revoked', actor: 'cli:ben' },
        ]),
      );
    });

    it('reports an unknown or already revoked key with a coded error', async () => {
      const { store } = await open();
      await expectCode(store.revoke('nope'), 'TRIAGE_AUTH_KEY_NOT_FOUND');
      const k = await store.create({ name: 'once', scopes: ['admin'] });
      await store.revoke(k.id);
      await expectCode(store.revoke(k.id), 'TRIAGE_AUTH_KEY_NOT_FOUND');
    });
  });

  describe('ensureBootstrapKey', () => {
    it('is idempotent for the same value and replaces the key when the value changes', async () => {
      const { db, store } = await open();
      const first = await store.ensureBootstrapKey(BOOTSTRAP_A);
      expect(first.created).toBe(true);
      // A restart: a new store on the same database.
      const again = await new ApiKeyStore(db).ensureBootstrapKey(BOOTSTRAP_A);
      expect(again).toEqual({ id: first.id, created: false });
      expect(await store.list()).toMatchObject([{ id: first.id, name: BOOTSTRAP_KEY_NAME, scopes: ['admin'] }]);
      expect(await store.verify(BOOTSTRAP_A)).toMatchObject({ name: BOOTSTRAP_KEY_NAME, scopes: ['admin'] });

      const changed = await store.ensureBootstrapKey(BOOTSTRAP_B);
      expect(changed.created).toBe(true);
      expect(changed.id).not.toBe(first.id);
      expect(await store.verify(BOOTSTRAP_A)).toBeUndefined();
      expect(await store.verify(BOOTSTRAP_B)).toMatchObject({ id: changed.id });
      const all = await store.list({ includeRevoked: true });
      expect(all.find((k) => k.id === first.id)?.revokedAt).not.toBeNull();
      expect(all.filter((k) => k.revokedAt === null).map((k) => k.id)).toEqual([changed.id]);
      const events = (await db('api_key_events').select('key_id', 'action', 'actor')) as EventRow[];
      expect(events).toContainEqual({ key_id: first.id, action: 'revoked', actor: 'system:TRIAGE_BOOTSTRAP_KEY' });
    });

    it('brings a hand-revoked bootstrap key back while the variable still holds it', async () => {
      const { store } = await open();
      await store.ensureBootstrapKey(BOOTSTRAP_A);
      await store.revoke(BOOTSTRAP_KEY_NAME);
      expect(await store.verify(BOOTSTRAP_A)).toBeUndefined();
      expect((await store.ensureBootstrapKey(BOOTSTRAP_A)).created).toBe(true);
      expect(await store.verify(BOOTSTRAP_A)).toBeDefined();
    });

    it('refuses a short value, and a value that is already another key', async () => {
      const { store } = await open();
      await expectCode(store.ensureBootstrapKey('short'), 'TRIAGE_AUTH_WEAK_BOOTSTRAP_KEY');
      const other = await store.create({ name: 'other', scopes: ['evaluate'] });
      await expectCode(store.ensureBootstrapKey(other.key), 'TRIAGE_AUTH_WEAK_BOOTSTRAP_KEY');
      expect((await store.list()).map((k) => k.name)).toEqual(['other']);
    });

    it('leaves exactly one bootstrap key when several instances start at once', async () => {
      const { db } = await open();
      const outcomes = await Promise.all([1, 2, 3, 4].map(() => new ApiKeyStore(db).ensureBootstrapKey(BOOTSTRAP_A)));
      expect(new Set(outcomes.map((o) => o.id)).size).toBe(1);
      expect(outcomes.filter((o) => o.created)).toHaveLength(1);
      expect(await new ApiKeyStore(db).list({ includeRevoked: true })).toHaveLength(1);
    });
  });

  describe('ensureInitialAdminKey', () => {
    it('creates an admin key only while no active key exists', async () => {
      const { store } = await open();
      const created = await store.ensureInitialAdminKey();
      expect(created).toMatchObject({ name: INITIAL_ADMIN_KEY_NAME, scopes: ['admin'] });
      expect(await store.verify(created?.key ?? '')).toMatchObject({ scopes: ['admin'] });
      expect(await store.ensureInitialAdminKey()).toBeUndefined();

      // Revoking every key is the way back in: the next start issues a new one.
      await store.revoke(INITIAL_ADMIN_KEY_NAME);
      const again = await store.ensureInitialAdminKey();
      expect(again?.key).toBeDefined();
      expect(again?.key).not.toBe(created?.key);
    });

    it('creates nothing when another key exists', async () => {
      const { store } = await open();
      await store.create({ name: 'someone', scopes: ['evaluate'] });
      expect(await store.ensureInitialAdminKey()).toBeUndefined();
    });

    it('creates one key when several instances start at once', async () => {
      const { db } = await open();
      const outcomes = await Promise.all([1, 2, 3, 4].map(() => new ApiKeyStore(db).ensureInitialAdminKey()));
      expect(outcomes.filter((o) => o !== undefined)).toHaveLength(1);
      expect(await new ApiKeyStore(db).list()).toHaveLength(1);
    });
  });
});
