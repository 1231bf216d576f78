import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
}

export function createMetrics(
  options: { ticketsByStatus?: () => Promise<Record<string, number>>; outboxByStatus?: () => Promise<Record<string, number>> } = {},
): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'triage_process_' });
  const countTickets = options.ticketsByStatus;
  const countOutbox = options.outboxByStatus;
  return {
    registry,
    httpDuration: new Histogram({
      name: 'triage_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    evaluations: new Counter({ name: 'triage_evaluations_total', help: 'Rule evaluations by event and source (api, ticket)', labelNames: ['event', 'source'], registers: [registry] }),
    ruleHits: new Counter({ name: 'triage_rule_hits_total', help: 'Times each rule fired', labelNames: ['rule', 'event'], registers: [registry] }),
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
    outboxAttempts: new Counter({ name: 'triage_outbox_attempts_total', help: 'Outbox delivery attempts by action and outcome (ok, retry, dead)', labelNames: ['action', 'outcome'], registers: [registry] }),
  };
}
