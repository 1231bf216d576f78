/**
 * Raw mail and attachment bytes (mail_blobs) go with GDPR erasure and
 * retention, except bytes another remaining message still refers to.
 * SQLite and PostgreSQL.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeDecide } from '../../test/helpers/fake-decide.js';
import { createStoreHarness, type StoreHarness, type StoreKind } from '../../test/helpers/store-harness.js';
import { blobRef, MailBlobStore, sha256Hex } from '../mail/mail-blob-store.js';
import { TicketService } from '../tickets/ticket-service.js';
import { mailBlobKeys } from './drop-mail-blobs.js';
import { eraseCustomer } from './erase-customer.js';
import { runRetention } from './run-retention.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T12:00:00.000Z');
const agent = { type: 'user' as const, id: 'agent:ola' };

describe('mailBlobKeys', () => {
  it('finds the raw message and attachment references of a message row, ignoring foreign refs', () => {
    const a = sha256Hex(Buffer.from('a'));
    const b = sha256Hex(Buffer.from('b'));
    const row = { data: JSON.stringify({ rawSha256: a, rawRef: blobRef(a) }), attachments: JSON.stringify([{ filename: 'x.pdf', ref: blobRef(b) }, { filename: 'y', ref: 'blob://y' }]) };
    expect(mailBlobKeys(row).sort()).toEqual([a, b].sort());
    expect(mailBlobKeys({ data: null, attachments: null })).toEqual([]);
  });
});

describe.each<StoreKind>(['sqlite', 'postgres'])('mail blobs and privacy (%s)', (kind) => {
  let harness: StoreHarness;
  beforeAll(() => {
    harness = createStoreHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  const raw = { jan: Buffer.from('From: jan@acme.pl\r\n\r\nreklamacja'), anna: Buffer.from('From: anna@beta.pl\r\n\r\npytanie') };
  const invoice = Buffer.from('%PDF shared terms and conditions');
  const photo = Buffer.from('JPEG photo of a broken kettle');

  async function seed(): Promise<{ db: Knex; service: TicketService; janTicket: string; annaTicket: string; janCustomer: string }> {
    const db = await harness.open();
    let clock = NOW - 60 * DAY;
    const service = new TicketService({ db, decide: createFakeDecide(), now: () => new Date((clock += 1000)) });
    await new MailBlobStore(db).put(
      [raw.jan, raw.anna, invoice, photo].map((content) => ({ sha256: sha256Hex(content), content })),
      new Date(clock).toISOString(),
    );
    const mail = (from: string, own: Buffer, attachments: Buffer[]) => ({
      from,
      text: 'see attachment',
      data: { rawSha256: sha256Hex(own), rawRef: blobRef(sha256Hex(own)) },
      attachments: attachments.map((c, i) => ({ filename: `file-${i}`, size: c.length, ref: blobRef(sha256Hex(c)) })),
    });
    const jan = await service.createTicket({ source: 'email', externalId: 'jan-1', subject: 'Reklamacja', message: mail('jan@acme.pl', raw.jan, [invoice, photo]) });
    const anna = await service.createTicket({ source: 'email', externalId: 'anna-1', subject: 'Pytanie', message: mail('anna@beta.pl', raw.anna, [invoice]) });
    if (jan.ticket.customerId === null) throw new Error('no customer');
    return { db, service, janTicket: jan.ticket.id, annaTicket: anna.ticket.id, janCustomer: jan.ticket.customerId };
  }

  const stored = async (db: Knex): Promise<string[]> => ((await db('mail_blobs').select('sha256')) as Array<{ sha256: string }>).map((r) => r.sha256).sort();

  it('erasure deletes the person’s raw mail and attachments, and keeps bytes another customer’s message shares', async () => {
    const { db, janCustomer } = await seed();
    const result = await eraseCustomer(db, janCustomer, { actor: 'cli:dpo' });
    expect(result.counts.mailBlobs).toBe(2);
    expect(await stored(db)).toEqual([sha256Hex(raw.anna), sha256Hex(invoice)].sort());
  });

  it('a dry run deletes nothing', async () => {
    const { db, janCustomer } = await seed();
    const result = await eraseCustomer(db, janCustomer, { actor: 'cli:dpo', dryRun: true });
    expect(result.counts.mailBlobs).toBe(2);
    expect(await stored(db)).toHaveLength(4);
  });

  it('retention deletes the blobs of deleted tickets once nothing refers to them', async () => {
    const { db, service, janTicket, annaTicket } = await seed();
    for (const id of [janTicket, annaTicket]) {
      await service.changeStatus(id, 'solved', agent);
      await service.changeStatus(id, 'closed', agent);
    }
    const result = await runRetention(db, { closedOlderThanDays: 30, actor: 'cli:ops', now: () => new Date(NOW), batchSize: 1 });
    expect(result.status).toBe('done');
    // Batch 1 deletes one ticket and keeps the shared invoice; batch 2 deletes the other and the invoice with it.
    expect(result.status === 'done' && result.counts.other.mail_blobs).toBe(4);
    expect(await stored(db)).toEqual([]);
  });
});
