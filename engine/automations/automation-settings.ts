import type { AutomationsConfig } from '../../schemas/types/config.js';

/** `automations:` of triage.config.yaml with defaults applied (docs/automations.md). */
export interface AutomationSettings {
  sweepIntervalMs: number;
  batchSize: number;
  catchUpMs: number;
  /** server.publicUrl (or TRIAGE_PUBLIC_URL): the base of survey links. */
  publicUrl: string | undefined;
  csat: {
    /** Already resolved from ${env:…}; or TRIAGE_CSAT_SECRET; undefined: generated per database. */
    secret: string | undefined;
    ttlMs: number;
  };
}

export function automationSettings(
  raw: AutomationsConfig | undefined,
  publicUrl: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): AutomationSettings {
  const envSecret = env.TRIAGE_CSAT_SECRET === '' ? undefined : env.TRIAGE_CSAT_SECRET;
  const envUrl = env.TRIAGE_PUBLIC_URL === '' ? undefined : env.TRIAGE_PUBLIC_URL;
  return {
    sweepIntervalMs: (raw?.sweepIntervalSeconds ?? 15) * 1000,
    batchSize: raw?.batchSize ?? 100,
    catchUpMs: (raw?.catchUpHours ?? 24) * 3_600_000,
    publicUrl: envUrl ?? publicUrl,
    csat: { secret: raw?.csat?.secret ?? envSecret, ttlMs: (raw?.csat?.ttlDays ?? 30) * 86_400_000 },
  };
}
