import type { Knex } from 'knex';
import { BLOB_REF_PREFIX } from '../mail/mail-blob-store.js';
import { fromJsonColumn } from '../store/json-column.js';
import { inChunks } from './in-chunks.js';

interface MessageBlobColumns {
  attachments: string | null;
  data: string | null;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The mail_blobs keys a message row refers to: its raw message
 * (`data.rawSha256` / `data.rawRef`) and its attachments' `ref`s
 * (`sha256:<hex>`, engine/mail/mail-blob-store.ts).
 */
export function mailBlobKeys(row: MessageBlobColumns): string[] {
  const keys = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value !== 'string') return;
    const key = value.startsWith(BLOB_REF_PREFIX) ? value.slice(BLOB_REF_PREFIX.length) : value;
    if (SHA256.test(key)) keys.add(key);
  };
  const data = fromJsonColumn<Record<string, unknown>>(row.data, {});
  add(data.rawSha256);
  add(data.rawRef);
  for (const a of fromJsonColumn<Array<Record<string, unknown>>>(row.attachments, [])) if (typeof a === 'object' && a !== null) add(a.ref);
  return [...keys];
}

/** The blob keys the messages of `ticketIds` refer to, read before those messages are erased or deleted. */
export async function mailBlobKeysOfTickets(trx: Knex | Knex.Transaction, ticketIds: readonly string[]): Promise<string[]> {
  if (!(await trx.schema.hasTable('mail_blobs'))) return [];
  const keys = new Set<string>();
  await inChunks(ticketIds, async (chunk) => {
    const rows = (await trx('messages').whereIn('ticket_id', chunk).select('attachments', 'data')) as MessageBlobColumns[];
    for (const row of rows) for (const key of mailBlobKeys(row)) keys.add(key);
    return 0;
  });
  return [...keys];
}

/**
 * Delete the raw mail and attachment bytes (GDPR erase, retention) that no
 * other message refers to any more. Blobs are content-addressed, so the same
 * file mailed by two customers is stored once: it stays while anyone else's
 * message still points at it. Call after the messages were anonymized or
 * deleted, in the same transaction. Returns the number of blobs deleted.
 */
export async function dropMailBlobs(trx: Knex | Knex.Transaction, keys: readonly string[]): Promise<number> {
  if (keys.length === 0 || !(await trx.schema.hasTable('mail_blobs'))) return 0;
  const wanted = new Set(keys);
  const stillUsed = new Set<string>();
  // One pass over the messages that can refer to a blob at all (an admin operation, not a hot path).
  const rows = (await trx('messages')
    .where('attachments', 'like', `%${BLOB_REF_PREFIX}%`)
    .orWhere('data', 'like', '%rawSha256%')
    .select('attachments', 'data')) as MessageBlobColumns[];
  for (const row of rows) for (const key of mailBlobKeys(row)) if (wanted.has(key)) stillUsed.add(key);
  const drop = [...wanted].filter((k) => !stillUsed.has(k));
  return inChunks(drop, (chunk) => trx('mail_blobs').whereIn('sha256', chunk).delete());
}
