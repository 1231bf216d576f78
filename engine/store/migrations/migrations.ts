import type { Knex } from 'knex';
import { initialSchema } from './0001-initial-schema.js';
import { apiKeysSchema } from './0002-api-keys.js';
import { correctionsSchema } from './0003-corrections.js';
import { outboxSchema } from './0004-outbox.js';
import { enrichmentSchema } from './0005-enrichment.js';
import { privacySchema } from './0006-privacy.js';
import { slaTimersSchema } from './0007-sla-timers.js';
import { mailSchema } from './0008-mail.js';
import { automationsSchema } from './0009-automations.js';
import { ordersSchema } from './0010-orders.js';
import { reportIndexesSchema } from './0011-report-indexes.js';
import { outboundMailIndexSchema } from './0012-outbound-mail-index.js';
import { ticketNumberSequenceSchema } from './0013-ticket-number-sequence.js';
import { customerVersionSchema } from './0014-customer-version.js';

export interface NamedMigration {
  /** Recorded in knex_migrations; never rename a shipped migration. */
  readonly name: string;
  readonly migration: Knex.Migration;
}

/**
 * Every migration, in order. Listed in code rather than found by globbing a
 * directory, so the compiled dist/ (and a bundled build) carries them without
 * knowing where its files live. Append only.
 */
export const migrations: readonly NamedMigration[] = [
  { name: '0001-initial-schema', migration: initialSchema },
  { name: '0002-api-keys', migration: apiKeysSchema },
  { name: '0003-corrections', migration: correctionsSchema },
  { name: '0004-outbox', migration: outboxSchema },
  { name: '0005-enrichment', migration: enrichmentSchema },
  { name: '0006-privacy', migration: privacySchema },
  { name: '0007-sla-timers', migration: slaTimersSchema },
  { name: '0008-mail', migration: mailSchema },
  { name: '0009-automations', migration: automationsSchema },
  { name: '0010-orders', migration: ordersSchema },
  { name: '0011-report-indexes', migration: reportIndexesSchema },
  { name: '0012-outbound-mail-index', migration: outboundMailIndexSchema },
  { name: '0013-ticket-number-sequence', migration: ticketNumberSequenceSchema },
  { name: '0014-customer-version', migration: customerVersionSchema },
];
