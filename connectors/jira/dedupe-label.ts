import { createHash } from 'node:crypto';

/**
 * The label that makes `jira.createIssue` effectively once. Jira has no
 * idempotency key, so the outbox's key (ticket + rule + event + decision +
 * action index) is hashed into a label on the issue; before creating, the
 * connector searches for it and returns the issue already there. Hashed so
 * the label is short, has no characters JQL or labels would trip over, and
 * does not show our internal ids to everyone who can see the issue; 20 hex
 * digits (80 bits) make a collision between two actions practically impossible.
 */
export function dedupeLabel(idempotencyKey: string): string {
  return `triage-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 20)}`;
}
