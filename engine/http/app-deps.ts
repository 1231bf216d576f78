import type { Knex } from 'knex';
import type { ResolvedConfig } from '../config/load-config.js';
import type { RuleSetHolder } from '../rules-runtime/rule-set-holder.js';
import type { TicketService } from '../tickets/ticket-service.js';
import type { ApiKeyVerifier } from './auth/principal.js';
import type { AppMetrics } from './metrics.js';

/** Everything the HTTP layer needs, built once by the composition root (engine/server/start-server.ts). */
export interface AppDeps {
  config: ResolvedConfig;
  db: Knex;
  rules: RuleSetHolder;
  tickets: TicketService;
  keys: ApiKeyVerifier;
  metrics: AppMetrics;
}
