/**
 * Message-IDs are stored bare (`left@right`, as parse-mail.ts gives them), so
 * `<a@b>` and `a@b` never count as two messages. Returns null for an empty
 * value or one with spaces inside.
 */
export function normalizeMessageId(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim().replace(/^<+/, '').replace(/>+$/, '').trim();
  if (trimmed === '' || /\s/.test(trimmed)) return null;
  return trimmed;
}

/** The Message-ID a message without a usable one is known by: derived from its raw bytes (as parse-mail.ts does), so a re-delivery gets the same. */
export function rawMessageId(rawSha256: string): string {
  return `sha256-${rawSha256}@triage`;
}

/**
 * Both spellings of bare ids, for lookups in messages.message_id: rows
 * written before ids were kept bare (or by a sender that kept the brackets)
 * still match.
 */
export function storedSpellings(ids: readonly string[]): string[] {
  return ids.flatMap((id) => [id, `<${id}>`]);
}
