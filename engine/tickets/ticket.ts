import type { TicketField } from '../../rules/lib/rule-types.js';
import type { TicketStatus } from '../lifecycle/ticket-status.js';
import type { TicketCursor } from './ticket-cursor.js';

/** A ticket as the engine, the API and the rules (`ticket` fact) see it. */
export interface Ticket {
  id: string;
  /** Human-readable, unique, gap-free: `T-000042`. */
  number: string;
  /** Where it came from (`imap:support`, `form:complaint`, `pbx`, `api`…). */
  source: string;
  /** The source's own id (Message-ID, submission id, call id); unique per source. */
  externalId: string;
  subject: string;
  status: TicketStatus;
  category: string | null;
  priority: string | null;
  team: string | null;
  queue: string | null;
  assignee: string | null;
  language: string | null;
  type: string | null;
  customerId: string | null;
  channel: string | null;
  /** Flagged for manual review (R11); stays set until an agent clears it. */
  review: boolean;
  tags: string[];
  /** Arrival time: the SLA clock starts here, not when the row was written. */
  createdAt: string;
  updatedAt: string;
  firstResponseAt: string | null;
  /** Last move to solved; cleared when the ticket reopens. */
  solvedAt: string | null;
  closedAt: string | null;
  /** Version of the rule set that last evaluated the ticket. */
  ruleSetVersion: string | null;
  /** Everything else the source knows (mailbox, form fields, call details…). */
  data: Record<string, unknown>;
}

/** Rule-settable fields other than status, which goes through the lifecycle. */
export type EditableField = Exclude<TicketField, 'status'>;
export const EDITABLE_FIELDS: readonly EditableField[] = ['category', 'priority', 'team', 'queue', 'assignee', 'language', 'type'];

/** What an agent may change with updateFields. */
export type TicketFieldChanges = Partial<Record<EditableField, string | null>> & {
  subject?: string;
  review?: boolean;
  customerId?: string | null;
  /** Validated by the lifecycle exactly like changeStatus. */
  status?: TicketStatus;
};

/** Tags an agent adds to or removes from a ticket; a tag may not be in both. */
export interface TagChanges {
  add?: string[];
  remove?: string[];
}

/** updateFields' argument: field changes plus tag changes. */
export type TicketUpdate = TicketFieldChanges & { tags?: TagChanges };

/** All given conditions must hold. */
export interface TicketFilter {
  status?: TicketStatus | TicketStatus[];
  team?: string;
  priority?: string;
  category?: string;
  customerId?: string;
  /** Tickets carrying this tag. */
  tag?: string;
  /** Arrival time from (inclusive), ISO-8601 with a zone. */
  createdFrom?: string;
  /** Arrival time to (exclusive), ISO-8601 with a zone. */
  createdTo?: string;
  /** Default 50, at most 500. */
  limit?: number;
  /** Only tickets after this position in the newest-first order (keyset pagination). */
  after?: TicketCursor;
}

/** One page of a newest-first listing. */
export interface TicketPage {
  tickets: Ticket[];
  /** Where the next page starts; null on the last page. */
  next: TicketCursor | null;
}
