import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { TriageError } from '../../errors/triage-error.js';
import { isUniqueViolation } from '../../store/is-unique-violation.js';
import { isScope, type ApiKeyVerifier, type Principal, type Scope } from './principal.js';

/** A key as listed: never the key, only its first characters. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  scopes: Scope[];
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** What `create` returns: the only moment the key itself exists outside its holder. */
export interface CreatedApiKey {
  id: string;
  name: string;
  scopes: Scope[];
  key: string;
  createdAt: string;
}

export interface ApiKeyStoreOptions {
  /** How long a verified key is trusted without asking the database; revocation elsewhere takes effect within it. */
  cacheTtlMs?: number;
  now?: () => Date;
}

/** Name of the key TRIAGE_BOOTSTRAP_KEY guarantees. */
export const BOOTSTRAP_KEY_NAME = 'bootstrap';
/** Name of the key the first start creates when no key exists. */
export const INITIAL_ADMIN_KEY_NAME = 'initial-admin';
export const KEY_PREFIX = 'trg_';
export const MIN_BOOTSTRAP_KEY_LENGTH = 32;
export const DEFAULT_CACHE_TTL_MS = 5_000;
/** `last_used_at` is a hint for spotting stale keys, not a log: one write per key per minute is enough. */
const LAST_USED_RESOLUTION_MS = 60_000;
/** Longer presented values cannot be a key; refuse them before hashing. */
const MAX_KEY_LENGTH = 512;
const MAX_CACHED_KEYS = 1_000;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}$/;

interface ApiKeyRow {
  id: string;
  name: string;
  key_hash: string;
  prefix: string;
  scopes: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

interface CachedKey {
  principal: Principal;
  expiresAt: number;
  lastUsedMs: number;
}

/**
 * API keys for the HTTP API, on the same database as everything else.
 *
 * Keys are `trg_` + 32 random bytes (base64url) and are stored only as their
 * SHA-256. A slow KDF (bcrypt, scrypt, argon2) exists to make guessing
 * low-entropy passwords expensive; a 256-bit random key cannot be guessed, so
 * a fast hash is as safe here and keeps verification off the request's
 * critical path. The bootstrap value from the environment is held to a
 * minimum length for the same reason.
 *
 * Lookups go by hash, so no comparison ever runs over the secret itself: how
 * long the index lookup takes depends on the hash, which tells an attacker
 * nothing about any stored key (finding a key from its hash is a preimage).
 */
export class ApiKeyStore implements ApiKeyVerifier {
  private readonly cache = new Map<string, CachedKey>();
  private readonly cacheTtlMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly db: Knex,
    options: ApiKeyStoreOptions = {},
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    this.now = options.now ?? (() => new Date());
  }

  async create(input: { name: string; scopes: readonly string[]; actor?: string }): Promise<CreatedApiKey> {
    const name = checkName(input.name);
    // `bootstrap` belongs to TRIAGE_BOOTSTRAP_KEY: a key made by hand under that
    // name would be revoked by the next start with a different value.
    if (name === BOOTSTRAP_KEY_NAME) throw new TriageError('TRIAGE_AUTH_INVALID_KEY_NAME', [name, 'the name is reserved for TRIAGE_BOOTSTRAP_KEY']);
    const scopes = checkScopes(input.scopes);
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = await this.insert(this.db, { name, scopes, key, actor: input.actor ?? 'system' });
    return { id: row.id, name: row.name, scopes, key, createdAt: row.created_at };
  }

  async verify(presentedKey: string): Promise<Principal | undefined> {
    if (presentedKey.length === 0 || presentedKey.length > MAX_KEY_LENGTH) return undefined;
    const hash = hashKey(presentedKey);
    const nowMs = this.now().getTime();
    let cached = this.cache.get(hash);
    if (cached === undefined || cached.expiresAt <= nowMs) {
      this.cache.delete(hash);
      const row = await this.db<ApiKeyRow>('api_keys').where({ key_hash: hash }).whereNull('revoked_at').first();
      if (row === undefined) return undefined;
      cached = {
        principal: { id: row.id, name: row.name, scopes: parseScopes(row.scopes), via: 'api-key' },
        expiresAt: nowMs + this.cacheTtlMs,
        lastUsedMs: row.last_used_at === null ? Number.NEGATIVE_INFINITY : Date.parse(row.last_used_at),
      };
      this.remember(hash, cached);
    }
    if (nowMs - cached.lastUsedMs >= LAST_USED_RESOLUTION_MS) {
      cached.lastUsedMs = nowMs;
      try {
        await this.db('api_keys').where({ id: cached.principal.id }).update({ last_used_at: new Date(nowMs).toISOString() });
      } catch {
        // A busy database must not turn a valid key into a failed request; the
        // next minute tries again.
      }
    }
    return cached.principal;
  }

