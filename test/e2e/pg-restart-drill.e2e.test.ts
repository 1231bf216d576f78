/**
 * Outage drill on PostgreSQL (issue #9): two real `triage serve` instances on
 * one database take tickets over HTTP and mail from a real Dovecot mailbox
 * while the database is killed (`pg_ctl stop -m immediate`, like a crash or a
 * failover) and started again. Nobody touches the instances.
 *
 * They must come back by themselves: no process exits, /readyz says 503
 * while the database is gone and 200 again after, requests in the outage are
 * answered at once with a coded 503 (TRIAGE_STORE_OUTAGE, Retry-After) rather
 * than hanging or failing with a 500, new tickets are accepted after the
 * restart, nothing acknowledged is lost or doubled, and every action still
 * reaches the receiver exactly once per Idempotency-Key (or is dead-lettered)
 * with each SLA threshold fired once.
 *
 * The shared PostgreSQL on 127.0.0.1:5432 is never restarted (other test files
 * use it at the same time): this drill runs its own throwaway cluster
 * (test/helpers/private-postgres.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../engine/store/create-database.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { DRILL_SUBJECT, drillLedger, drillMail, drillMailConfig, seconds, waitUntilDrained, writeDrillFiles, type DrillFiles } from '../helpers/drill-fixture.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';
import { sleep, startProcess, type ServerProcess } from '../helpers/server-process.js';
import { startTicketLoad } from '../helpers/ticket-load.js';

const INSTANCES = 2;
const HTTP_CLIENTS = 4;
/** Tickets acknowledged before the database goes down, and again after it is back. */
const WARM_UP = 40;
const AFTER = 40;
const MAILS = 20;
const FOLDER = 'drill';

describe('PostgreSQL restarted under load: the instances recover by themselves', () => {
  let dir: string;
  let postgres: PrivatePostgres;
  let dovecot: Dovecot;
  let receiver: WebhookReceiver;
  let files: DrillFiles;
  let db: Knex;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-pg-drill-'));
    [postgres, dovecot, receiver] = await Promise.all([startPrivatePostgres(), startDovecot(), startWebhookReceiver()]);
    const admin = new pg.Client({ connectionString: postgres.url() });
    await admin.connect();
    await admin.query('create database triage');
    await admin.end();
    await dovecot.createFolder(FOLDER);
    files = await writeDrillFiles(dir, {
      receiverUrl: receiver.url,
      extraConfig: drillMailConfig(dovecot, FOLDER, { leaseSeconds: 2, maxBackoffSeconds: 2 }),
    });
    db = await createDatabase({ url: postgres.url('triage') });
  });
  afterAll(async () => {
    for (const s of servers) await s.stop('SIGKILL');
    await db?.destroy();
    await receiver?.close();
    await dovecot?.stop();
    await postgres?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 during the outage, reconnects, and loses or doubles nothing', async () => {
    const started = Date.now();
    const apiKey = `trg_${randomBytes(32).toString('base64url')}`;
    const env = { TRIAGE_CONFIG: files.configFile, DATABASE_URL: postgres.url('triage'), TRIAGE_BOOTSTRAP_KEY: apiKey, IMAP_PASSWORD: dovecot.password };
    // Side by side: migrations take an advisory lock, so one migrates and the other finds the schema current.
    servers.push(...(await Promise.all(Array.from({ length: INSTANCES }, () => startProcess(env, { readyTimeoutMs: 30_000 })))));
    const urls = servers.map((s) => s.url);
    const readiness = (): Promise<number[]> => Promise.all(urls.map(async (url) => (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(20_000) })).status));

    const mail = drillMail(dovecot, FOLDER);
    const mailIds = mail.ids;

    const load = startTicketLoad({ urls: () => urls, apiKey, clients: HTTP_CLIENTS, prefix: 'http', subject: DRILL_SUBJECT });
    await mail.append(MAILS / 2);
    while (load.acked.size < WARM_UP) await sleep(5);

    // The outage: the database dies as in a crash, with requests and worker rounds in flight.
    const beforeOutage = new Map(load.outcomes);
    await postgres.stop('immediate');
    const down = Date.now();
    // Mail keeps arriving at the mailbox meanwhile.
    await mail.append(MAILS / 2);
    // Every instance notices: /readyz turns 503 (it is a database round trip, refused at once).
    while ((await readiness()).some((status) => status !== 503)) await sleep(50);
    // Clients are answered (503), not left hanging; give them a moment to be answered several times.
    await sleep(1500);
    const duringOutage = diff(load.outcomes, beforeOutage);
    await postgres.start();
    const restarted = Date.now();
    while ((await readiness()).some((status) => status !== 200)) await sleep(50);
    const recovered = Date.now();

    // New tickets are accepted after the restart (the load alternates between the instances).
    const ackedAtRestart = load.acked.size;
    while (load.acked.size < ackedAtRestart + AFTER) await sleep(5);
    await load.finish();
    const createdAfter = [...load.acked.values()].filter((ack) => ack.at > recovered && ack.status === 201);

    await waitUntilDrained(db, mail);
    const drained = Date.now();

    // No instance exited on its own: each is still running and stops cleanly now.
    for (const s of servers) expect(s.child.exitCode, s.stderr()).toBeNull();
    for (const s of servers.splice(0)) expect(await s.stop('SIGTERM')).toBe(0);

    // During the outage: coded 503s with Retry-After; never a 500, a hang or a cut connection.
    expect(duringOutage.get('503 TRIAGE_STORE_OUTAGE') ?? 0).toBeGreaterThan(0);
    for (const kind of load.outcomes.keys()) expect(kind, JSON.stringify([...load.outcomes])).toMatch(/^(200|201|503 TRIAGE_STORE_OUTAGE)$/);
    expect(load.uncoded).toEqual([]);
    // After it: both instances create new tickets again.
    expect(new Set(createdAfter.map((ack) => ack.url))).toEqual(new Set(urls));

    expect(await dovecot.uids(FOLDER)).toEqual([]);

    // Nothing acknowledged lost, nothing doubled; actions delivered exactly once per key (or dead-lettered), every SLA threshold fired once.
    const ledger = await drillLedger(db, receiver, { acked: load.acked, mailIds });
    expect(ledger.problems).toEqual([]);
    expect(ledger.tickets).toBe(load.acked.size + mailIds.length);

    process.stdout.write(
      `pg restart drill: ${INSTANCES} instances, ${load.acked.size} HTTP tickets + ${mailIds.length} mails in ${seconds(drained - started)} s; ` +
        `database down ${seconds(restarted - down)} s, both ready ${seconds(recovered - restarted)} s after its start; ` +
        `during the outage ${duringOutage.get('503 TRIAGE_STORE_OUTAGE') ?? 0} requests answered 503 TRIAGE_STORE_OUTAGE; ` +
        `${ledger.outboxRows} actions: ${ledger.done} done, ${ledger.dead} dead, ${ledger.duplicateDeliveries} repeated keys on the wire; ${ledger.slaFirings} SLA warnings\n`,
    );
  }, 120_000);
});

/** Outcome counts since `before`. */
function diff(now: ReadonlyMap<string, number>, before: ReadonlyMap<string, number>): Map<string, number> {
  return new Map([...now].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));
}
