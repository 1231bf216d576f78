/** The auto-reply count reads the window through its partial index, not the whole messages table (SQLite and PostgreSQL). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import { autoReplyCountQuery } from './auto-reply-limit.js';

describe.each<StoreKind>(['sqlite', 'postgres'])('auto-reply count index (%s)', (kind) => {
  let harness: StoreHarness;
  beforeAll(() => {
    harness = createStoreHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('has a partial index on outbound messages by time, and the count query uses it', async () => {
    const db = await harness.open();
    const query = autoReplyCountQuery(db, 'Jan@Example.PL', '2026-01-01T00:00:00.000Z').toSQL();
    if (kind === 'sqlite') {
      const plan = (await db.raw(`explain query plan ${query.sql}`, query.bindings)) as Array<{ detail: string }>;
      expect(plan.map((r) => r.detail).join('\n')).toContain('messages_outbound_created_at');
    } else {
      // On an empty table the planner may prefer a scan; what must hold is that the index exists as written.
      const rows = ((await db.raw("select indexdef from pg_indexes where indexname = 'messages_outbound_created_at'")) as { rows: Array<{ indexdef: string }> }).rows;
      expect(rows).toHaveLength(1);
      expect(rows[0]?.indexdef).toMatch(/\(created_at\) WHERE \(direction = 'outbound'::text\)/);
    }
  });
});