  /** Active keys, oldest first; with `includeRevoked` also the revoked ones. */
  async list(options: { includeRevoked?: boolean } = {}): Promise<ApiKeyInfo[]> {
    const query = this.db<ApiKeyRow>('api_keys').select('*').orderBy([{ column: 'created_at' }, { column: 'name' }]);
    if (options.includeRevoked !== true) void query.whereNull('revoked_at');
    const rows = await query;
    return rows.map(toInfo);
  }

  /** Revoke the active key with this id or name; effective at once in this process, within the cache TTL elsewhere. */
  async revoke(idOrName: string, actor = 'system'): Promise<ApiKeyInfo> {
    const at = this.now().toISOString();
    const revoked = await this.db.transaction(async (trx) => {
      const row = await trx<ApiKeyRow>('api_keys')
        .whereNull('revoked_at')
        .andWhere((q) => void q.where({ id: idOrName }).orWhere({ name: idOrName }))
        .first();
      if (row === undefined) throw new TriageError('TRIAGE_AUTH_KEY_NOT_FOUND', [JSON.stringify(idOrName)]);
      await this.markRevoked(trx, row, actor, at);
      return { ...row, revoked_at: at };
    });
    this.forget(revoked.id);
    return toInfo(revoked);
  }

  /**
   * Make `value` an active admin key named `bootstrap` (for automation that
   * sets TRIAGE_BOOTSTRAP_KEY). Idempotent over restarts; a changed value
   * revokes the previous bootstrap key. A bootstrap key revoked by hand comes
   * back at the next start while the variable still holds it: to retire it,
   * change or unset the variable.
   */
  async ensureBootstrapKey(value: string): Promise<{ id: string; created: boolean }> {
    if (value.length < MIN_BOOTSTRAP_KEY_LENGTH) {
      throw new TriageError('TRIAGE_AUTH_WEAK_BOOTSTRAP_KEY', [`is shorter than ${MIN_BOOTSTRAP_KEY_LENGTH} characters`]);
    }
    if (value.length > MAX_KEY_LENGTH) throw new TriageError('TRIAGE_AUTH_WEAK_BOOTSTRAP_KEY', [`is longer than ${MAX_KEY_LENGTH} characters`]);
    const hash = hashKey(value);
    const actor = 'system:TRIAGE_BOOTSTRAP_KEY';
    // Several instances may start at once: the partial unique indexes let only
    // one insert win, and the others re-read and find its key.
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.db.transaction(async (trx) => {
          const active = await trx<ApiKeyRow>('api_keys')
            .whereNull('revoked_at')
            .andWhere((q) => void q.where({ name: BOOTSTRAP_KEY_NAME }).orWhere({ key_hash: hash }));
          const same = active.find((r) => r.key_hash === hash);
          if (same !== undefined && same.name === BOOTSTRAP_KEY_NAME) return { id: same.id, created: false, revoked: [] as string[] };
          if (same !== undefined) throw new TriageError('TRIAGE_AUTH_WEAK_BOOTSTRAP_KEY', [`is already the API key "${same.name}"`]);
          const at = this.now().toISOString();
          for (const old of active) await this.markRevoked(trx, old, actor, at);
          const row = await this.insert(trx, { name: BOOTSTRAP_KEY_NAME, scopes: ['admin'], key: value, actor });
          return { id: row.id, created: true, revoked: active.map((r) => r.id) };
        });
        for (const id of outcome.revoked) this.forget(id);
        return { id: outcome.id, created: outcome.created };
      } catch (error) {
        if (attempt < 3 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  /**
   * On a database without any active key, create an admin key named
   * `initial-admin` and return it (the caller prints it once); otherwise
   * undefined. Revoking every key therefore makes the next start issue a new
   * one — the recovery path for a lost last admin key.
   */
  async ensureInitialAdminKey(): Promise<CreatedApiKey | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (trx) => {
          const any = await trx('api_keys').whereNull('revoked_at').first('id');
          if (any !== undefined) return undefined;
          const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
          const row = await this.insert(trx, { name: INITIAL_ADMIN_KEY_NAME, scopes: ['admin'], key, actor: 'system:first-start' });
          return { id: row.id, name: row.name, scopes: ['admin'] as Scope[], key, createdAt: row.created_at };
        });
      } catch (error) {
        // Another instance created it first: the next read sees its key.
        if (attempt < 3 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  private async insert(db: Knex | Knex.Transaction, input: { name: string; scopes: readonly Scope[]; key: string; actor: string }): Promise<ApiKeyRow> {
    const row: ApiKeyRow = {
      id: randomUUID(),
      name: input.name,
      key_hash: hashKey(input.key),
      prefix: displayPrefix(input.key),
      scopes: JSON.stringify(input.scopes),
      created_at: this.now().toISOString(),
      last_used_at: null,
      revoked_at: null,
    };
    const write = async (trx: Knex.Transaction): Promise<void> => {
      await trx('api_keys').insert(row);
      await trx('api_key_events').insert({ id: randomUUID(), key_id: row.id, key_name: row.name, action: 'created', actor: input.actor, at: row.created_at });
    };
    try {
      if (db.isTransaction === true) await write(db as Knex.Transaction);
      else await db.transaction(write);
    } catch (error) {
      // Only the active-name index can fire for a fresh random key; callers
      // that insert a given value (bootstrap) retry on the violation instead.
      if (isUniqueViolation(error) && db.isTransaction !== true) throw new TriageError('TRIAGE_AUTH_KEY_NAME_TAKEN', [row.name], { cause: error });
      throw error;
    }
    return row;
  }

  private async markRevoked(trx: Knex.Transaction, row: ApiKeyRow, actor: string, at: string): Promise<void> {
    await trx('api_keys').where({ id: row.id }).update({ revoked_at: at });
    await trx('api_key_events').insert({ id: randomUUID(), key_id: row.id, key_name: row.name, action: 'revoked', actor, at });
  }

  private remember(hash: string, entry: CachedKey): void {
    // Bounded: a flood of distinct valid keys must not grow memory without end.
    if (this.cache.size >= MAX_CACHED_KEYS) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    this.cache.set(hash, entry);
  }

  private forget(id: string): void {
    for (const [hash, entry] of this.cache) if (entry.principal.id === id) this.cache.delete(hash);
  }
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Enough to tell keys apart in a listing, far too little to guess the rest (8 of 43 random characters). */
function displayPrefix(key: string): string {
  return key.startsWith(KEY_PREFIX) ? key.slice(0, KEY_PREFIX.length + 8) : `${key.slice(0, 4)}…`;
}

function checkName(raw: string): string {
  const name = raw.trim();
  if (!NAME_PATTERN.test(name)) {
    throw new TriageError('TRIAGE_AUTH_INVALID_KEY_NAME', [raw, name === '' ? 'it is empty' : 'it has characters other than letters, digits and . _ - @ : or is longer than 64']);
  }
  return name;
}

function checkScopes(raw: readonly string[]): Scope[] {
  const given = raw.map((s) => s.trim()).filter((s) => s !== '');
  if (given.length === 0) throw new TriageError('TRIAGE_AUTH_UNKNOWN_SCOPE', ['no scope given']);
  const unknown = given.filter((s) => !isScope(s));
  if (unknown.length > 0) throw new TriageError('TRIAGE_AUTH_UNKNOWN_SCOPE', [unknown.map((s) => JSON.stringify(s)).join(', ')]);
  return [...new Set(given.filter(isScope))];
}

/** A scope unknown to this version (written by a newer one) grants nothing rather than failing the key. */
function parseScopes(text: string): Scope[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((s): s is Scope => typeof s === 'string' && isScope(s)) : [];
}

function toInfo(row: ApiKeyRow): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    scopes: parseScopes(row.scopes),
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
