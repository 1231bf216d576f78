import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import configSchema from '../../schemas/config.schema.json' with { type: 'json' };
import type { ChannelsConfig, EmailConfig, EscalationConfig, TriageConfig } from '../../schemas/types/config.js';
import { parseSourceDocument } from '../../rules/lib/source-document.js';
import { TriageError } from '../errors/triage-error.js';
import { checkExtraPatterns } from '../privacy/mask-pii.js';
import { enrichmentSettings, type EnrichmentSettings } from '../enrichment/enrichment-settings.js';
import { orderSettings, type OrderSettings } from '../orders/order-settings.js';
import { mailSettings, type MailSettings } from '../mail/mail-settings.js';
import { automationSettings, type AutomationSettings } from '../automations/automation-settings.js';
import { isEnvReference, resolveEnvReferences } from './resolve-env-references.js';
import { roleSettings, workerSettings, type RoleSettings, type WorkerSettings } from './role-settings.js';

export interface ResolvedConfig {
  /** The file read, if any. */
  file: string | undefined;
  server: { host: string; port: number; bodyLimit: number; logLevel: string };
  database: { url: string | undefined; sqlitePath: string };
  rules: { dir: string; watch: boolean };
  channels: ChannelsConfig;
  /** PII masking and retention (docs/privacy.md); extraPatterns are already checked. */
  privacy: { extraPatterns: string[]; maskOutbound: boolean; retention: { closedTicketDays: number | undefined; intervalMinutes: number } };
  /** connections.yaml to load (docs/connectors.md); undefined when none is configured and ./connections.yaml does not exist. */
  connectionsFile: string | undefined;
  /** CRM enrichment of new tickets (docs/enrichment.md); undefined when not configured. */
  enrichment: EnrichmentSettings | undefined;
  /** E-commerce order facts (docs/orders.md); undefined when not configured. */
  orders: OrderSettings | undefined;
  /** Customer mail (reply, acknowledge) and escalation e-mail: connection and sender overrides (docs/outbox.md). */
  email: EmailConfig;
  /** Targets of `escalate` by role (docs/outbox.md). */
  escalation: EscalationConfig;
  /** SLA policy file (docs/sla.md); undefined when none is configured and <rules.dir>/sla/policy.yaml does not exist. */
  sla: { policyFile: string | undefined; sweepSeconds: number };
  /** Follow-ups, cron schedules and CSAT links (docs/automations.md); publicUrl from server.publicUrl. */
  automations: AutomationSettings;
  /** IMAP mailboxes of the e-mail channel (docs/email.md); no mailboxes when not configured. */
  mail: MailSettings;
  /** What this instance runs: `roles:` / TRIAGE_ROLES (docs/deployment.md). */
  roles: RoleSettings;
  /** The workers role: claim leases (`workers.leaseSeconds` / TRIAGE_LEASE_SECONDS). */
  workers: WorkerSettings;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile<TriageConfig>(configSchema);
const SECRET_KEY = /(secret|password|token|apikey|api_key)$/i;

export const DEFAULT_CONFIG_FILE = 'triage.config.yaml';
export const DEFAULT_CONNECTIONS_FILE = 'connections.yaml';

/**
 * Configuration = defaults ← triage.config.yaml (schema-validated, `${env:NAME}`
 * resolved) ← environment overrides (PORT, HOST, DATABASE_URL,
 * TRIAGE_SQLITE_PATH, TRIAGE_RULES, TRIAGE_RULES_WATCH, TRIAGE_LOG_LEVEL, TRIAGE_CONNECTIONS, TRIAGE_ROLES,
 * TRIAGE_LEASE_SECONDS). The file is optional:
 * without one, `npm start` serves the shipped rules on SQLite.
 */
export async function loadConfig(options: { file?: string; env: Readonly<Record<string, string | undefined>> }): Promise<ResolvedConfig> {
  const { env } = options;
  const explicit = options.file ?? env.TRIAGE_CONFIG;
  const file = explicit ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  let raw: TriageConfig = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new TriageError('TRIAGE_CONFIG_INVALID', [file, e instanceof Error ? e.message : String(e)]);
    }
    const parsed = parseSourceDocument(file, text);
    if (!parsed.ok) {
      const d = parsed.diagnostics[0];
      throw new TriageError('TRIAGE_CONFIG_INVALID', [file, d ? `${d.line}:${d.column} ${d.message}` : 'syntax error']);
    }
    const data = parsed.document.data ?? {};
    if (!validate(data)) {
      const problems = (validate.errors ?? []).map((err) => {
        const path = err.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
        const at = parsed.document.locate(path);
        const extra = err.keyword === 'additionalProperties' ? ` "${(err.params as { additionalProperty: string }).additionalProperty}"` : '';
        return `${file}:${at.line}:${at.column} ${err.instancePath || '/'} ${err.message ?? 'is invalid'}${extra}`;
      });
      throw new TriageError('TRIAGE_CONFIG_INVALID', [file, problems.join('; ')]);
    }
    const patternProblems = checkExtraPatterns((data as TriageConfig).privacy?.extraPatterns ?? []);
    if (patternProblems.length > 0) {
      const at = parsed.document.locate(['privacy', 'extraPatterns']);
      throw new TriageError('TRIAGE_CONFIG_INVALID', [file, `${file}:${at.line}:${at.column} privacy.extraPatterns ${patternProblems.join('; ')}`]);
    }
    const literal = findLiteralSecrets(data);
    if (literal.length > 0) throw new TriageError('TRIAGE_CONFIG_LITERAL_SECRET', [literal.join(', '), file]);
    const resolved = resolveEnvReferences(data, env);
    if (resolved.missing.length > 0) {
      throw new TriageError('TRIAGE_CONFIG_MISSING_ENV', [resolved.missing.map((m) => `${m.name} (${m.path})`).join(', ')]);
    }
    raw = resolved.value as TriageConfig;
  }
  const port = env.PORT !== undefined ? Number(env.PORT) : (raw.server?.port ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TriageError('TRIAGE_CONFIG_INVALID', ['PORT', `"${env.PORT}" is not a port number`]);
  const dbUrl = env.DATABASE_URL ?? raw.database?.url;
  return {
    file,
    server: {
      host: env.HOST ?? raw.server?.host ?? '0.0.0.0',
      port,
      bodyLimit: raw.server?.bodyLimit ?? 1_048_576,
      logLevel: env.TRIAGE_LOG_LEVEL ?? raw.server?.logLevel ?? 'info',
    },
    database: { url: dbUrl === '' ? undefined : dbUrl, sqlitePath: env.TRIAGE_SQLITE_PATH ?? raw.database?.sqlitePath ?? './data/triage.db' },
    rules: { dir: env.TRIAGE_RULES ?? raw.rules?.dir ?? 'rules/default', watch: env.TRIAGE_RULES_WATCH !== undefined ? env.TRIAGE_RULES_WATCH !== 'false' && env.TRIAGE_RULES_WATCH !== '0' : (raw.rules?.watch ?? true) },
    channels: raw.channels ?? {},
    privacy: {
      extraPatterns: raw.privacy?.extraPatterns ?? [],
      maskOutbound: raw.privacy?.maskOutbound ?? true,
      retention: { closedTicketDays: raw.privacy?.retention?.closedTicketDays, intervalMinutes: raw.privacy?.retention?.intervalMinutes ?? 60 },
    },
    connectionsFile: env.TRIAGE_CONNECTIONS ?? raw.connectionsFile ?? (existsSync(DEFAULT_CONNECTIONS_FILE) ? DEFAULT_CONNECTIONS_FILE : undefined),
    enrichment: enrichmentSettings(raw.enrichment),
    orders: orderSettings(raw.orders),
    email: raw.email ?? {},
    escalation: raw.escalation ?? {},
    sla: { policyFile: env.TRIAGE_SLA_POLICY ?? raw.sla?.policy ?? defaultSlaPolicyFile(env.TRIAGE_RULES ?? raw.rules?.dir ?? 'rules/default'), sweepSeconds: sweepSeconds(env.TRIAGE_SLA_SWEEP_SECONDS, raw.sla?.sweepSeconds) },
    automations: automationSettings(raw.automations, raw.server?.publicUrl, env),
    mail: mailSettings(raw.mail),
    roles: roleSettings(raw.roles, env.TRIAGE_ROLES),
    workers: workerSettings(raw.workers, env.TRIAGE_LEASE_SECONDS),
  };
}

/** SLA sweep interval: TRIAGE_SLA_SWEEP_SECONDS, else sla.sweepSeconds (schema-checked), else 15 s. */
function sweepSeconds(env: string | undefined, configured: number | undefined): number {
  if (env === undefined || env === '') return configured ?? 15;
  const seconds = Number(env);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) throw new TriageError('TRIAGE_CONFIG_INVALID', ['TRIAGE_SLA_SWEEP_SECONDS', `"${env}" is not a whole number of seconds from 1 to 3600`]);
  return seconds;
}

/** The shipped layout keeps the policy next to the rules: <rules.dir>/sla/policy.yaml (the rule loader does not read sub-folders). */
function defaultSlaPolicyFile(rulesDir: string): string | undefined {
  const file = join(rulesDir, 'sla', 'policy.yaml');
  return existsSync(file) ? file : undefined;
}

function findLiteralSecrets(value: unknown, path = ''): string[] {
  if (!value || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    if (SECRET_KEY.test(k) && typeof v === 'string' && !isEnvReference(v)) out.push(p);
    else if (k !== 'schema') out.push(...findLiteralSecrets(v, p));
  }
  return out;
}
