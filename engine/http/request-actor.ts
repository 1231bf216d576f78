import type { FastifyRequest } from 'fastify';
import type { Actor } from '../tickets/audit-event.js';

/**
 * The audit actor of a request: the API key's name, or `signature:<channel>`
 * for a signed webhook (R21). The auth hook has run, so a principal exists on
 * every route with a scope; `api` is a fallback that should never be seen.
 */
export function requestActor(request: FastifyRequest): Actor {
  return { type: 'user', id: request.principal?.name ?? 'api' };
}
