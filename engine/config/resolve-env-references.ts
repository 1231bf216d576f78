/**
 * `${env:NAME}` references in configuration. Secrets live in the environment
 * (or whatever injects it: systemd credentials, Kubernetes secrets), never in
 * files that end up in git. A reference to an unset variable is an error, not
 * an empty string, so a missing secret is found at start-up, not at 3 a.m.
 */
const REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface EnvResolution {
  value: unknown;
  missing: { path: string; name: string }[];
}

export function resolveEnvReferences(value: unknown, env: Readonly<Record<string, string | undefined>>, path = ''): EnvResolution {
  const missing: EnvResolution['missing'] = [];
  const walk = (v: unknown, p: string): unknown => {
    if (typeof v === 'string') {
      return v.replace(REF, (_m, name: string) => {
        const found = env[name];
        if (found === undefined) {
          missing.push({ path: p, name });
          return '';
        }
        return found;
      });
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${p}[${i}]`));
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, p ? `${p}.${k}` : k)]));
    }
    return v;
  };
  return { value: walk(value, path), missing };
}

/** True when the whole string is one `${env:NAME}` reference. */
export function isEnvReference(v: unknown): boolean {
  return typeof v === 'string' && /^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/.test(v);
}
