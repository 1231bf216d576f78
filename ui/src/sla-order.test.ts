import { describe, expect, it } from 'vitest';
import { byUrgency, countByState } from './sla-order.js';

const t = (id: string, state: 'breached' | 'warning' | 'due' | 'paused' | 'none' | undefined, msLeft: number | null, createdAt = '2026-03-01T00:00:00Z') => ({
  id,
  createdAt,
  sla: state === undefined ? undefined : { state, msLeft },
});

describe('queue order', () => {
  it('puts breached first, then warnings, then on time by least time left; paused and no SLA last', () => {
    const list = [t('none', 'none', null), t('due-late', 'due', 50_000), t('paused', 'paused', null), t('warn', 'warning', 10_000), t('due-soon', 'due', 20_000), t('b-recent', 'breached', -1_000), t('b-long', 'breached', -90_000), t('missing', undefined, null, '2026-01-01T00:00:00Z')];
    expect(byUrgency(list).map((x) => x.id)).toEqual(['b-long', 'b-recent', 'warn', 'due-soon', 'due-late', 'paused', 'missing', 'none']);
  });

  it('does not change its input and counts states', () => {
    const list = [t('a', 'due', 1), t('b', 'breached', -1), t('c', undefined, null)];
    byUrgency(list);
    expect(list.map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect(countByState(list)).toEqual({ breached: 1, warning: 0, due: 1, paused: 0, none: 1 });
  });
});
