import type { TriageConfig } from '../../schemas/types/config.js';
import { TriageError } from '../errors/triage-error.js';

/** What an instance runs (docs/deployment.md). */
export interface RoleSettings {
  /** The HTTP API with every route. Without it only /healthz, /readyz and /metrics are served. */
  api: boolean;
  /** Background work: outbox dispatch, SLA sweeper, follow-ups and schedules, lookup retries, IMAP ingest, retention. */
  workers: boolean;
}

/** The workers role's settings. */
export interface WorkerSettings {
  /** How long a claim on background work stays exclusive; a dead instance's claims are taken over after it. */
  leaseMs: number;
}

const ROLE_NAMES = ['api', 'workers'] as const;
type RoleName = (typeof ROLE_NAMES)[number];

/**
 * `roles:` of triage.config.yaml (schema-checked), overridden by TRIAGE_ROLES:
 * `all`, `api`, `workers` or a comma-separated list (`api,workers`). Default all.
 */
export function roleSettings(raw: TriageConfig['roles'], env: string | undefined): RoleSettings {
  if (env !== undefined && env.trim() !== '') return fromNames(parseEnvRoles(env));
  if (raw === undefined || raw === 'all') return { api: true, workers: true };
  return fromNames(typeof raw === 'string' ? [raw] : raw);
}

/** workers.leaseSeconds, overridden by TRIAGE_LEASE_SECONDS; default 60 s. */
export function workerSettings(raw: TriageConfig['workers'], env: string | undefined): WorkerSettings {
  if (env === undefined || env === '') return { leaseMs: (raw?.leaseSeconds ?? 60) * 1000 };
  const seconds = Number(env);
  if (!Number.isInteger(seconds) || seconds < 2 || seconds > 3600) throw new TriageError('TRIAGE_CONFIG_INVALID', ['TRIAGE_LEASE_SECONDS', `"${env}" is not a whole number of seconds from 2 to 3600`]);
  return { leaseMs: seconds * 1000 };
}

/** The roles as a word for logs: all, api or workers. */
export function describeRoles(roles: RoleSettings): string {
  return roles.api && roles.workers ? 'all' : roles.api ? 'api' : 'workers';
}

function parseEnvRoles(env: string): RoleName[] {
  const names = env.split(',').map((s) => s.trim().toLowerCase());
  if (names.length === 1 && names[0] === 'all') return [...ROLE_NAMES];
  const unknown = names.filter((n) => !(ROLE_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new TriageError('TRIAGE_CONFIG_INVALID', ['TRIAGE_ROLES', `"${env}" is not all, api, workers or api,workers`]);
  }
  return names as RoleName[];
}

function fromNames(names: readonly string[]): RoleSettings {
  return { api: names.includes('api'), workers: names.includes('workers') };
}
