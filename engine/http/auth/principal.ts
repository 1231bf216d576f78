export const SCOPES = ['tickets:read', 'tickets:write', 'evaluate', 'channels', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}

/** Who made a request: an API key, or a channel that signed its webhook. */
export interface Principal {
  /** Key id, or `signature:<channel>`. */
  id: string;
  /** Shown in the audit log as the actor. */
  name: string;
  scopes: readonly Scope[];
  via: 'api-key' | 'signature';
}

/** `admin` implies every scope. */
export function hasScope(p: Principal, scope: Scope): boolean {
  return p.scopes.includes(scope) || p.scopes.includes('admin');
}

/** Checks presented API keys; implemented by the key store. */
export interface ApiKeyVerifier {
  verify(presentedKey: string): Promise<Principal | undefined>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Scope a caller needs; routes without one are public (health, docs). */
    scope?: Scope;
    /** Channel whose HMAC secret may sign this route's requests instead of an API key. */
    signedBy?: string;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
    rawBody: string | undefined;
  }
}
