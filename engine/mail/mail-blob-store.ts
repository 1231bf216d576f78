import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

/** `sha256:<hex>`: how messages refer to a stored raw message or attachment (Attachment.ref, message.rawRef). */
export const BLOB_REF_PREFIX = 'sha256:';

export interface Blob {
  sha256: string;
  content: Buffer;
}

export function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export function blobRef(sha256: string): string {
  return `${BLOB_REF_PREFIX}${sha256}`;
}

/**
 * Raw messages and attachment bytes, content-addressed (mail_blobs, 0008).
 * Storing the same bytes twice writes nothing, also when two instances race
 * (the primary key refuses the second row and ON CONFLICT ignores it), so a
 * blob can be stored before the ticket that refers to it is committed: a
 * crash in between leaves an orphan blob that the retry reuses, never a
 * ticket that refers to bytes that are missing.
 */
export class MailBlobStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async put(blobs: readonly Blob[], now: string): Promise<void> {
    const unique = new Map<string, Blob>();
    for (const blob of blobs) unique.set(blob.sha256, blob);
    if (unique.size === 0) return;
    const rows = [...unique.values()].map((b) => ({ sha256: b.sha256, size: b.content.length, content: b.content, created_at: now }));
    await this.db('mail_blobs').insert(rows).onConflict('sha256').ignore();
  }

  async get(sha256: string): Promise<Buffer | undefined> {
    const row = (await this.db('mail_blobs').where({ sha256 }).first('content')) as { content: Buffer | Uint8Array } | undefined;
    return row === undefined ? undefined : Buffer.from(row.content);
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.db('mail_blobs').where({ sha256 }).first('sha256')) !== undefined;
  }
}
