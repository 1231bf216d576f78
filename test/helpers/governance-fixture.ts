import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import type { DatabaseOptions } from '../../engine/store/create-database.js';
import { writeOutboxRows } from '../../engine/outbox/outbox-writer.js';
import { OutboxWorker } from '../../engine/outbox/outbox-worker.js';
import { ruleSetDecide } from '../../engine/tickets/rule-set-decide.js';
import { TicketService } from '../../engine/tickets/ticket-service.js';
import { loadRulesOrThrow } from '../../engine/governance/load-rules-or-throw.js';
import type { RuleSet } from '../../rules/lib/rule-set.js';
import { VirtualClock } from './outbox-fixture.js';

/** The rule set that decided the first ticket (an older version of invoice-category alone). */
export const RULES_V0 = `rules:
  - id: invoice-category
    on: [ticket.created]
    priority: 60
    when: { all: [ { fact: ticket, path: subject, operator: containsAnyWord, value: [invoice] } ] }
    then:
      - set: { category: billing, team: finance }
`;

/**
 * The active rule set of the governance tests. Built so each report has
 * something to find: legacy-team is always overridden by invoice-team-override,
 * spam-followup would match the spam ticket but spam-stop stops first,
 * never-used never matches, closing listens to an event that never happens.
 */
export const RULES_V1 = `rules:
  - id: spam-stop
    on: [ticket.created]
    priority: 90
    stop: true
    when: { all: [ { fact: ticket, path: subject, operator: containsAnyWord, value: [spam] } ] }
    then:
      - tag: spam
  - id: invoice-category
    on: [ticket.created]
    priority: 60
    when: { all: [ { fact: ticket, path: subject, operator: containsAnyWord, value: [INVOICE_WORDS] } ] }
    then:
      - set: { category: billing, team: finance }
      - note: { text: "Invoice ticket {{ticket.number}}" }
  - id: legacy-team
    on: [ticket.created]
    priority: 58
    when: { all: [ { fact: ticket, path: category, operator: equal, value: billing } ] }
    then:
      - set: { team: billing-old }
  - id: invoice-team-override
    on: [ticket.created]
    priority: 55
    when: { all: [ { fact: ticket, path: category, operator: equal, value: billing } ] }
    then:
      - set: { team: accounts }
  - id: outage
    on: [ticket.created]
    priority: 40
    when: { all: [ { fact: message, path: text, operator: containsAnyPhrase, value: [outage] } ] }
    then:
      - set: { priority: P1 }
      - escalate: { to: team-lead }
  - id: never-used
    on: [ticket.created]
    priority: 30
    when: { all: [ { fact: ticket, path: subject, operator: containsAnyWord, value: [zebra] } ] }
    then:
      - tag: zebra
  - id: spam-followup
    on: [ticket.created]
    priority: 10
    when: { all: [ { fact: ticket, path: subject, operator: containsAnyWord, value: [spam] } ] }
    then:
      - set: { category: junk }
  - id: closing
    on: [ticket.closed]
    when: { all: [ { fact: ticket, path: status, operator: equal, value: closed } ] }
    then:
      - tag: was-closed
`;

/** The active rules with invoice-category's words replaced: the changed rule set of the replay tests. */
export function rulesV1(words: readonly string[] = ['invoice']): string {
  return RULES_V1.replace('INVOICE_WORDS', words.join(', '));
}

export interface RuleDir {
  dir: string;
  cleanup(): Promise<void>;
}

export async function writeRuleDir(yaml: string): Promise<RuleDir> {
  const dir = await mkdtemp(join(tmpdir(), 'triage-gov-rules-'));
  await writeFile(join(dir, 'rules.yaml'), yaml);
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface GovernanceSeed {
  v0: RuleSet;
  v1: RuleSet;
  /** Ticket numbers by name. */
  numbers: { old: string; invoice: string; outage: string; spam: string; hello: string };
}

/**
 * Five tickets through the real TicketService (outbox rows written in the
 * decision's transaction, as start-server wires it): one decided by RULES_V0,
 * four by RULES_V1; an agent corrects the invoice ticket; the outbox worker
 * delivers the notes and dead-letters the escalation (no handler).
 * Everything happens from 2026-03-01 on, by a virtual clock.
 */
export async function seedGovernance(db: Knex, dirs: { v0: string; v1: string }): Promise<GovernanceSeed> {
  const v0 = await loadRulesOrThrow(dirs.v0);
  const v1 = await loadRulesOrThrow(dirs.v1);
  let active = v0;
  const clock = new VirtualClock('2026-03-01T08:00:00.000Z');
  const service = new TicketService({
    db,
    decide: ruleSetDecide(() => active),
    now: () => {
      clock.advance(60_000);
      return clock.now();
    },
    afterDecision: async (ctx) => {
      await writeOutboxRows(ctx);
    },
  });
  const create = async (id: string, subject: string, text: string): Promise<string> =>
    (await service.createTicket({ source: 'imap:support', externalId: `<${id}@example.com>`, subject, channel: 'email', message: { from: 'jan@acme.pl', text } })).ticket.number;

  const old = await create('old', 'Invoice 0 question', 'please check');
  active = v1;
  const invoice = await create('invoice', 'Invoice 1 question', 'please pay');
  const outage = await create('outage', 'Invoice 2 and outage', 'there is an outage');
  const spam = await create('spam', 'Spam offer', 'buy now');
  const hello = await create('hello', 'Hello there', 'a question');
  await service.updateFields(invoice, { category: 'invoice-other', team: 'sales' }, { type: 'user', id: 'agent-anna' });

  const worker = new OutboxWorker({ db, workerId: 'gov-test', now: clock.now, handlers: { note: async () => ({ detail: 'noted' }) }, maxAttempts: 1 });
  await worker.runOnce();
  return { v0, v1, numbers: { old, invoice, outage, spam, hello } };
}

/** How the CLI would reach the same database: TRIAGE_SQLITE_PATH or DATABASE_URL. */
export function databaseOptionsOf(db: Knex): DatabaseOptions & { env: Record<string, string> } {
  const config = (db.client as { config: { client: unknown; connection: unknown } }).config;
  const connection = config.connection;
  if (config.client === 'pg') {
    // knex parses a URL into its parts; put it back together.
    const c = (typeof connection === 'string' ? { connectionString: connection } : connection) as { connectionString?: string; user?: string; host?: string; port?: number | string; database?: string };
    const url = c.connectionString ?? `postgres://${c.user ?? 'postgres'}@${c.host ?? '127.0.0.1'}:${c.port ?? 5432}/${c.database ?? ''}`;
    return { url, env: { DATABASE_URL: url } };
  }
  const filename = (connection as { filename: string }).filename;
  return { sqlitePath: filename, env: { TRIAGE_SQLITE_PATH: filename } };
}
