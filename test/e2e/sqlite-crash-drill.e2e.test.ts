/**
 * Crash drill on SQLite (issue #9): one real `triage serve` process on a
 * SQLite file is SIGKILLed at random points while it ingests tickets over
 * HTTP and mail from a real Dovecot mailbox, and started again, five times.
 * Integrators keep sending (and resend, with the same Idempotency-Key, what
 * got no answer); mail keeps arriving. Every ticket posts a webhook to a
 * loopback receiver and every SLA warning (3/6/9 % of a 1-minute target)
 * posts another.
 *
 * After the last restart has drained the work: nothing acknowledged or
 * appended is missing, nothing is stored twice, every action reached the
 * receiver exactly once per Idempotency-Key (a kill between the receiver's
 * answer and our commit sends it again with the same key: at least once on
 * the wire, exactly once per key) or is dead-lettered with a reason, and each
 * SLA threshold fired exactly once.
 *
 * The kill points come from a seeded generator (printed; TRIAGE_DRILL_SEED
 * replays a run) and are counted in acknowledged tickets, not in time, so a
 * slow machine still kills in the middle of the ingest.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../engine/store/create-database.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { DRILL_SUBJECT, drillLedger, drillMail, drillMailConfig, seconds, waitUntilDrained, writeDrillFiles, type DrillFiles } from '../helpers/drill-fixture.js';
import { drillSeed, seededRandom } from '../helpers/seeded-random.js';
import { freePort, sleep, startProcess, type ServerProcess } from '../helpers/server-process.js';
import { startTicketLoad } from '../helpers/ticket-load.js';

const CYCLES = 5;
/** HTTP tickets acknowledged between two kills: a random number in this range. */
const TICKETS_PER_CYCLE = [20, 40] as const;
const HTTP_CLIENTS = 4;
/** Mails appended in every cycle just before the kill (and once more after the last one). */
const MAILS_PER_CYCLE = 15;
const FOLDER = 'drill';

describe('SQLite crash drill: SIGKILL during HTTP and IMAP ingest, restart, repeated', () => {
  let dir: string;
  let dovecot: Dovecot;
  let receiver: WebhookReceiver;
  let files: DrillFiles;
  let db: Knex;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-sqlite-drill-'));
    [dovecot, receiver] = await Promise.all([startDovecot(), startWebhookReceiver()]);
    await dovecot.createFolder(FOLDER);
    files = await writeDrillFiles(dir, {
      receiverUrl: receiver.url,
      extraConfig: drillMailConfig(dovecot, FOLDER, { leaseSeconds: 1 }),
    });
    db = await createDatabase({ sqlitePath: join(dir, 'triage.db') });
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await db?.destroy();
    await receiver?.close();
    await dovecot?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it(`loses nothing, doubles nothing and delivers every action once per key across ${CYCLES} SIGKILLs`, async () => {
    const seed = drillSeed();
    const random = seededRandom(seed);
    const between = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
    process.stdout.write(`sqlite crash drill: seed ${seed} (TRIAGE_DRILL_SEED=${seed} replays it)\n`);
    const started = Date.now();

    const apiKey = `trg_${randomBytes(32).toString('base64url')}`;
    const port = await freePort();
    const env = { TRIAGE_CONFIG: files.configFile, TRIAGE_SQLITE_PATH: join(dir, 'triage.db'), TRIAGE_BOOTSTRAP_KEY: apiKey, IMAP_PASSWORD: dovecot.password };
    const start = (): Promise<ServerProcess> => startProcess(env, { port, readyTimeoutMs: 30_000 });

    const mail = drillMail(dovecot, FOLDER);
    const mailIds = mail.ids;

    server = await start();
    // The clients send until the end, so every kill lands in the middle of HTTP ingest.
    const load = startTicketLoad({ urls: () => [`http://127.0.0.1:${port}`], apiKey, clients: HTTP_CLIENTS, prefix: 'http', subject: DRILL_SUBJECT });
    const kills: { acked: number; inFlight: number; mailsStored: number }[] = [];
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const killAt = load.acked.size + between(...TICKETS_PER_CYCLE);
      while (load.acked.size < killAt) await sleep(5);
      // …while a batch of mail is being read (it is read 5 at a time; the kill may also come after the last one).
      const mailsBefore = await mail.stored(db);
      await mail.append(MAILS_PER_CYCLE);
      const mailsAt = mailsBefore + between(1, MAILS_PER_CYCLE - 1);
      while ((await mail.stored(db)) < mailsAt) await sleep(5);
      await sleep(between(0, 100));
      kills.push({ acked: load.acked.size, inFlight: load.inFlight(), mailsStored: await mail.stored(db) });
      await server.stop('SIGKILL');
      server = await start();
    }
    // The last restart takes tickets and mail too.
    await mail.append(MAILS_PER_CYCLE);
    const lastKill = load.acked.size;
    while (load.acked.size < lastKill + TICKETS_PER_CYCLE[0]) await sleep(5);
    await load.finish();
    const loaded = Date.now();

    // Drain: every mail in, every outbox row finished, every SLA warning fired.
    await waitUntilDrained(db, mail);
    const drained = Date.now();
    const exit = await server.stop('SIGTERM');
    server = undefined;
    expect(exit).toBe(0);

    // Every acknowledged ticket and every appended mail stored once (the ledger checks each).
    expect(load.acked.size).toBe(load.issued.size);
    expect(load.uncoded).toEqual([]);
    expect(await dovecot.uids(FOLDER)).toEqual([]);
    expect(await db('tickets').count({ n: '*' })).toEqual([{ n: load.acked.size + mailIds.length }]);

    // Nothing lost or doubled; actions exactly once per key at the receiver or dead-lettered; every SLA threshold fired once.
    const ledger = await drillLedger(db, receiver, { acked: load.acked, mailIds });
    expect(ledger.problems).toEqual([]);
    expect(ledger.tickets).toBe(load.acked.size + mailIds.length);
    expect(ledger.done + ledger.dead).toBe(ledger.outboxRows);

    // The kills happened in the middle of the ingest: HTTP requests were on the wire every time.
    expect(kills).toHaveLength(CYCLES);
    expect(kills.filter((k) => k.inFlight === 0)).toEqual([]);

    const replayed = load.outcomes.get('200') ?? 0;
    process.stdout.write(
      `sqlite crash drill: seed ${seed}, ${CYCLES} SIGKILL/restart cycles, ingest ${seconds(loaded - started)} s + drain ${seconds(drained - loaded)} s; ` +
        `${load.acked.size} HTTP tickets (${replayed} answered on a resend after a lost answer, ${load.outcomes.get('network') ?? 0} requests cut or refused) + ${mailIds.length} mails; ` +
        `${ledger.outboxRows} actions: ${ledger.done} done, ${ledger.dead} dead, ${ledger.deliveries} deliveries of which ${ledger.duplicateDeliveries} repeated a key; ` +
        `${ledger.slaFirings} SLA warnings; kills at ${kills.map((k, i) => `${k.acked} acked + ${k.inFlight} in flight, mail ${k.mailsStored}/${(i + 1) * MAILS_PER_CYCLE}`).join('; ')}\n`,
    );
  }, 240_000); // A limit, not a timing: alone it takes about 25 s, inside the loaded full suite 30–70 s.
});
