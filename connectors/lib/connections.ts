import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import connectionsSchema from '../../schemas/connections.schema.json' with { type: 'json' };
import type { ConnectionsFile } from '../../schemas/types/connections.js';
import { createDiagnostic, formatDiagnostic, type Diagnostic } from '../../engine/errors/diagnostic.js';
import type { ErrorCode } from '../../engine/errors/error-catalogue.js';
import { TriageError } from '../../engine/errors/triage-error.js';
import { isEnvReference } from '../../engine/config/resolve-env-references.js';
import { didYouMean } from '../../rules/lib/closest-match.js';
import { parseSourceDocument, type PathSegment } from '../../rules/lib/source-document.js';
import type { ConnectorContext, ConnectorDefinition, ConnectorInstance, ConnectorKind } from './connector.js';
import { connectorRegistry, type ConnectorRegistry } from './registry.js';
import { maskSensitive, sensitiveValues, visitSensitive, type SettingsPath } from './sensitive-fields.js';

/**
 * connections.yaml: the named connections rule actions and enrichment use.
 *
 *   connections:
 *     orders-hook: { connector: webhook, url: https://…, secret: "${env:ORDERS_HOOK_SECRET}" }
 *
 * Loading checks everything up front, so a missing secret is found at
 * start-up, not at 3 a.m. when the first P1 tries to page someone: the file's
 * shape (schemas/connections.schema.json), that each connector exists, that
 * every sensitive setting is an `${env:NAME}` reference (a literal secret
 * would end up in git), that every referenced variable is set, and the
 * resolved settings against the connector's `credentials` schema (defaults
 * filled in, strings from the environment coerced to numbers/booleans where
 * the schema says so). Every problem is a diagnostic at file:line:col; all of
 * them are reported together in one TRIAGE_CONNECTIONS_INVALID.
 */
export interface Connection {
  name: string;
  connector: ConnectorDefinition;
  /** Resolved settings, secrets included: for the connector only, never for display (use `list()`). */
  settings: Readonly<Record<string, unknown>>;
  /** Where the connection is defined. */
  at: { file: string; line: number; column: number };
}

export interface ConnectionSummary {
  name: string;
  connector: string;
  kind: ConnectorKind;
  /** Resolved settings with every sensitive value replaced by "***". */
  settings: Record<string, unknown>;
}

export interface Connections {
  /** The file loaded, or undefined when there is none. */
  file: string | undefined;
  has(name: string): boolean;
  /** Throws TRIAGE_CONNECTIONS_UNKNOWN (with a did-you-mean). */
  get(name: string): Connection;
  /** Safe to show, log or return from the API. */
  list(): ConnectionSummary[];
  /**
   * The connection an action of `connector` uses: the one it names, else the
   * connection named like the connector, else the only one of that connector.
   * Throws TRIAGE_CONNECTIONS_UNKNOWN / _WRONG_CONNECTOR / _NO_DEFAULT.
   */
  connectionFor(connector: string, requested?: string): Connection;
  /** The connector bound to this connection, created on first use and cached. */
  instance(name: string): ConnectorInstance;
  /** All sensitive values, to scrub from anything stored or shown (error messages, attempt logs). */
  secrets(): string[];
  /** Close every instance created. */
  close(): Promise<void>;
}

export interface LoadConnectionsOptions {
  /** undefined: no connections (a deployment without integrations). */
  file: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  registry?: ConnectorRegistry;
  /** Log sink handed to connectors (they never pass secrets to it). */
  log?: ConnectorContext['log'];
}

const fileAjv = new Ajv({ allErrors: true, strict: false });
const validateFile = fileAjv.compile<ConnectionsFile>(connectionsSchema);
// Settings come partly from the environment, where everything is a string:
// coerce "5000" to 5000 where the schema wants a number, and fill defaults so
// connectors get complete settings.
const settingsAjv = new Ajv({ allErrors: true, strict: false, useDefaults: true, coerceTypes: true });
const settingsValidators = new WeakMap<ConnectorDefinition, ValidateFunction>();

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

export async function loadConnections(options: LoadConnectionsOptions): Promise<Connections> {
  const registry = options.registry ?? connectorRegistry;
  if (options.file === undefined) return createConnections(undefined, [], options.log);
  const file = options.file;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new TriageError('TRIAGE_CONNECTIONS_READ', [file, e instanceof Error ? e.message : String(e)]);
  }
  const parsed = parseSourceDocument(file, text);
  if (!parsed.ok) {
    fail(file, parsed.diagnostics.map((d) => createDiagnostic('TRIAGE_CONNECTIONS_SYNTAX', d, d.message)));
  }
  const doc = parsed.document;
  const diagnostics: Diagnostic[] = [];
  const report = (code: ErrorCode, path: readonly PathSegment[], args: unknown[], key = false): void => {
    diagnostics.push(createDiagnostic(code, { file, ...doc.locate(path, { key }) }, ...args));
  };

  const data = doc.data ?? {};
  if (!validateFile(data)) {
    for (const err of validateFile.errors ?? []) reportSchemaError(report, [], err);
    fail(file, diagnostics);
  }

  const connections: Connection[] = [];
  for (const [name, entry] of Object.entries(data.connections)) {
    const base: PathSegment[] = ['connections', name];
    const def = registry.get(entry.connector);
    if (!def) {
      report('TRIAGE_CONNECTIONS_UNKNOWN_CONNECTOR', [...base, 'connector'], [name, entry.connector, didYouMean(entry.connector, registry.keys())]);
      continue;
    }
    const { connector: _connector, ...raw } = entry;
    const problems = diagnostics.length;
    visitSensitive(def.credentials, raw, (path, value) => {
      if (!isEnvReference(value)) report('TRIAGE_CONNECTIONS_LITERAL_SECRET', [...base, ...path], [name, dotted(path)]);
    });
    const settings = resolveEnv(raw, options.env, (path, variable) => report('TRIAGE_CONNECTIONS_MISSING_ENV', [...base, ...path], [name, dotted(path), variable]));
    if (diagnostics.length > problems) continue;
    const validate = settingsValidator(def);
    if (!validate(settings)) {
      for (const err of validate.errors ?? []) reportSchemaError(report, base, err, `connection "${name}" (${def.name})`);
      continue;
    }
    for (const problem of def.validateSettings?.(settings) ?? []) report('TRIAGE_CONNECTIONS_SCHEMA', base, [`connection "${name}" (${def.name}): ${problem}`], true);
    if (diagnostics.length > problems) continue;
    connections.push({ name, connector: def, settings, at: { file, ...doc.locate(base, { key: true }) } });
  }
  if (diagnostics.length > 0) fail(file, diagnostics);
  return createConnections(file, connections, options.log);
}

