import type { Decision, FieldChange, TagChange, TicketField } from '../../rules/lib/rule-types.js';
import type { Decide, DecideInput } from '../../engine/tickets/decide.js';

export const FAKE_RULE_SET_VERSION = 'sha256:fake-rule-set-v1';

export interface FakeDecide extends Decide {
  /** Every input decide saw, in order. */
  calls: DecideInput[];
}

interface FakeRule {
  id: string;
  on: string[];
  when: (input: DecideInput) => boolean;
  set?: Partial<Record<TicketField, string>>;
  tag?: string[];
  untag?: string[];
  confidence?: number;
  actions?: Array<{ type: string; params: Record<string, unknown> }>;
}

const text = (input: DecideInput): string =>
  `${String(input.ticket.subject ?? '')} ${String(input.message?.text ?? '')}`.toLowerCase();

/**
 * A hand-written stand-in for the rule engine: a few rules in the shape of
 * rules/default, evaluated the way the engine does (priority order, later rules
 * see earlier changes, low confidence withholds routing for review). The store
 * tests must not depend on the real engine.
 */
const RULES: FakeRule[] = [
  {
    id: 'invoice-to-finance',
    on: ['ticket.created'],
    when: (i) => /faktura|invoice/.test(text(i)),
    set: { category: 'invoice', team: 'finance', priority: 'P3' },
    tag: ['finance'],
    confidence: 0.99,
  },
  {
    id: 'critical-outage',
    on: ['ticket.created', 'message.received'],
    when: (i) => /awaria krytyczna|critical outage/.test(text(i)),
    set: { priority: 'P1' },
    tag: ['outage'],
    actions: [{ type: 'slack.postMessage', params: { channel: '#incidents', text: 'P1' } }],
  },
  {
    id: 'guess-complaint',
    on: ['ticket.created'],
    when: (i) => /reklamacja|complaint/.test(text(i)),
    set: { category: 'complaint', team: 'quality' },
    confidence: 0.6,
  },
  {
    id: 'close-immediately',
    on: ['ticket.created'],
    when: (i) => /close-me/.test(text(i)),
    set: { status: 'closed' },
  },
  {
    id: 'remind-when-pending',
    on: ['status.changed'],
    when: (i) => i.ticket.status === 'pending',
    actions: [{ type: 'followUp', params: { after: '5d', name: 'pending-reminder' } }],
  },
  {
    // Sets the status from status.changed: the service must not evaluate status.changed again for it.
    id: 'bounce-back',
    on: ['status.changed'],
    when: (i) => i.ticket.status === 'pending' && /bounce/.test(text(i)),
    set: { status: 'open' },
  },
  {
    id: 'csat-on-close',
    on: ['ticket.closed'],
    when: () => true,
    actions: [{ type: 'reply', params: { text: 'How did we do?' } }],
  },
  {
    id: 'tag-assigned',
    on: ['ticket.updated'],
    when: (i) => typeof i.ticket.assignee === 'string',
    tag: ['assigned'],
  },
  {
    id: 'thanks-solves',
    on: ['message.received'],
    when: (i) => /thank you, solved/.test(String(i.message?.text ?? '').toLowerCase()),
    set: { status: 'solved' },
    untag: ['waiting'],
  },
];

const ROUTING: readonly TicketField[] = ['team', 'queue', 'assignee'];
const REVIEW_THRESHOLD = 0.95;

/** `throwOn` is matched against `<event> <subject> <message text>` (lower-case), e.g. /explode/ or /^status\.changed/. */
export function createFakeDecide(options: { throwOn?: RegExp; version?: string } = {}): FakeDecide {
  const calls: DecideInput[] = [];
  const decide = (input: DecideInput): Decision => {
    calls.push(input);
    if (options.throwOn !== undefined && options.throwOn.test(`${input.event} ${text(input)}`)) throw new Error('fake rule engine exploded');
    const ticket: Record<string, unknown> = { ...input.ticket };
    const originalTags = Array.isArray(ticket.tags) ? (ticket.tags as string[]) : [];
    const tags = [...originalTags];
    const changeLog: FieldChange[] = [];
    const tagLog: TagChange[] = [];
    const firedRules: string[] = [];
    const actions: Decision['actions'] = [];
    let confidence: number | null = null;
    for (const rule of RULES) {
      if (!rule.on.includes(input.event) || !rule.when({ ...input, ticket })) continue;
      firedRules.push(rule.id);
      for (const [field, to] of Object.entries(rule.set ?? {})) {
        changeLog.push({ field: field as TicketField, from: ticket[field] ?? null, to, ruleId: rule.id });
        ticket[field] = to;
      }
      for (const t of rule.tag ?? []) {
        if (tags.includes(t)) continue;
        tags.push(t);
        tagLog.push({ tag: t, action: 'add', ruleId: rule.id });
      }
      for (const t of rule.untag ?? []) {
        if (!tags.includes(t)) continue;
        tags.splice(tags.indexOf(t), 1);
        tagLog.push({ tag: t, action: 'remove', ruleId: rule.id });
      }
      (rule.actions ?? []).forEach((a, index) => actions.push({ ...a, ruleId: rule.id, index }));
      if (rule.confidence !== undefined) confidence = Math.min(confidence ?? 1, rule.confidence);
    }
    const review = confidence !== null && confidence < REVIEW_THRESHOLD;
    const applied = review ? changeLog.filter((c) => !ROUTING.includes(c.field)) : changeLog;
    const changes: Decision['changes'] = {};
    for (const c of applied) changes[c.field] = c.to;
    const suggested: Decision['suggested'] = {};
    if (review) for (const c of changeLog) if (ROUTING.includes(c.field)) suggested[c.field] = c.to;
    if (review && !tags.includes('needs-review')) {
      tags.push('needs-review');
      tagLog.push({ tag: 'needs-review', action: 'add', ruleId: 'review' });
    }
    return {
      ruleSetVersion: options.version ?? FAKE_RULE_SET_VERSION,
      event: input.event,
      changes,
      changeLog: applied,
      suggested,
      tags: { added: tags.filter((t) => !originalTags.includes(t)), removed: originalTags.filter((t) => !tags.includes(t)) },
      tagLog,
      actions,
      firedRules,
      confidence,
      review,
      reviewReasons: review ? [`confidence ${confidence} is below the review threshold ${REVIEW_THRESHOLD}`] : [],
    };
  };
  return Object.assign(decide, { calls });
}
