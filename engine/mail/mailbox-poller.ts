import { randomUUID } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { WakeSignal } from '../outbox/wake-signal.js';
import { toIsoUtc } from '../store/iso-time.js';
import type { BatchItemResult, MailIngest } from './mail-ingest.js';
import type { MailboxSettings } from './mail-settings.js';
import type { MailboxStateStore } from './mailbox-state-store.js';

export type MailLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

/** What one fetch round did. */
export interface RoundResult {
  mailbox: string;
  fetched: number;
  created: number;
  appended: number;
  duplicates: number;
  failed: number;
  /** Messages with a UID above the cursor that are still waiting after this round. */
  backlog: number;
  uidValidityChanged: boolean;
}

export interface MailboxPollerOptions {
  mailbox: MailboxSettings;
  ingest: MailIngest;
  state: MailboxStateStore;
  /** Longest wait between reconnect attempts. */
  maxBackoffSeconds: number;
  /** How long this instance's claim on the mailbox lasts without renewal (default 60). */
  leaseSeconds?: number;
  log: MailLog;
  /** This instance's lease owner id; default a random one. */
  owner?: string;
  now?: () => Date;
  /** Called after every round and every failure (metrics). */
  onRound?: (result: RoundResult) => void;
  onFailure?: (mailbox: string, error: unknown) => void;
}

/** Thrown by a round in which some message could not be ingested; the cursor stopped before it. */
export class MailboxRoundError extends Error {
  constructor(
    message: string,
    readonly round: RoundResult,
  ) {
    super(message);
  }
}

/**
 * One IMAP mailbox: fetch new messages above the stored cursor, ingest them
 * (MailIngest, exactly once by Message-ID), then — only after their tickets
 * are committed — move or flag them on the server and advance the cursor.
 * A crash before the move re-fetches them next time, and ingest finds them
 * stored; a crash after it finds nothing left to fetch (move) or finds them
 * stored (flag). When UIDVALIDITY changes the folder is scanned from UID 1
 * again and Message-ID uniqueness keeps it from creating anything twice.
 *
 * Waits with IDLE when the server supports it (imapflow IDLEs between
 * commands and reports new mail as `exists`), polling every pollSeconds
 * either way; reconnects with exponential back-off and records every failure
 * in mail_mailboxes, logging at error level each time the back-off grows.
 */
export class MailboxPoller {
  private readonly mailbox: MailboxSettings;
  private readonly options: MailboxPollerOptions;
  private readonly owner: string;
  private readonly clock: () => Date;
  private readonly wake = new WakeSignal();
  private client: ImapFlow | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private failures = 0;
  private leaseTimer: NodeJS.Timeout | undefined;
  /** Set when a renewal or a cursor save finds another instance holding the mailbox: the drain stops. */
  private leaseLost = false;

  constructor(options: MailboxPollerOptions) {
    this.options = options;
    this.mailbox = options.mailbox;
    this.owner = options.owner ?? `${process.pid}-${randomUUID()}`;
    this.clock = options.now ?? (() => new Date());
  }

