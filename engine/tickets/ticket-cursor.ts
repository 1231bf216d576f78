/** Position in the newest-first ticket order: (createdAt, id), both descending. */
export interface TicketCursor {
  createdAt: string;
  id: string;
}

/**
 * Opaque to clients (base64url of a small JSON array) so the key can change
 * later without breaking their code; they only hand back what they got.
 */
export function encodeTicketCursor(cursor: TicketCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id]), 'utf8').toString('base64url');
}

/** undefined for anything that is not a cursor this module made. */
export function decodeTicketCursor(value: string): TicketCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(value)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [createdAt, id] = parsed as unknown[];
  // Times are stored as fixed-width ISO UTC text; anything else would compare wrongly as text.
  if (typeof createdAt !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(createdAt)) return undefined;
  if (typeof id !== 'string' || id === '' || id.length > 100) return undefined;
  return { createdAt, id };
}
