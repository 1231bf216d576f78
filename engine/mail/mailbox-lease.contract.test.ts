/**
 * The mailbox lease with several instances (docs/deployment.md): one holder at
 * a time, taken over when the holder's lease runs out (it died or stalled),
 * and a stalled holder can no longer move the cursor of the instance that
 * took over. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import { MailboxStateStore } from './mailbox-state-store.js';

const T0 = '2026-03-02T10:00:00.000Z';
const T1 = '2026-03-02T10:00:30.000Z';
const LEASE_END = '2026-03-02T10:01:00.000Z';
const T2 = '2026-03-02T10:01:01.000Z';
const LATER = '2026-03-02T10:02:01.000Z';

describe.each<StoreKind>(['sqlite', 'postgres'])('mailbox lease (%s)', (kind) => {
  let harness: StoreHarness;
  beforeAll(() => {
    harness = createStoreHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('lets one instance hold a mailbox, hands it over when the lease runs out, and fences the old holder off the cursor', async () => {
    const db = await harness.open();
    const a = new MailboxStateStore(db);
    const b = new MailboxStateStore(db);
    await a.ensure('support', T0);
    await b.ensure('support', T0);
    expect(await a.acquireLease('support', 'instance-a', LEASE_END, T0)).toBe(true);
    // B cannot take it while A's lease runs, A renews it
    expect(await b.acquireLease('support', 'instance-b', LATER, T1)).toBe(false);
    expect(await a.acquireLease('support', 'instance-a', LEASE_END, T1)).toBe(true);
    expect(await a.saveCursor('support', { uidValidity: '7', lastUid: 10 }, 10, T1, 'instance-a')).toBe(true);

    // A stops renewing (killed, or stalled): after its lease B takes over
    expect(await b.acquireLease('support', 'instance-b', LATER, T2)).toBe(true);
    expect(await b.saveCursor('support', { uidValidity: '7', lastUid: 20 }, 10, T2, 'instance-b')).toBe(true);
    // the stalled A wakes up and tries to renew and to save its older view: both refused
    expect(await a.acquireLease('support', 'instance-a', LATER, T2)).toBe(false);
    expect(await a.saveCursor('support', { uidValidity: '7', lastUid: 15 }, 5, T2, 'instance-a')).toBe(false);
    expect(await a.get('support')).toMatchObject({ leaseOwner: 'instance-b', lastUid: 20, ingested: 20 });

    // a clean stop releases the lease at once; without an owner (tests, `triage mail import`) the save is not fenced
    await b.releaseLease('support', 'instance-b', T2);
    expect(await a.acquireLease('support', 'instance-a', LATER, T2)).toBe(true);
    expect(await a.saveCursor('support', { uidValidity: '7', lastUid: 25 }, 5, T2)).toBe(true);
    expect(await a.get('support')).toMatchObject({ leaseOwner: 'instance-a', lastUid: 25, ingested: 25 });
  });
});