  get name(): string {
    return this.mailbox.name;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stop waiting, finish the round in progress (its tickets and moves), log out, release the lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.leaseTimer);
    this.wake.notify();
    await this.loop;
    await this.disconnect();
    await this.options.state.releaseLease(this.name, this.owner, this.nowIso()).catch(() => undefined);
  }

  /**
   * Connect if needed and ingest everything above the cursor, batch by batch.
   * Used by the loop, and directly by tests and the bench.
   */
  async drain(): Promise<RoundResult> {
    const total: RoundResult = { mailbox: this.name, fetched: 0, created: 0, appended: 0, duplicates: 0, failed: 0, backlog: 0, uidValidityChanged: false };
    await this.options.state.ensure(this.name, this.nowIso());
    for (;;) {
      const round = await this.round();
      total.fetched += round.fetched;
      total.created += round.created;
      total.appended += round.appended;
      total.duplicates += round.duplicates;
      total.backlog = round.backlog;
      total.uidValidityChanged ||= round.uidValidityChanged;
      if (round.fetched === 0 || round.backlog === 0 || this.stopped || this.leaseLost) break;
    }
    await this.options.state.recordSuccess(this.name, total.backlog, this.nowIso());
    return total;
  }

  private async run(): Promise<void> {
    const pollMs = this.mailbox.pollSeconds * 1000;
    const leaseMs = (this.options.leaseSeconds ?? 60) * 1000;
    // Renewed every third of its length, also while a round runs or IDLE waits, so a long wait keeps the claim.
    this.leaseTimer = setInterval(() => {
      if (!this.stopped) {
        void this.claim(leaseMs).then(
          (held) => {
            if (!held) this.leaseLost = true;
          },
          () => undefined,
        );
      }
    }, Math.max(100, leaseMs / 3));
    this.leaseTimer.unref();
    while (!this.stopped) {
      try {
        await this.options.state.ensure(this.name, this.nowIso());
        if (!(await this.claim(leaseMs))) {
          // Another instance reads this mailbox; look again when its claim could have run out.
          await this.wake.wait(Math.min(pollMs, leaseMs));
          continue;
        }
        this.leaseLost = false;
        const result = await this.drain();
        if (this.failures > 0) this.options.log('info', 'mailbox recovered', { mailbox: this.name, after: this.failures });
        this.failures = 0;
        this.options.onRound?.(result);
        if (!this.stopped) await this.wake.wait(pollMs);
      } catch (error) {
        if (this.stopped) break;
        this.failures++;
        const reason = describe(error);
        const failures = await this.options.state.recordFailure(this.name, reason, this.nowIso()).catch(() => this.failures);
        if (error instanceof MailboxRoundError) this.options.onRound?.(error.round);
        this.options.onFailure?.(this.name, error);
        const delayMs = backoffMs(this.failures, this.options.maxBackoffSeconds * 1000);
        const previous = this.failures === 1 ? 0 : backoffMs(this.failures - 1, this.options.maxBackoffSeconds * 1000);
        // Loud whenever the wait grows; once it is at its cap, every failure still says so at error level.
        this.options.log('error', `mailbox ${this.name} failed; retrying in ${Math.round(delayMs / 1000)} s`, {
          mailbox: this.name,
          host: this.mailbox.host,
          failures,
          reason,
          backoffGrew: delayMs > previous,
        });
        await this.disconnect();
        await this.wake.wait(delayMs);
      }
    }
  }

  private async claim(leaseMs: number): Promise<boolean> {
    const until = toIsoUtc(new Date(this.clock().getTime() + leaseMs)) as string;
    return this.options.state.acquireLease(this.name, this.owner, until, this.nowIso());
  }

  /** One batch: fetch up to batchSize messages above the cursor, ingest, mark processed, advance. */
  private async round(): Promise<RoundResult> {
    const client = await this.connect();
    const { folder, batchSize } = this.mailbox;
    const lock = await client.getMailboxLock(folder);
    try {
      // A session sees messages others appended only once the server announces them (EXISTS); NOOP asks for that.
      await client.noop();
      const opened = client.mailbox;
      if (opened === false) throw new Error(`folder ${folder} is not open`);
      const uidValidity = String(opened.uidValidity);
      const cursor = (await this.options.state.get(this.name)) ?? { uidValidity: null, lastUid: 0 };
      const changed = cursor.uidValidity !== null && cursor.uidValidity !== uidValidity;
      if (changed) this.options.log('warn', 'UIDVALIDITY changed: rescanning the folder; Message-IDs keep it from creating tickets twice', { mailbox: this.name, was: cursor.uidValidity, now: uidValidity });
      const lastUid = cursor.uidValidity === uidValidity ? cursor.lastUid : 0;
      // `n:*` always matches the highest UID even when it is below n, hence the filter.
      const found = await client.search({ uid: `${lastUid + 1}:*` }, { uid: true });
      const pending = (found === false || found === undefined ? [] : found).filter((uid) => uid > lastUid).sort((a, b) => a - b);
      const batch = pending.slice(0, batchSize);
      const round: RoundResult = { mailbox: this.name, fetched: batch.length, created: 0, appended: 0, duplicates: 0, failed: 0, backlog: pending.length, uidValidityChanged: changed };
      if (batch.length === 0) {
        if (cursor.uidValidity !== uidValidity) await this.saveCursor({ uidValidity, lastUid }, 0);
        return round;
      }
      const messages = await client.fetchAll(batch.join(','), { uid: true, source: true, internalDate: true }, { uid: true });
      const items = messages
        .filter((m) => m.source !== undefined)
        .sort((a, b) => a.uid - b.uid)
        .map((m) => ({ uid: m.uid, raw: m.source as Buffer, origin: { mailbox: this.name, uid: m.uid, arrivedAt: m.internalDate ?? null } }));
      const results = await this.options.ingest.ingestMany(items);

      // The cursor moves over the prefix that is settled; a failed message stops it (and is fetched again).
      const settled: number[] = [];
      let cursorUid = lastUid;
      let blocked = false;
      let firstError: unknown;
      // A UID returned by SEARCH but not by FETCH was expunged meanwhile: nothing to ingest, the cursor may pass it.
      const fetchedUids = new Set(items.map((i) => i.uid));
      const byUid = new Map<number, BatchItemResult>(items.map((item, i) => [item.uid, results[i] as BatchItemResult]));
      for (const uid of batch) {
        const result = byUid.get(uid);
        if (!fetchedUids.has(uid) || result === undefined) {
          if (!blocked) cursorUid = uid;
          continue;
        }
        if (result.ok) {
          settled.push(uid);
          if (result.result.outcome === 'created') round.created++;
          else if (result.result.outcome === 'appended') round.appended++;
          else round.duplicates++;
          if (!blocked) cursorUid = uid;
        } else {
          round.failed++;
          firstError ??= result.error;
          blocked = true;
        }
      }
      // Only now, with the tickets committed, does the server hear about it.
      if (settled.length > 0) await this.markProcessed(client, settled);
      await this.saveCursor({ uidValidity, lastUid: cursorUid }, round.created + round.appended);
      round.backlog = pending.filter((uid) => uid > cursorUid).length;
      if (firstError !== undefined) {
        throw new MailboxRoundError(`${round.failed} of ${batch.length} messages could not be ingested (first: ${describe(firstError)})`, round);
      }
      return round;
    } finally {
      lock.release();
    }
  }

  /** Fenced by the lease: after a takeover the new holder's cursor wins, and this poller stops draining. */
  private async saveCursor(cursor: { uidValidity: string; lastUid: number }, ingested: number): Promise<void> {
    if (await this.options.state.saveCursor(this.name, cursor, ingested, this.nowIso(), this.owner)) return;
    this.leaseLost = true;
    this.options.log('warn', 'another instance took this mailbox over; the cursor stays where it put it', { mailbox: this.name });
  }

  private async markProcessed(client: ImapFlow, uids: readonly number[]): Promise<void> {
    const range = uids.join(',');
    const processed = this.mailbox.processed;
    if ('moveTo' in processed) {
      const moved = await client.messageMove(range, processed.moveTo, { uid: true });
      if (moved === false) throw new Error(`could not move messages to ${processed.moveTo}`);
    } else {
      const flagged = await client.messageFlagsAdd(range, [processed.flag], { uid: true });
      if (!flagged) throw new Error(`could not set flag ${processed.flag}`);
    }
  }

  private async connect(): Promise<ImapFlow> {
    if (this.client?.usable === true) return this.client;
    await this.disconnect();
    const { host, port, tls, user, password, idle } = this.mailbox;
    const client = new ImapFlow({
      host,
      port,
      secure: tls,
      auth: { user, pass: password },
      logger: false,
      disableAutoIdle: !idle,
      // Start IDLE one second after the last command (imapflow waits 15 s by default): new mail shows up at once.
      autoIdleDelay: 1000,
      // imapflow re-issues IDLE periodically; our own poll timer is the safety net on top.
      maxIdleTime: Math.min(this.mailbox.pollSeconds * 1000, 300_000),
      connectionTimeout: 30_000,
      greetingTimeout: 15_000,
      socketTimeout: 5 * 60_000,
    });
    // An error event without a listener would crash the process; the round that uses the client reports it.
    client.on('error', (error: unknown) => this.options.log('warn', 'IMAP connection error', { mailbox: this.name, reason: describe(error) }));
    client.on('exists', () => this.wake.notify());
    client.on('close', () => this.wake.notify());
    await client.connect();
    this.client = client;
    if ('moveTo' in this.mailbox.processed) await this.ensureFolder(client, this.mailbox.processed.moveTo);
    return client;
  }

  private async ensureFolder(client: ImapFlow, path: string): Promise<void> {
    const list = await client.list();
    if (list.some((m) => m.path === path)) return;
    await client.mailboxCreate(path);
    this.options.log('info', 'created the folder for processed mail', { mailbox: this.name, folder: path });
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    try {
      if (client.usable) await client.logout();
    } catch {
      // Logging out of a broken connection fails; closing it is all that is left.
    }
    client.close();
  }

  private nowIso(): string {
    return toIsoUtc(this.clock()) ?? new Date().toISOString();
  }
}

/** 1 s, 2 s, 4 s … up to maxMs. Deterministic, so "the back-off grew" is a fact the log can state. */
export function backoffMs(failures: number, maxMs: number): number {
  return Math.min(maxMs, 1000 * 2 ** Math.max(0, Math.min(30, failures - 1)));
}

/** An error as one line without secrets (imapflow errors carry the server's response text, never the password). */
function describe(error: unknown): string {
  if (error instanceof Error) {
    const extra = (error as { responseText?: unknown; code?: unknown }).responseText ?? (error as { code?: unknown }).code;
    return `${error.message}${typeof extra === 'string' && !error.message.includes(extra) ? ` (${extra})` : ''}`.split('\n')[0] ?? 'error';
  }
  return String(error);
}
