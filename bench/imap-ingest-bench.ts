/**
 * IMAP ingest benchmark (issue #6): MESSAGES messages appended to a real
 * Dovecot, then ingested by the mailbox poller into SQLite as shipped with
 * the shipped rule set (rules/default): fetched, parsed, raw and attachments
 * stored, tickets created with decisions and audit rows, moved to Processed,
 * cursor advanced. Reported as messages/s, next to a baseline measured in the
 * same run on the same folder: a raw imapflow FETCH of the same messages
 * (the ceiling of the IMAP side), so the ratio travels across machines.
 * Target: ≥ 300 messages/s. Correctness is checked: one ticket per message,
 * the source folder empty. Writes bench/results/imap-ingest.json.
 *
 *   npm run bench   (builds, runs the other benches, then this)
 *   BENCH_IMAP_MESSAGES=1000 BENCH_IMAP_BATCH=250 node dist/bench/imap-ingest-bench.js
 *
 * Needs root and the dovecot-imapd package (see .ci/run and RECIPES.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuleSet } from '../rules/lib/load-rule-set.js';
import { MailIngest } from '../engine/mail/mail-ingest.js';
import { mailSettings, type MailboxSettings } from '../engine/mail/mail-settings.js';
import { MailboxPoller } from '../engine/mail/mailbox-poller.js';
import { MailboxStateStore } from '../engine/mail/mailbox-state-store.js';
import { packageRoot } from '../engine/runtime/package-root.js';
import { createDatabase } from '../engine/store/create-database.js';
import { migrateToLatest } from '../engine/store/migrate-to-latest.js';
import { ruleSetDecide } from '../engine/tickets/rule-set-decide.js';
import { TicketService } from '../engine/tickets/ticket-service.js';
import { buildMail } from '../test/helpers/build-mail.js';
import { startDovecot } from '../test/helpers/dovecot.js';
import { describeMachine } from './describe-machine.js';

const MESSAGES = Number(process.env.BENCH_IMAP_MESSAGES ?? 1000);
const BATCH = Number(process.env.BENCH_IMAP_BATCH ?? 250);
const TARGET = 300;

const dovecot = await startDovecot();
const dir = await mkdtemp(join(tmpdir(), 'triage-imap-bench-'));
let failed = false;
try {
  const raws: Buffer[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    raws.push(
      buildMail({
        messageId: `<bench-${i}@customer${i % 50}.example>`,
        from: `Klient ${i % 200} <klient${i % 200}@customer${i % 50}.example>`,
        subject: i % 4 === 0 ? `Faktura VAT ${i}/2026` : `Zgłoszenie ${i}: awaria drukarki`,
        text: `Dzień dobry, proszę o pomoc w sprawie ${i}. Pozdrawiam`,
        ...(i % 10 === 0 ? { attachment: { filename: `skan-${i}.pdf`, contentType: 'application/pdf', content: Buffer.alloc(8192, i % 251) } } : {}),
      }),
    );
  }
  await dovecot.append(raws);

  // Baseline: the same messages fetched with imapflow, nothing else.
  const client = await dovecot.client();
  let fetchMs: number;
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const t0 = performance.now();
      const all = await client.fetchAll('1:*', { uid: true, source: true, internalDate: true }, { uid: true });
      fetchMs = performance.now() - t0;
      if (all.length !== MESSAGES) throw new Error(`baseline fetched ${all.length} of ${MESSAGES}`);
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }

  const db = await createDatabase({ sqlitePath: join(dir, 'triage.db') });
  await migrateToLatest(db);
  const loaded = await loadRuleSet(join(packageRoot(), 'rules', 'default'));
  if (!loaded.ok) throw new Error('rules/default does not validate');
  const ruleSet = loaded.ruleSet;
  const tickets = new TicketService({ db, decide: ruleSetDecide(() => ruleSet) });
  const mailbox = mailSettings({
    mailboxes: [{ name: 'bench', host: dovecot.host, port: dovecot.port, tls: false, user: dovecot.user, password: dovecot.password, batchSize: BATCH, pollSeconds: 3600 }],
  }).mailboxes[0] as MailboxSettings;
  const poller = new MailboxPoller({ mailbox, ingest: new MailIngest({ db, tickets }), state: new MailboxStateStore(db), maxBackoffSeconds: 1, log: () => undefined });
  const t0 = performance.now();
  const result = await poller.drain();
  const ingestMs = performance.now() - t0;
  await poller.stop();

  const ticketCount = Number(((await db('tickets').count({ n: '*' })) as Array<{ n: number }>)[0]?.n);
  const left = (await dovecot.uids('INBOX')).length;
  await db.destroy();
  if (ticketCount !== MESSAGES || result.created !== MESSAGES || left !== 0) {
    failed = true;
    process.stderr.write(`check failed: ${ticketCount} tickets, ${result.created} created, ${left} left in INBOX (expected ${MESSAGES}, ${MESSAGES}, 0)\n`);
  }
  const ingestRate = Math.round((MESSAGES / ingestMs) * 1000);
  const fetchRate = Math.round((MESSAGES / fetchMs) * 1000);
  const report = {
    name: 'imap-ingest',
    date: new Date().toISOString(),
    node: process.version,
    // The machine may be shared: a load above the core count means the figures are pessimistic.
    measuredAt: new Date().toISOString(),
    machine: describeMachine(),
    messages: MESSAGES,
    batchSize: BATCH,
    store: 'SQLite as shipped (createDatabase: WAL, synchronous=FULL, group commit), rules/default',
    baseline: { what: 'imapflow FETCH of the same messages (source + INTERNALDATE), one command', messagesPerSecond: fetchRate, ms: Math.round(fetchMs) },
    ingest: {
      what: 'MailboxPoller.drain: fetch, parse, store raw + attachments, create ticket with rules/default, move to Processed, advance the cursor',
      messagesPerSecond: ingestRate,
      ms: Math.round(ingestMs),
      target: TARGET,
      meetsTarget: ingestRate >= TARGET,
    },
    ratioToBaseline: Number((ingestRate / fetchRate).toFixed(3)),
  };
  mkdirSync(join(packageRoot(), 'bench', 'results'), { recursive: true });
  writeFileSync(join(packageRoot(), 'bench', 'results', 'imap-ingest.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`imap-ingest: ${ingestRate} messages/s (target ${TARGET}), baseline fetch ${fetchRate} messages/s, ratio ${report.ratioToBaseline}\n`);
} finally {
  await dovecot.stop();
  await rm(dir, { recursive: true, force: true });
}
if (failed) process.exitCode = 1;
