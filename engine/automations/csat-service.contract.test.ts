/** CSAT answers on both stores: recorded once with an audit row, comment once, reuse and forgery refused, secret per database. */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import { expectCode } from '../../test/helpers/expect-code.js';
import { VirtualClock } from '../../test/helpers/outbox-fixture.js';
import { createFakeDecide } from '../../test/helpers/fake-decide.js';
import { TicketService } from '../tickets/ticket-service.js';
import { CsatService, resolveCsatSecret } from './csat-service.js';
import { newCsatToken } from './csat-token.js';

describe.each<StoreKind>(['sqlite', 'postgres'])('CSAT answers (%s)', (kind) => {
  let harness: StoreHarness;
  beforeAll(() => {
    harness = createStoreHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  async function setup(): Promise<{ db: Knex; clock: VirtualClock; csat: CsatService; secret: Buffer; ticketId: string; tickets: TicketService }> {
    const db = await harness.open();
    const clock = new VirtualClock('2026-03-01T10:00:00.000Z');
    const tickets = new TicketService({ db, decide: createFakeDecide(), now: clock.now });
    const { ticket } = await tickets.createTicket({ source: 'api', externalId: 'csat-1', subject: 'Help' });
    const secret = await resolveCsatSecret(db, undefined, clock.iso());
    return { db, clock, csat: new CsatService(db, secret, clock.now), secret, ticketId: ticket.id, tickets };
  }

  it('records a score once, with an audit row; a comment may be added once; everything else is a reuse', async () => {
    const { clock, csat, secret, ticketId, tickets } = await setup();
    const token = newCsatToken(ticketId, secret, clock.now().getTime(), 86_400_000);
    const first = await csat.answer(token, { score: '4' });
    expect(first).toMatchObject({ ticketId, score: 4, comment: null, created: true });
    await expectCode(csat.answer(token, { score: '5' }), 'TRIAGE_CSAT_USED');
    expect(await csat.answer(token, { comment: '  Quick and kind.  ' })).toMatchObject({ score: 4, comment: 'Quick and kind.', created: false });
    await expectCode(csat.answer(token, { comment: 'again' }), 'TRIAGE_CSAT_USED');
    await expectCode(csat.answer(token, {}), 'TRIAGE_CSAT_USED');
    expect(await csat.responses(ticketId)).toMatchObject([{ ticketId, score: 4, comment: 'Quick and kind.', createdAt: '2026-03-01T10:00:00.000Z' }]);
    const audit = (await tickets.getTicket(ticketId)).audit.filter((a) => a.action === 'csat.received');
    expect(audit.map((a) => [a.actorId, a.field, a.newValue])).toEqual([
      ['csat-survey', 'csat.score', 4],
      ['csat-survey', 'csat.comment', 'Quick and kind.'],
    ]);
  });

  it('a second survey link for the same ticket records a second answer', async () => {
    const { clock, csat, secret, ticketId } = await setup();
    await csat.answer(newCsatToken(ticketId, secret, clock.now().getTime(), 60_000), { score: 2, comment: 'slow' });
    await csat.answer(newCsatToken(ticketId, secret, clock.now().getTime(), 60_000), { score: 5 });
    expect((await csat.responses(ticketId)).map((r) => r.score)).toEqual([2, 5]);
  });

  it('refuses bad scores, forged, expired and orphaned tokens, and stores nothing for them', async () => {
    const { db, clock, csat, secret, ticketId } = await setup();
    const token = newCsatToken(ticketId, secret, clock.now().getTime(), 60_000);
    for (const score of ['0', '6', '4.5', 'five', 3.2, -1]) await expectCode(csat.answer(token, { score }), 'TRIAGE_CSAT_BAD_SCORE');
    await expectCode(csat.answer(token, { comment: 'no score' }), 'TRIAGE_CSAT_BAD_SCORE');
    await expectCode(csat.answer(newCsatToken(ticketId, Buffer.from('forged'), clock.now().getTime(), 60_000), { score: 5 }), 'TRIAGE_CSAT_INVALID_TOKEN');
    await expectCode(csat.answer(newCsatToken('no-such-ticket', secret, clock.now().getTime(), 60_000), { score: 5 }), 'TRIAGE_CSAT_TICKET_GONE');
    clock.advance(61_000);
    await expectCode(csat.answer(token, { score: 5 }), 'TRIAGE_CSAT_EXPIRED');
    expect(await db('csat_responses')).toHaveLength(0);
  });

  it('generates the signing key once per database; a configured one wins', async () => {
    const { db, secret } = await setup();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect((await resolveCsatSecret(db, undefined, '2026-03-02T00:00:00.000Z')).equals(secret)).toBe(true);
    expect((await resolveCsatSecret(db, 'configured', '2026-03-02T00:00:00.000Z')).toString()).toBe('configured');
    expect(await db('automation_secrets')).toHaveLength(1);
  });
});