function createConnections(file: string | undefined, list: Connection[], log: ConnectorContext['log'] | undefined): Connections {
  const byName = new Map(list.map((c) => [c.name, c]));
  const instances = new Map<string, ConnectorInstance>();
  const get = (name: string): Connection => {
    const c = byName.get(name);
    if (!c) throw new TriageError('TRIAGE_CONNECTIONS_UNKNOWN', [name, byName.size === 0 ? ` (${file === undefined ? 'no connections file is configured' : `${file} defines none`})` : didYouMean(name, byName.keys())]);
    return c;
  };
  return {
    file,
    has: (name) => byName.has(name),
    get,
    list: () => list.map((c) => ({ name: c.name, connector: c.connector.name, kind: c.connector.kind, settings: maskSensitive(c.connector.credentials, { ...c.settings }) })),
    connectionFor: (connector, requested) => {
      if (requested !== undefined) {
        const c = get(requested);
        if (c.connector.name !== connector) throw new TriageError('TRIAGE_CONNECTIONS_WRONG_CONNECTOR', [requested, c.connector.name, connector]);
        return c;
      }
      const named = byName.get(connector);
      if (named?.connector.name === connector) return named;
      const candidates = list.filter((c) => c.connector.name === connector);
      const only = candidates[0];
      if (candidates.length === 1 && only) return only;
      throw new TriageError('TRIAGE_CONNECTIONS_NO_DEFAULT', [
        connector,
        candidates.length === 0 ? 'none is defined' : `several are defined (${candidates.map((c) => c.name).join(', ')}) and the action names none`,
      ]);
    },
    instance: (name) => {
      const cached = instances.get(name);
      if (cached) return cached;
      const c = get(name);
      const context: ConnectorContext = {
        connection: name,
        log: (level, message, data) => log?.(level, message, { connection: name, connector: c.connector.name, ...data }),
      };
      const created = c.connector.create({ ...c.settings }, context);
      instances.set(name, created);
      return created;
    },
    secrets: () => [...new Set(list.flatMap((c) => sensitiveValues(c.connector.credentials, { ...c.settings })))],
    close: async () => {
      const open = [...instances.values()];
      instances.clear();
      await Promise.all(open.map((i) => i.close?.()));
    },
  };
}

function settingsValidator(def: ConnectorDefinition): ValidateFunction {
  let v = settingsValidators.get(def);
  if (!v) {
    v = settingsAjv.compile(def.credentials);
    settingsValidators.set(def, v);
  }
  return v;
}

/** Resolves `${env:NAME}` in every string; reports each unset variable with the path it sits at. */
function resolveEnv(value: Record<string, unknown>, env: LoadConnectionsOptions['env'], missing: (path: SettingsPath, variable: string) => void): Record<string, unknown> {
  const walk = (v: unknown, path: SettingsPath): unknown => {
    if (typeof v === 'string') {
      return v.replace(ENV_REF, (_m, variable: string) => {
        const found = env[variable];
        if (found === undefined) missing(path, variable);
        return found ?? '';
      });
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, [...path, k])]));
    return v;
  };
  return walk(value, []) as Record<string, unknown>;
}

function reportSchemaError(report: (code: ErrorCode, path: readonly PathSegment[], args: unknown[], key?: boolean) => void, base: PathSegment[], err: ErrorObject, prefix?: string): void {
  const sub = err.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  // propertyNames failures come twice: the inner error (carrying the offending
  // key in `propertyName`) and a summary; report the inner one, at the key.
  if (err.keyword === 'propertyNames') return;
  const badKey = (err as ErrorObject & { propertyName?: string }).propertyName;
  const extra = err.keyword === 'additionalProperties' ? (err.params as { additionalProperty: string }).additionalProperty : badKey;
  const where = extra === undefined ? sub : [...sub, extra];
  let message = `${where.length === 0 ? '' : `${dotted(where)} `}${err.message ?? 'is invalid'}`;
  if (err.keyword === 'additionalProperties') message = `unknown setting "${dotted(where)}"`;
  if (badKey !== undefined) message = `name "${badKey}" ${err.message ?? 'is invalid'}`;
  if (err.keyword === 'enum') message += `: ${(err.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  report('TRIAGE_CONNECTIONS_SCHEMA', [...base, ...where], [prefix === undefined ? message : `${prefix}: ${message}`], extra !== undefined);
}

function dotted(path: readonly PathSegment[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function fail(file: string, diagnostics: readonly Diagnostic[]): never {
  const n = diagnostics.length;
  throw new TriageError('TRIAGE_CONNECTIONS_INVALID', [file, `${n} problem${n === 1 ? '' : 's'}\n  ${diagnostics.map(formatDiagnostic).join('\n  ')}`], { details: diagnostics });
}
