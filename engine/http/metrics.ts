import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type CounterConfiguration, type LabelValues } from 'prom-client';

/**
 * Prometheus metrics of one app instance. A registry per app (not prom-client's
 * global one) so tests can build many apps in one process.
 */
export interface AppMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  evaluations: Counter<'event' | 'source'>;
  ruleHits: Counter<'rule' | 'event'>;
  ruleReloads: Counter<'outcome'>;
  ruleSetInfo: Gauge<'version'>;
  ticketsByStatus: Gauge<'status'>;
  /** Outbox rows by status (pending, in_flight, done, dead, dropped), read from the database on scrape. */
  outboxRows: Gauge<'status'>;
  /** Outbox delivery attempts by action type and outcome (ok, retry, dead). */
  outboxAttempts: Counter<'action' | 'outcome'>;
  /** IMAP mailbox health read from mail_mailboxes on scrape (docs/email.md): 1 when the last round succeeded. */
  mailboxUp: Gauge<'mailbox'>;
  /** Messages waiting in each mailbox above its cursor, as the last round counted. */
  mailboxBacklog: Gauge<'mailbox'>;
  /** Failed rounds in a row per mailbox. */
  mailboxFailures: Gauge<'mailbox'>;
  /** Unix time of each mailbox's last successful round. */
  mailboxLastSuccess: Gauge<'mailbox'>;
  /** Fetched messages by mailbox and outcome (created, appended, duplicate, failed). */
  mailMessages: Counter<'mailbox' | 'outcome'>;
  /** SQLite only: frames in the write-ahead log at the last checkpoint (engine/store/sqlite-checkpointer.ts). */
  sqliteWalFrames: Gauge;
  /** SQLite only: times the checkpointer started the write-ahead log over. */
  sqliteWalRestarts: Gauge;
  /** SQLite writer thread only (engine/tickets/writer-groups.ts): its transactions, what they carried, its restarts. */
  sqliteWriterBatches: Gauge;
  sqliteWriterPieces: Gauge;
  sqliteWriterRestarts: Gauge;
}

/** What the SQLite writer thread has done since the server started. */
export interface WriterStats {
  batches: number;
  pieces: number;
  restarts: number;
}

export function createMetrics(
  options: {
    ticketsByStatus?: () => Promise<Record<string, number>>;
    outboxByStatus?: () => Promise<Record<string, number>>;
    mailboxes?: () => Promise<ReadonlyArray<{ name: string; condition: string; backlog: number | null; failures: number; lastSuccessAt: string | null }>>;
    /** The SQLite checkpointer's last report; only when one runs (the two WAL metrics exist only then). */
    sqliteWal?: () => { frames: number; restarts: number };
    /** The SQLite writer thread's counts; only when the server runs one (the three writer metrics exist only then). */
    sqliteWriter?: () => WriterStats;
  } = {},
): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'triage_process_' });
  const countTickets = options.ticketsByStatus;
  const countOutbox = options.outboxByStatus;
  const readMailboxes = options.mailboxes;
  // One read of mail_mailboxes per scrape feeds all four mailbox gauges.
  let mailboxRead: Promise<Awaited<ReturnType<NonNullable<typeof readMailboxes>>>> | undefined;
  const mailboxGauge = (name: string, help: string, value: (m: Awaited<ReturnType<NonNullable<typeof readMailboxes>>>[number]) => number | undefined): Gauge<'mailbox'> =>
    new Gauge({
      name,
      help,
      labelNames: ['mailbox'],
      registers: [registry],
      async collect() {
        if (!readMailboxes) return;
        mailboxRead ??= readMailboxes().finally(() => setImmediate(() => (mailboxRead = undefined)));
        this.reset();
        for (const m of await mailboxRead) {
          const v = value(m);
          if (v !== undefined) this.set({ mailbox: m.name }, v);
        }
      },
    });
  // Read on scrape from the part that keeps the count; registered only when it runs (SQLite), so PostgreSQL shows none.
  const readGauge = <T>(read: (() => T) | undefined, name: string, help: string, value: (read: T) => number): Gauge =>
    new Gauge({
      name,
      help,
      registers: read === undefined ? [] : [registry],
      collect() {
        if (read !== undefined) this.set(value(read()));
      },
    });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'triage_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    evaluations: hotCounter({ name: 'triage_evaluations_total', help: 'Rule evaluations by event and source (api, ticket)', labelNames: ['event', 'source'], registers: [registry] }),
    ruleHits: hotCounter({ name: 'triage_rule_hits_total', help: 'Times each rule fired', labelNames: ['rule', 'event'], registers: [registry] }),
    ruleReloads: new Counter({ name: 'triage_rule_reloads_total', help: 'Rule set reloads by outcome (ok, failed)', labelNames: ['outcome'], registers: [registry] }),
    ruleSetInfo: new Gauge({ name: 'triage_rule_set_info', help: 'The active rule set version (value 1)', labelNames: ['version'], registers: [registry] }),
    ticketsByStatus: new Gauge({
      name: 'triage_tickets',
      help: 'Tickets by status',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        if (!countTickets) return;
        this.reset();
        for (const [status, n] of Object.entries(await countTickets())) this.set({ status }, n);
      },
    }),
    outboxRows: new Gauge({
      name: 'triage_outbox_rows',
      help: 'Outbox rows by status (pending, in_flight, done, dead, dropped)',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        if (!countOutbox) return;
        this.reset();
        for (const [status, n] of Object.entries(await countOutbox())) this.set({ status }, n);
      },
    }),
    mailboxUp: mailboxGauge('triage_mailbox_up', 'IMAP mailbox health: 1 when its last round succeeded, 0 when failing or not started', (m) => (m.condition === 'ok' ? 1 : 0)),
    mailboxBacklog: mailboxGauge('triage_mailbox_backlog', 'Messages waiting in the mailbox above its cursor, as the last round counted', (m) => m.backlog ?? undefined),
    mailboxFailures: mailboxGauge('triage_mailbox_consecutive_failures', 'Failed rounds in a row', (m) => m.failures),
    mailboxLastSuccess: mailboxGauge('triage_mailbox_last_success_timestamp_seconds', 'Unix time of the last successful round', (m) => (m.lastSuccessAt === null ? undefined : Date.parse(m.lastSuccessAt) / 1000)),
    mailMessages: new Counter({ name: 'triage_mail_messages_total', help: 'Fetched messages by mailbox and outcome (created, appended, duplicate, failed)', labelNames: ['mailbox', 'outcome'], registers: [registry] }),
    outboxAttempts: new Counter({ name: 'triage_outbox_attempts_total', help: 'Outbox delivery attempts by action and outcome (ok, retry, dead)', labelNames: ['action', 'outcome'], registers: [registry] }),
    sqliteWalFrames: readGauge(options.sqliteWal, 'triage_sqlite_wal_frames', 'Frames (pages) in the SQLite write-ahead log at the last checkpoint; it is started over past 4,096', (w) => w.frames),
    sqliteWalRestarts: readGauge(options.sqliteWal, 'triage_sqlite_wal_restarts', 'Times the SQLite write-ahead log was started over since the server started', (w) => w.restarts),
    sqliteWriterBatches: readGauge(options.sqliteWriter, 'triage_sqlite_writer_batches', 'Transactions the SQLite writer thread ran since the server started (committed or failed)', (w) => w.batches),
    sqliteWriterPieces: readGauge(options.sqliteWriter, 'triage_sqlite_writer_pieces', 'Pieces (new tickets, rounds of outbox outcomes) those transactions carried', (w) => w.pieces),
    sqliteWriterRestarts: readGauge(options.sqliteWriter, 'triage_sqlite_writer_restarts', 'Times the SQLite writer thread was started again after it stopped unexpectedly', (w) => w.restarts),
  };
}

