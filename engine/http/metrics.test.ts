import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

async function sample(text: string, line: string): Promise<number | undefined> {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('metrics', () => {
  it('counts evaluations and rule hits exactly, across scrapes, as prom-client would', async () => {
    const metrics = createMetrics();
    metrics.evaluations.inc({ event: 'ticket.created', source: 'api' });
    metrics.evaluations.inc({ event: 'ticket.created', source: 'api' }, 2);
    metrics.evaluations.inc({ event: 'ticket.created', source: 'ticket' });
    for (const rule of ['a', 'b', 'a']) metrics.ruleHits.inc({ rule, event: 'ticket.created' });
    let text = await metrics.registry.metrics();
    expect(await sample(text, 'triage_evaluations_total{event="ticket.created",source="api"}')).toBe(3);
    expect(await sample(text, 'triage_evaluations_total{event="ticket.created",source="ticket"}')).toBe(1);
    expect(await sample(text, 'triage_rule_hits_total{rule="a",event="ticket.created"}')).toBe(2);
    expect(await sample(text, 'triage_rule_hits_total{rule="b",event="ticket.created"}')).toBe(1);

    metrics.ruleHits.inc({ rule: 'b', event: 'ticket.created' });
    text = await metrics.registry.metrics();
    expect(await sample(text, 'triage_rule_hits_total{rule="a",event="ticket.created"}')).toBe(2);
    expect(await sample(text, 'triage_rule_hits_total{rule="b",event="ticket.created"}')).toBe(2);
    expect((await metrics.ruleHits.get()).values.map((v) => v.value).sort()).toEqual([2, 2]);
  });

  it('reports the SQLite write-ahead log as the checkpointer last saw it, and has no such metric without one', async () => {
    const wal = { frames: 812, restarts: 3 };
    const metrics = createMetrics({ sqliteWal: () => wal });
    let text = await metrics.registry.metrics();
    expect(await sample(text, 'triage_sqlite_wal_frames')).toBe(812);
    expect(await sample(text, 'triage_sqlite_wal_restarts')).toBe(3);
    wal.frames = 40;
    wal.restarts = 4;
    text = await metrics.registry.metrics();
    expect(await sample(text, 'triage_sqlite_wal_frames')).toBe(40);
    expect(await sample(text, 'triage_sqlite_wal_restarts')).toBe(4);
    // PostgreSQL, or a CLI without a checkpointer: neither metric exists.
    text = await createMetrics().registry.metrics();
    expect(text).not.toContain('triage_sqlite_wal');
  });

  it('reports what the SQLite writer thread did, and has no such metric without one', async () => {
    const writer = { batches: 12, pieces: 70, restarts: 0 };
    const metrics = createMetrics({ sqliteWriter: () => writer });
    let text = await metrics.registry.metrics();
    expect(await sample(text, 'triage_sqlite_writer_batches')).toBe(12);
    expect(await sample(text, 'triage_sqlite_writer_pieces')).toBe(70);
    expect(await sample(text, 'triage_sqlite_writer_restarts')).toBe(0);
    writer.batches = 13;
    writer.restarts = 1;
    text = await metrics.registry.metrics();
    expect(await sample(text, 'triage_sqlite_writer_batches')).toBe(13);
    expect(await sample(text, 'triage_sqlite_writer_restarts')).toBe(1);
    expect(await createMetrics().registry.metrics()).not.toContain('triage_sqlite_writer');
  });

  it('refuses what prom-client refuses: unknown labels, negative values', () => {
    const metrics = createMetrics();
    expect(() => metrics.evaluations.inc({ event: 'e', source: 'api', other: 'x' } as never)).toThrow();
    expect(() => metrics.evaluations.inc({ event: 'e', source: 'api' }, -1)).toThrow();
  });
});
