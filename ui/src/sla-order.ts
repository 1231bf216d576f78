import type { SlaStateName } from './format.js';

/** The part of a ticket's SLA state the queue sorts on. */
export interface SlaSortable {
  sla?: { state: SlaStateName; msLeft: number | null } | undefined;
  createdAt: string;
}

const RANK: Record<SlaStateName, number> = { breached: 0, warning: 1, due: 2, paused: 3, none: 4 };

/**
 * Queue order: breached first, then warnings, then on time, each by least
 * time left; paused and tickets without an SLA last, oldest first.
 */
export function byUrgency<T extends SlaSortable>(tickets: readonly T[]): T[] {
  const rank = (t: T): number => RANK[t.sla?.state ?? 'none'];
  return [...tickets].sort((a, b) => {
    const r = rank(a) - rank(b);
    if (r !== 0) return r;
    const la = a.sla?.msLeft ?? Number.POSITIVE_INFINITY;
    const lb = b.sla?.msLeft ?? Number.POSITIVE_INFINITY;
    if (la !== lb) return la < lb ? -1 : 1;
    return a.createdAt.localeCompare(b.createdAt);
  });
}

/** How many tickets are in each SLA state. */
export function countByState(tickets: readonly SlaSortable[]): Record<SlaStateName, number> {
  const counts: Record<SlaStateName, number> = { breached: 0, warning: 0, due: 0, paused: 0, none: 0 };
  for (const t of tickets) counts[t.sla?.state ?? 'none']++;
  return counts;
}
