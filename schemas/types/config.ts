/* Generated from schemas/config.schema.json by `npm run gen:types`. Do not edit. */

/**
 * What happens on the server to a message once its ticket is committed: moved to a folder, or flagged. Default: { moveTo: Processed }.
 */
export type MailboxProcessedConfig =
  | {
      moveTo: string;
    }
  | {
      flag: string;
    };

/**
 * triage.config.yaml: server, database, rules, channels, privacy. Secrets are ${env:NAME} references, never literals.
 */
export interface TriageConfig {
  server?: ServerConfig;
  database?: DatabaseConfig;
  /**
   * What this instance runs (docs/deployment.md): all (the default), api (the HTTP API with every route), workers (outbox dispatch, SLA sweeper, follow-ups and schedules, CRM/order lookup retries, IMAP ingest, retention; HTTP only for /healthz, /readyz and /metrics), or a list of api and workers. TRIAGE_ROLES overrides it (all, api, workers or api,workers).
   */
  roles?: ('all' | 'api' | 'workers') | ['api' | 'workers', ...('api' | 'workers')[]];
  workers?: WorkersConfig;
  rules?: RulesConfig;
  /**
   * Path of connections.yaml (connections to Slack, Jira, webhooks, the CRM, e-mail; docs/connectors.md). Default: ./connections.yaml when it exists. TRIAGE_CONNECTIONS overrides it.
   */
  connectionsFile?: string;
  enrichment?: EnrichmentConfig;
  orders?: OrdersConfig;
  email?: EmailConfig;
  mail?: MailConfig;
  sla?: SlaConfig;
  escalation?: EscalationConfig;
  channels?: ChannelsConfig;
  privacy?: PrivacyConfig;
  automations?: AutomationsConfig;
}
export interface ServerConfig {
  host?: string;
  port?: number;
  /**
   * Largest accepted request body in bytes.
   */
  bodyLimit?: number;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * The address customers and receivers reach this server at (e.g. https://support.example.com); used in links triage sends out, such as CSAT survey links (docs/automations.md).
   */
  publicUrl?: string;
}
export interface DatabaseConfig {
  /**
   * postgres://… for PostgreSQL; empty for the embedded SQLite file.
   */
  url?: string;
  sqlitePath?: string;
}
/**
 * The workers role (docs/deployment.md).
 */
export interface WorkersConfig {
  /**
   * How long a claim on a unit of background work (an outbox row, an SLA timer, a follow-up, a schedule tick) is exclusive to the instance that took it. When an instance dies, the others take its claimed work over after this. Outbox calls time out at half of it (30 s at most). IMAP mailboxes have their own mail.leaseSeconds. TRIAGE_LEASE_SECONDS overrides it.
   */
  leaseSeconds?: number;
}
export interface RulesConfig {
  dir?: string;
  /**
   * Hot reload: validate and swap the rule set when a file changes.
   */
  watch?: boolean;
}
/**
 * CRM enrichment of new tickets (docs/enrichment.md): the customer fact from a facts connection (http-crm, file-crm) in connections.yaml.
 */
export interface EnrichmentConfig {
  /**
   * Name of the connection in connections.yaml.
   */
  connection: string;
  /**
   * How long a found customer is cached in memory (0: not cached).
   */
  ttlSeconds?: number;
  /**
   * How long "the CRM does not know them" is cached.
   */
  negativeTtlSeconds?: number;
  /**
   * How long ticket creation waits for the CRM; then the ticket is created with customer.enrichment = "unavailable" and the lookup is retried in the background.
   */
  timeoutMs?: number;
  retry?: EnrichmentRetryConfig;
  /**
   * How often due retries are looked for.
   */
  pollSeconds?: number;
}
export interface EnrichmentRetryConfig {
  /**
   * Wait after the first failure; doubles with every attempt.
   */
  baseDelaySeconds?: number;
  /**
   * Longest wait between attempts.
   */
  maxDelaySeconds?: number;
  /**
   * Attempts in all (the one at ticket creation included); then the job is marked failed.
   */
  maxAttempts?: number;
}
/**
 * E-commerce order facts (docs/orders.md): order numbers found in tickets are looked up in a BaseLinker or Shoper connection and exposed to rules as the order fact.
 */
export interface OrdersConfig {
  /**
   * Name of the baselinker or shoper connection in connections.yaml.
   */
  connection: string;
  /**
   * Ticket fields (form fields, API data) that carry an order number; checked before the text.
   */
  fields?: string[];
  /**
   * Regular expressions that find an order number in subject and body; the first capture group is the number. Default: #12345, order 12345, zamówienie nr 12345 and their Polish inflections. Checked for catastrophic backtracking like rule regexes.
   */
  patterns?: string[];
  /**
   * How long a found order is cached in memory (0: not cached).
   */
  cacheTtlSeconds?: number;
  /**
   * How long "no such order" is cached.
   */
  negativeTtlSeconds?: number;
  /**
   * How long ticket creation waits for the shop; then order.lookup = "unavailable" and the lookup is retried in the background.
   */
  timeoutMs?: number;
  retry?: EnrichmentRetryConfig;
  /**
   * How often due retries are looked for.
   */
  pollSeconds?: number;
}
/**
 * Customer mail: which email connection (connections.yaml) sends reply and acknowledge, and escalation e-mail (docs/outbox.md).
 */
export interface EmailConfig {
  /**
   * Name of the email connection. Default: the one named email, or the only one.
   */
  connection?: string;
  /**
   * Sender of customer mail, overriding the connection's from (e.g. "Support <support@example.com>").
   */
  from?: string;
  /**
   * Reply-To of customer mail: the mailbox the e-mail channel reads, so answers thread into the ticket.
   */
  replyTo?: string;
  /**
   * X-Loop value of every mail triage sends; inbound mail carrying it is our own and flagged auto.isAutoReply (mail loop protection, docs/email.md).
   */
  loopMarker?: string;
  autoReplyLimit?: AutoReplyLimitConfig;
}
/**
 * At most `max` automatic mails (reply, acknowledge) to one recipient address per `perMinutes`; more are not sent and recorded as skipped (docs/email.md). Default: 5 per 60 minutes.
 */
export interface AutoReplyLimitConfig {
  /**
   * Automatic mails per recipient within the window; 0 turns the limit off.
   */
  max?: number;
  /**
   * Length of the window in minutes.
   */
  perMinutes?: number;
}
/**
 * The e-mail channel: IMAP mailboxes whose messages become tickets (docs/email.md).
 */
export interface MailConfig {
  mailboxes?: MailboxConfig[];
  /**
   * Default polling interval of every mailbox.
   */
  pollSeconds?: number;
  /**
   * Longest wait between reconnect attempts of a failing mailbox (back-off doubles from 1 s up to this).
   */
  maxBackoffSeconds?: number;
  /**
   * How long an instance's claim on a mailbox lasts without renewal (renewed every third of it): after a crash, another instance (or the restarted one) reads the mailbox at the latest this much later.
   */
  leaseSeconds?: number;
}
export interface MailboxConfig {
  /**
   * Unique name of the mailbox (office, complaints…); stored with every message as message.mailbox and ticket.mailbox.
   */
  name: string;
  /**
   * IMAP server host name.
   */
  host: string;
  /**
   * IMAP port. Default: 993 with tls, 143 without.
   */
  port?: number;
  /**
   * Implicit TLS (port 993). false: plain connection upgraded with STARTTLS when the server offers it.
   */
  tls?: boolean;
  /**
   * Login name.
   */
  user: string;
  /**
   * Password, as an ${env:NAME} reference.
   */
  password: string;
  /**
   * Folder to read.
   */
  folder?: string;
  processed?: MailboxProcessedConfig;
  /**
   * Wait with IMAP IDLE when the server supports it (new mail arrives at once); otherwise poll.
   */
  idle?: boolean;
  /**
   * Polling interval without IDLE, and the longest IDLE wait before a safety re-check. Default: mail.pollSeconds.
   */
  pollSeconds?: number;
  /**
   * Messages fetched per round. Default: 100.
   */
  batchSize?: number;
}
/**
 * SLA policy (docs/sla.md): calendars and first-response / next-response / resolution targets per priority and contract.
 */
export interface SlaConfig {
  /**
   * Path of the SLA policy file (schemas/sla-policy.schema.json). Default: <rules.dir>/sla/policy.yaml when it exists. TRIAGE_SLA_POLICY overrides it.
   */
  policy?: string;
  /**
   * How often the SLA sweeper looks for due timers and raises sla.warning / sla.breached (docs/sla.md, Clocks on tickets). TRIAGE_SLA_SWEEP_SECONDS overrides it.
   */
  sweepSeconds?: number;
}
/**
 * Targets of the escalate action by role (escalate: { to: team-lead }): an e-mail address and/or a Slack channel (docs/outbox.md).
 */
export interface EscalationConfig {
  [k: string]: EscalationTargetConfig;
}
export interface EscalationTargetConfig {
  /**
   * Address the escalation e-mail goes to (through email.connection).
   */
  email?: string;
  slack?: EscalationSlackConfig;
}
export interface EscalationSlackConfig {
  /**
   * Slack connection; default: the one named slack, or the only one.
   */
  connection?: string;
  /**
   * Channel name (#escalations) or id.
   */
  channel: string;
}
/**
 * Inbound channels (docs/channels.md): web forms, the PBX webhook, the generic chat/social/marketplace webhook.
 */
export interface ChannelsConfig {
  /**
   * Web forms by id; each is served at POST /v1/channels/forms/<id>.
   */
  forms?: {
    [k: string]: FormConfig;
  };
  phone?: PhoneChannelConfig;
  chat?: WebhookChannelConfig;
  jira?: JiraChannelConfig;
}
/**
 * This interface was referenced by `TriageConfig`'s JSON-Schema
 * via the `definition` "FormConfig".
 */
export interface FormConfig {
  /**
   * Shown in ticket subjects ("<title>: <type>") and in the API docs.
   */
  title?: string;
  /**
   * JSON Schema (draft-07) of the submission's fields; compiled once at start-up.
   */
  schema: {};
  /**
   * Field whose value is the form type.
   */
  typeField?: string;
  /**
   * Form type → ticket category.
   */
  categories?: {
    [k: string]: string;
  };
  /**
   * Category → fields a complete submission must have. A submission missing any still creates the ticket, pending and tagged incomplete, and the response asks the customer to complete it.
   */
  requiredByCategory?: {
    [k: string]: string[];
  };
  fields?: FormFieldNames;
  /**
   * What an incomplete submission's response asks the customer; {{number}} is the ticket number, {{fields}} the missing fields (their schema titles where given). Default in English.
   */
  incompleteText?: string;
  /**
   * HMAC secret for signed submissions (${env:NAME}).
   */
  secret?: string;
}
/**
 * Which submission fields name the customer and carry the message (defaults shown).
 */
export interface FormFieldNames {
  email?: string;
  phone?: string;
  name?: string;
  subject?: string;
  message?: string;
}
/**
 * This interface was referenced by `TriageConfig`'s JSON-Schema
 * via the `definition` "PhoneChannelConfig".
 */
export interface PhoneChannelConfig {
  /**
   * HMAC-SHA256 secret (${env:NAME}); when set, the PBX may sign its requests instead of using an API key.
   */
  secret?: string;
  /**
   * Priority of the call-back ticket a missed, abandoned or voicemail call creates.
   */
  callbackPriority?: 'P1' | 'P2' | 'P3' | 'P4';
}
/**
 * This interface was referenced by `TriageConfig`'s JSON-Schema
 * via the `definition` "WebhookChannelConfig".
 */
export interface WebhookChannelConfig {
  /**
   * HMAC-SHA256 secret (${env:NAME}); when set, requests may be signed instead of using an API key.
   */
  secret?: string;
}
/**
 * The Jira status webhook (POST /v1/channels/jira): a Jira issue's status change moves the status of the ticket whose jira.createIssue created that issue (docs/connectors.md).
 *
 * This interface was referenced by `TriageConfig`'s JSON-Schema
 * via the `definition` "JiraChannelConfig".
 */
export interface JiraChannelConfig {
  /**
   * HMAC-SHA256 secret (${env:NAME}); when set, requests may be signed instead of using an API key.
   */
  secret?: string;
  /**
   * Jira status name (matched without regard to case) → ticket status. Replaces the default { "In Progress": open, "Done": solved, "Resolved": solved }; a status not listed changes nothing (202).
   */
  statusMap?: {
    [k: string]: 'open' | 'pending' | 'solved' | 'closed';
  };
}
/**
 * PII masking, erasure and retention (docs/privacy.md).
 */
export interface PrivacyConfig {
  /**
   * More PII to mask besides card numbers, PESEL and IBAN: JavaScript regular expressions, `pattern` or `/pattern/flags` (flags i, m, s, u), screened for catastrophic backtracking like rule regexes. The whole match is masked; matches of 8+ letters and digits keep their last 4.
   */
  extraPatterns?: string[];
  /**
   * Mask PII in the params of outbound notifications (Slack, Jira, webhooks, e-mail) before they leave the server.
   */
  maskOutbound?: boolean;
  retention?: RetentionConfig;
}
/**
 * Delete closed tickets after a while, periodically inside the server (same as `triage gdpr retention`). Off unless closedTicketDays is set.
 */
export interface RetentionConfig {
  /**
   * Delete tickets closed more than this many days ago, with their messages, tags, decisions and audit rows.
   */
  closedTicketDays?: number;
  /**
   * How often the server runs the retention job (first run shortly after start).
   */
  intervalMinutes?: number;
}
/**
 * Scheduled automations (followUp, schedules:) and CSAT surveys (docs/automations.md).
 */
export interface AutomationsConfig {
  /**
   * How often the sweeper raises due follow-ups and cron schedule ticks.
   */
  sweepIntervalSeconds?: number;
  /**
   * Follow-ups claimed, and tickets selected per schedule tick, per batch.
   */
  batchSize?: number;
  /**
   * A cron tick missed while no server ran is still run if it is at most this old; older ones are skipped.
   */
  catchUpHours?: number;
  csat?: CsatConfig;
}
export interface CsatConfig {
  /**
   * HMAC key that signs survey links, as ${env:TRIAGE_CSAT_SECRET}. Without it a key is generated once per database.
   */
  secret?: string;
  /**
   * How long a survey link stays valid.
   */
  ttlDays?: number;
}
