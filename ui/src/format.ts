/**
 * Pure formatting for the dashboard: no DOM, so the unit tests run in node
 * (format.test.ts).
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** A duration as a person reads it: "45m", "2h 05m", "3d 4h", "<1m". Sign ignored. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < MIN) return '<1m';
  if (abs < HOUR) return `${Math.floor(abs / MIN)}m`;
  if (abs < DAY) {
    const h = Math.floor(abs / HOUR);
    const m = Math.floor((abs % HOUR) / MIN);
    return `${h}h ${String(m).padStart(2, '0')}m`;
  }
  const d = Math.floor(abs / DAY);
  const h = Math.floor((abs % DAY) / HOUR);
  return h === 0 ? `${d}d` : `${d}d ${h}h`;
}

/** SLA time left: "12m left", "1h 05m overdue", "—" without a due time. */
export function formatTimeLeft(msLeft: number | null): string {
  if (msLeft === null) return '—';
  return msLeft < 0 ? `${formatDuration(msLeft)} overdue` : `${formatDuration(msLeft)} left`;
}

export type SlaStateName = 'breached' | 'warning' | 'due' | 'paused' | 'none';

const SLA_LABELS: Record<SlaStateName, string> = { breached: 'Breached', warning: 'Warning', due: 'On time', paused: 'Paused', none: 'No SLA' };

export function slaLabel(state: SlaStateName): string {
  return SLA_LABELS[state];
}

/** An instant in a time zone, to the minute: "2026-03-04 13:05". */
export function formatInstant(iso: string | null, timeZone?: string): string {
  if (iso === null) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/** A share 0..1 as a percentage, "—" when unknown. */
export function formatShare(share: number | null): string {
  return share === null ? '—' : `${Math.round(share * 1000) / 10}%`;
}

/** Any stored value (audit old/new values, condition values) as short text. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (value === null) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** A rule-set version (sha256:…) shortened for tables. */
export function shortVersion(version: string | null): string {
  if (version === null) return '—';
  const hash = version.replace(/^sha256:/, '');
  return hash.length > 12 ? hash.slice(0, 12) : hash;
}
