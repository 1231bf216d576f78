import type { FactObject } from '../../rules/lib/rule-types.js';

/**
 * The connector model (n8n-style, declarative). Every integration is one
 * folder under connectors/ exporting a ConnectorDefinition: what it is, the
 * operations it offers with a JSON Schema for their params, the credentials
 * it needs (sensitive fields marked), and a factory that binds it to one
 * connection from connections.yaml. The registry (connectors/lib/registry.ts)
 * lists them; rule validation checks action params against their schemas.
 */
export type ConnectorKind = 'source' | 'facts' | 'action';

/** A JSON Schema object (draft-07), as plain data. */
export type JsonSchema = Record<string, unknown>;

export interface ConnectorOperation {
  /** Operation name; the rule action type is `<connector>.<name>`, e.g. `slack.postMessage`. */
  name: string;
  summary: string;
  /** JSON Schema of the action params (a `connection` param naming the connection is always allowed). */
  params: JsonSchema;
  /** Params rendered as templates before the call. */
  templates: readonly string[];
  /**
   * What a repeated call does at the receiver, documented per connector:
   * `key` — the receiver deduplicates on the idempotency key we send (exactly once);
   * `none` — a crash between the call and our commit may repeat it (at least once).
   */
  idempotency: 'key' | 'none';
}

export interface ConnectorDefinition {
  /** `slack`, `jira`, `webhook`, `email`, `http-crm`, `file-crm`, … */
  name: string;
  kind: ConnectorKind;
  summary: string;
  /**
   * JSON Schema of the connection settings in connections.yaml. Properties
   * marked `"x-sensitive": true` must be `${env:NAME}` references and are
   * never logged, returned by the API or written to audit rows.
   */
  credentials: JsonSchema;
  operations: readonly ConnectorOperation[];
  /** Bind the connector to one connection's resolved settings. */
  create(settings: Record<string, unknown>, context: ConnectorContext): ConnectorInstance;
  /**
   * Checks JSON Schema cannot express (e.g. allowHosts entries are hosts or
   * CIDRs), run when connections.yaml is loaded; one message per problem.
   */
  validateSettings?(settings: Record<string, unknown>): string[];
}

export interface ConnectorContext {
  /** Name of the connection in connections.yaml (for messages and metrics). */
  connection: string;
  /** Structured log without secrets. */
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;
}

export interface ActionCall {
  operation: string;
  /** Rendered params (templates already applied, PII masked where configured). */
  params: Record<string, unknown>;
  /** ticket + rule + event + action index; sent to receivers that support one. */
  idempotencyKey: string;
  /** The ticket the action belongs to (id, number, subject, …) for connectors that link back. */
  ticket: FactObject;
  signal: AbortSignal;
  /** The rule event that decided the action (`ticket.created`, …), when known; webhooks send it. */
  event?: string;
  /** Id of the rule that decided the action, when known. */
  rule?: string;
  /**
   * The external id (ActionResult.externalId) that the newest *done* action
   * of `actionType` got for this same ticket, e.g. the Jira issue key of its
   * `jira.createIssue`; undefined when there is none (yet). Given by the
   * outbox, so connectors can link back without touching the store
   * (`jira.addComment` without an `issue` param uses it).
   */
  linkedExternalId?: (actionType: string) => Promise<string | undefined>;
}

export interface ActionResult {
  /** Id at the receiver (Slack ts, Jira issue key, …), stored on the outbox row. */
  externalId?: string;
  /** Short, secret-free summary of the response for the attempt log. */
  detail?: string;
}

export interface CustomerLookup {
  email?: string;
  phone?: string;
  domain?: string;
  customerId?: string;
  externalId?: string;
}

/**
 * An order as a shop connector (baselinker, shoper) normalizes it; the engine
 * adds `lookup`, `ageDays` and `senderMatches` to make the `order` fact
 * (engine/orders/order-fact.ts, docs/orders.md). Absent values are left out.
 */
export interface OrderRecord {
  number: string;
  status?: string;
  /** ISO-8601 UTC. */
  date?: string;
  total?: number;
  currency?: string;
  items: { sku?: string; name?: string; quantity?: number }[];
  shippingMethod?: string;
  trackingNumber?: string;
  trackingUrl?: string;
  /** `paid`, `partially-paid` or `unpaid`. */
  paymentStatus?: string;
  customerEmail?: string;
  customerPhone?: string;
}

export interface ConnectorTestResult {
  ok: boolean;
  /** What was checked and what came back, e.g. "auth.test ok as team T123". */
  detail: string;
}

export interface ConnectorInstance {
  /** Check the connection (credentials, reachability) without side effects. */
  test(): Promise<ConnectorTestResult>;
  /** For `action` connectors. Throws ConnectorError on failure. */
  execute?(call: ActionCall): Promise<ActionResult>;
  /** For `facts` connectors: the customer fact, or undefined when the CRM does not know them. */
  lookupCustomer?(query: CustomerLookup, signal: AbortSignal): Promise<FactObject | undefined>;
  /**
   * For `facts` connectors: what the lookup would actually ask (e.g. the
   * rendered URL), so callers can cache and share answers per question: a CRM
   * searched by domain gives every sender of a company the same answer.
   * Without it the whole query is the key.
   */
  lookupKey?(query: CustomerLookup): string;
  /** For order `facts` connectors (baselinker, shoper): the order, or undefined when the shop has none with that number. */
  lookupOrder?(number: string, signal: AbortSignal): Promise<OrderRecord | undefined>;
  /** Release sockets, watchers. */
  close?(): Promise<void>;
}
