import type { ResolvedConfig } from '../config/load-config.js';
import { loadSlaPolicy } from '../sla/policy/load-sla-policy.js';

/**
 * The default zone of the breach heatmap: the zone of the configured SLA
 * policy's first business-hours calendar (where "10:00 on a Monday" means
 * something to the team), else UTC. A policy that cannot be read falls back
 * to UTC: the report still answers, and `triage serve` reports the policy.
 */
export async function defaultReportTimeZone(config: Pick<ResolvedConfig, 'sla'>): Promise<string> {
  if (config.sla.policyFile === undefined) return 'UTC';
  try {
    const policy = await loadSlaPolicy(config.sla.policyFile);
    return [...policy.calendars.values()].find((c) => !c.alwaysOpen)?.timezone ?? 'UTC';
  } catch {
    return 'UTC';
  }
}