/**
 * A Counter for the request path (every evaluation counts itself and each
 * rule that fired): `inc(labels, n)` adds to a cell found with a Map lookup
 * per label value, and the cells reach prom-client when the counter is
 * read (a scrape), so what /metrics shows is the same. prom-client itself
 * sorts, hashes and validates the labels on every `inc`, also through a
 * `labels()` child (which only binds the label object), so caching children
 * would not save that work; this does (about 1 µs per evaluation that fires
 * four rules, on a 2-vCPU machine).
 */
function hotCounter<T extends string>(config: CounterConfiguration<T> & { labelNames: readonly T[] }): Counter<T> {
  type Cell = { labels: LabelValues<T>; n: number };
  const cells: Cell[] = [];
  // One Map level per label, keyed by the label's value as given: no key string is built per call
  // (rule ids and event names are interned constants, so each level is a plain lookup).
  const root = new Map<unknown, unknown>();
  const counter: Counter<T> = new Counter<T>({
    ...config,
    collect() {
      for (const cell of cells) {
        if (cell.n === 0) continue;
        const n = cell.n;
        cell.n = 0;
        slowInc(cell.labels, n);
      }
    },
  });
  const slowInc = counter.inc.bind(counter) as (labels: LabelValues<T>, value?: number) => void;
  const labelNames = config.labelNames;
  const depth = labelNames.length;
  counter.inc = ((labels?: LabelValues<T> | number, value?: number): void => {
    // No labels, or a value prom-client refuses: its own path (and its errors).
    if (typeof labels !== 'object' || depth === 0 || (value !== undefined && !(Number.isFinite(value) && value >= 0))) {
      (slowInc as (...args: unknown[]) => void)(labels, value);
      return;
    }
    let level = root;
    for (let i = 0; i < depth - 1; i++) {
      const v = labels[labelNames[i] as T];
      let next = level.get(v) as Map<unknown, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(v, next);
      }
      level = next;
    }
    const last = labels[labelNames[depth - 1] as T];
    let cell = level.get(last) as Cell | undefined;
    if (cell === undefined) {
      // Validates the labels once (throws like before for a wrong name) and makes the series exist.
      slowInc(labels, 0);
      cell = { labels: { ...labels }, n: 0 };
      cells.push(cell);
      level.set(last, cell);
    }
    cell.n += value ?? 1;
  }) as Counter<T>['inc'];
  return counter;
}
