import type { FastifyReply, FastifyRequest } from 'fastify';
import { TriageError } from '../../errors/triage-error.js';
import { hasScope, type ApiKeyVerifier, type Principal } from './principal.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, checkSignature } from './verify-signature.js';

export interface AuthOptions {
  keys: ApiKeyVerifier;
  /** HMAC secret of a channel (`phone`, `chat`, `form:<id>`), if it has one. */
  channelSecret: (channel: string) => string | undefined;
  nowSeconds?: () => number;
}

function presentedKey(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && /^Bearer(\s|$)/i.test(auth)) {
    const key = auth.replace(/^Bearer/i, '').trim();
    if (key.length > 0) return key;
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.trim().length > 0 ? header.trim() : undefined;
}

/**
 * onRequest/preHandler hook: a route that declares `config.scope` needs an API
 * key with that scope (401 without a valid key, 403 without the scope). A
 * route with `config.signedBy` also accepts an HMAC signature made with that
 * channel's secret, for PBX and chat platforms that sign but cannot send keys.
 * Runs as preValidation: after the body is read (the signature covers the raw
 * body) but before schema validation, so an anonymous caller gets 401, not 400.
 */
export function authHook(options: AuthOptions) {
  const now = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const { scope, signedBy } = request.routeOptions.config;
    if (scope === undefined) return;
    const key = presentedKey(request);
    if (key === undefined && signedBy !== undefined && request.headers[SIGNATURE_HEADER] !== undefined) {
      const secret = options.channelSecret(signedBy);
      if (secret === undefined) throw new TriageError('TRIAGE_AUTH_BAD_SIGNATURE', [`channel ${signedBy} has no secret configured`]);
      const header = (name: string): string | undefined => {
        const v = request.headers[name];
        return typeof v === 'string' ? v : undefined;
      };
      const problem = checkSignature(secret, { signature: header(SIGNATURE_HEADER), timestamp: header(TIMESTAMP_HEADER) }, request.rawBody ?? '', now());
      if (problem) throw new TriageError('TRIAGE_AUTH_BAD_SIGNATURE', [problem]);
      const principal: Principal = { id: `signature:${signedBy}`, name: `signature:${signedBy}`, scopes: ['channels'], via: 'signature' };
      request.principal = principal;
      if (!hasScope(principal, scope)) throw new TriageError('TRIAGE_AUTH_FORBIDDEN', [principal.name, scope]);
      return;
    }
    if (key === undefined) throw new TriageError('TRIAGE_AUTH_MISSING_KEY');
    const principal = await options.keys.verify(key);
    if (!principal) throw new TriageError('TRIAGE_AUTH_INVALID_KEY');
    request.principal = principal;
    if (!hasScope(principal, scope)) throw new TriageError('TRIAGE_AUTH_FORBIDDEN', [principal.name, scope]);
  };
}
